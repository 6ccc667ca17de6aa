using System.Collections.Concurrent;

namespace Rdns.Bench.Fleet;

/// <summary>Propagation times (ms from the API's acknowledgement) per edge, with the probes that missed or were voided by a kill.</summary>
internal sealed class Latencies
{
    private readonly ConcurrentDictionary<string, List<double>> _times = new();
    private readonly ConcurrentDictionary<string, int> _missed = new();
    private readonly ConcurrentQueue<string> _raw = new();
    private readonly long _origin = System.Diagnostics.Stopwatch.GetTimestamp();
    private int _voided;

    /// <summary>Every measurement as CSV (edge, seconds since the start at the ack, ms), for a closer look.</summary>
    public IEnumerable<string> Raw => _raw;

    public int Voided => Volatile.Read(ref _voided);

    public void Add(string edge, double ms, long ack)
    {
        _raw.Enqueue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{edge},{System.Diagnostics.Stopwatch.GetElapsedTime(_origin, ack).TotalSeconds:F3},{ms:F1}"));
        var list = _times.GetOrAdd(edge, _ => []);
        lock (list)
            list.Add(ms);
    }

    public void Missed(string edge) => _missed.AddOrUpdate(edge, 1, (_, n) => n + 1);

    public void Void() => Interlocked.Increment(ref _voided);

    public List<double> Of(string edge)
    {
        if (!_times.TryGetValue(edge, out var list))
            return [];
        lock (list)
            return [.. list];
    }

    public int MissedAt(string edge) => _missed.GetValueOrDefault(edge);

    public List<double> Of(IEnumerable<string> edges) => edges.SelectMany(Of).ToList();

    public static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1))];
    }
}
