using System.Diagnostics;

namespace Rdns.Bench.Fleet;

/// <summary>
/// Every <c>--kill-every</c> seconds of the change phase one edge (in turn, the kinds alternating)
/// is killed with SIGKILL, left down <c>--down</c> seconds and started again on the same folder.
/// Measured from the start: its first answer (served from what it kept), then the time until it
/// holds, for every zone, at least the serial the primary had at that start (catch-up).
/// </summary>
internal sealed class Killer(IReadOnlyList<Edge> edges, Primary primary, FleetOptions options)
{
    private readonly List<CatchUp> _results = [];

    public IReadOnlyList<CatchUp> Results
    {
        get
        {
            lock (_results)
                return [.. _results];
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        if (options.KillEverySeconds <= 0)
            return;
        // Alternate kinds: rdns, knot, rdns, knot... while both last.
        var rdns = edges.Where(e => e.Kind == EdgeKind.Rdns).ToList();
        var knot = edges.Where(e => e.Kind == EdgeKind.Knot).ToList();
        var order = new List<Edge>();
        for (int i = 0; i < Math.Max(rdns.Count, knot.Count); i++)
        {
            if (i < rdns.Count)
                order.Add(rdns[i]);
            if (i < knot.Count)
                order.Add(knot[i]);
        }
        var cycles = new List<Task>();
        int next = 0;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(options.KillEverySeconds), stop).ConfigureAwait(false);
                var edge = order[next++ % order.Count];
                if (!edge.Up)
                    continue;
                cycles.Add(CycleAsync(edge));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(cycles).ConfigureAwait(false);
    }

    private async Task CycleAsync(Edge edge)
    {
        var killed = Stopwatch.GetTimestamp();
        edge.Kill();
        Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss} killed {edge.Name} ({edge.Kind})");
        await Task.Delay(TimeSpan.FromSeconds(options.DownSeconds)).ConfigureAwait(false);
        var wanted = await Serials.OfAsync(primary.Dns, options.Zones).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        edge.Start(options, primary.Dns.Port);
        double firstAnswer = double.NaN;
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
        {
            if (await Dns.SerialAsync(edge.Dns, Primary.ZoneName(0), TimeSpan.FromMilliseconds(100)).ConfigureAwait(false) is not null)
            {
                firstAnswer = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                break;
            }
        }
        var (took, behind, still) = await Serials.ReachAsync(edge.Dns, wanted, exact: false, TimeSpan.FromSeconds(options.SettleSeconds), started).ConfigureAwait(false);
        // Propagation is measured again from here: a change made while it caught up counts in the catch-up.
        edge.Up = true;
        var result = new CatchUp(edge.Name, edge.Kind, Stopwatch.GetElapsedTime(killed, started).TotalSeconds, firstAnswer, took?.TotalMilliseconds, behind, still);
        Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss} {edge.Name} back: first answer {firstAnswer:F0} ms, {behind} zones behind, caught up in {took?.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) ?? "(not within the limit)"} ms");
        lock (_results)
            _results.Add(result);
    }
}
