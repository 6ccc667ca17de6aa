namespace Rdns.Bench.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose sequence is fixed by its seed on
/// every runtime and platform, unlike <see cref="Random"/>, whose algorithm is an implementation
/// detail. The dataset must be the same bytes wherever it is generated.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A generator for one part of the dataset, so adding draws in one part leaves the others unchanged.</summary>
    public static SplitMix64 For(ulong seed, string part, long index = 0)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in part)
            h = (h ^ c) * 1099511628211UL;
        var g = new SplitMix64(seed ^ h ^ ((ulong)index * 0x9E3779B97F4A7C15UL));
        g.Next();
        return g;
    }

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound), without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public int Below(int bound)
    {
        if (bound <= 0)
            throw new ArgumentOutOfRangeException(nameof(bound));
        ulong b = (ulong)bound;
        while (true)
        {
            ulong x = Next();
            UInt128 m = (UInt128)x * b;
            ulong low = (ulong)m;
            if (low >= (0UL - b) % b)
                return (int)(m >> 64);
        }
    }

    public long Below(long bound)
    {
        if (bound <= int.MaxValue)
            return Below((int)bound);
        ulong b = (ulong)bound;
        ulong limit = ulong.MaxValue - ulong.MaxValue % b;
        ulong x;
        do
            x = Next();
        while (x >= limit);
        return (long)(x % b);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => (Next() >> 11) * (1.0 / (1UL << 53)) < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];

    /// <summary>Fisher–Yates, in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Below(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
