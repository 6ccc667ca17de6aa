namespace Rdns.Bench.Writes;

internal static class Percentiles
{
    public static double Of(List<double> values, double q)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1))];
    }
}
