namespace Rdns.Server.Pipeline;

/// <summary>
/// Bucket bounds of the response-size and processing-time histograms: powers of two, so the
/// bucket of a value is one leading-zero count (no search, no allocation on the query path).
/// </summary>
public static class HistogramBuckets
{
    /// <summary>Response sizes, octets: 64 … 65,536 (11 buckets; 512, 1,232 and 4,096 fall on or just below a bound).</summary>
    public static readonly IReadOnlyList<double> SizeBounds = Bounds(64, 11);

    /// <summary>Processing time, microseconds: 1 µs … 32,768 µs (16 buckets), then +Inf.</summary>
    public static readonly IReadOnlyList<double> TimeBoundsMicroseconds = Bounds(1, 16);

    /// <summary>Slots of a histogram: its bounds plus the +Inf bucket.</summary>
    public const int SizeSlots = 12;

    public const int TimeSlots = 17;

    private static double[] Bounds(double first, int count)
    {
        var bounds = new double[count];
        for (int i = 0; i < count; i++)
            bounds[i] = first * (1L << i);
        return bounds;
    }

    /// <summary>The bucket of a response of <paramref name="octets"/>: the first bound it does not exceed.</summary>
    public static int SizeSlot(int octets)
    {
        if (octets <= 64)
            return 0;
        int slot = System.Numerics.BitOperations.Log2((uint)octets - 1) - 5;
        return slot < SizeSlots ? slot : SizeSlots - 1;
    }

    /// <summary>The bucket of a processing time of <paramref name="microseconds"/>.</summary>
    public static int TimeSlot(long microseconds)
    {
        if (microseconds <= 1)
            return 0;
        int slot = System.Numerics.BitOperations.Log2((ulong)microseconds - 1) + 1;
        return slot < TimeSlots ? slot : TimeSlots - 1;
    }
}

/// <summary>A histogram as read on a scrape: counts and sums per bucket (the last one above every bound).</summary>
public sealed record HistogramSnapshot(IReadOnlyList<double> Bounds, long[] Counts, long[] Sums)
{
    public long Count => Counts.Sum();

    public long Sum => Sums.Sum();
}
