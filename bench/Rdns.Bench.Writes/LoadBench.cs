using System.Diagnostics;

namespace Rdns.Bench.Writes;

/// <summary>
/// Concurrent clients (32 by default) changing PTRs as fast as they are acknowledged for a fixed
/// time: acknowledged changes per second (group commit at work), and how long after each ack the
/// DNS listener answers the new name (the first query should already see it).
/// </summary>
internal static class LoadBench
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var data = Path.Combine(options.Work, "load-data");
        if (Directory.Exists(data))
            Directory.Delete(data, recursive: true);
        await using var server = await ServerProcess.StartAsync(options, data);
        await server.CreateZoneAsync("10.99.0.0/16");
        var visible = new List<double>();
        var api = new List<double>();
        long acked = 0, errors = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
        var clock = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, options.Clients).Select(client => Task.Run(async () =>
        {
            using var udp = ServerProcess.Udp();
            var mine = new List<(double Api, double Visible)>();
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string ip = $"10.99.{client}.{i % 250 + 1}";
                string target = $"c{client}-{i}.example.net.";
                var call = Stopwatch.StartNew();
                try
                {
                    await server.PutPtrAsync(ip, target);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }
                double apiMs = call.Elapsed.TotalMilliseconds;
                Interlocked.Increment(ref acked);
                var seen = server.WaitForPtr(udp, ip, target, TimeSpan.FromSeconds(5));
                mine.Add((apiMs, seen.TotalMilliseconds));
            }
            lock (visible)
            {
                api.AddRange(mine.Select(m => m.Api));
                visible.AddRange(mine.Select(m => m.Visible));
            }
        })).ToList();
        await Task.WhenAll(clients);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"store: {(options.Store is null ? "SQLite" : "PostgreSQL")}, clients: {options.Clients}, {seconds:F1} s");
        Console.WriteLine($"acknowledged changes: {acked} ({acked / seconds:F0}/s), errors: {errors}");
        Console.WriteLine($"PUT /v1/ptr acknowledged: p50 {Percentiles.Of(api, 0.5):F2} ms, p99 {Percentiles.Of(api, 0.99):F2} ms");
        Console.WriteLine($"ack -> DNS answers the change: p50 {Percentiles.Of(visible, 0.5):F3} ms, p99 {Percentiles.Of(visible, 0.99):F3} ms, max {visible.DefaultIfEmpty().Max():F3} ms");
        return errors == 0 ? 0 : 1;
    }
}
