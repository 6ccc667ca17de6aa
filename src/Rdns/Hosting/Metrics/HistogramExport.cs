using Prometheus;
using Rdns.Server.Pipeline;

namespace Rdns.Hosting.Metrics;

/// <summary>
/// Carries a histogram the query path keeps (striped bucket counts and sums) into a Prometheus
/// histogram with the same bounds: on each scrape, what each bucket gained since the last one is
/// observed as that many values at the bucket's mean, so bucket counts and the sum are exact.
/// </summary>
internal sealed class HistogramExport(Prometheus.Histogram histogram, Func<HistogramSnapshot> read, double scale)
{
    private long[]? _counts;
    private long[]? _sums;

    public static Prometheus.Histogram Create(IMetricFactory factory, string name, string help, IReadOnlyList<double> bounds, double scale) =>
        factory.CreateHistogram(name, help, new HistogramConfiguration { Buckets = [.. bounds.Select(b => b * scale)] });

    public void Update()
    {
        var now = read();
        _counts ??= new long[now.Counts.Length];
        _sums ??= new long[now.Sums.Length];
        for (int i = 0; i < now.Counts.Length; i++)
        {
            long count = now.Counts[i] - _counts[i];
            long sum = now.Sums[i] - _sums[i];
            if (count <= 0)
                continue;
            // The mean of values within (lower, upper] lies within it too; scaled the same way as
            // the bounds, so a bucket of exact values (all 2 µs, say) lands on its own bound.
            histogram.Observe(sum * scale / count, count);
            _counts[i] = now.Counts[i];
            _sums[i] = now.Sums[i];
        }
    }
}
