using System.Diagnostics;

namespace Rdns.Bench.Writes;

/// <summary>
/// Two nodes on one PostgreSQL; 1,000 PUTs sent at once, alternating between them: every one must
/// be acknowledged (no 5xx from a conflict), and each change must be answered by both nodes'
/// DNS, measured from its acknowledgement.
/// </summary>
internal static class TwoNodeBench
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        if (options.Store is null)
        {
            Console.Error.WriteLine("two-nodes needs --store with a PostgreSQL connection string (an empty database)");
            return 2;
        }
        var dataA = Path.Combine(options.Work, "two-a");
        var dataB = Path.Combine(options.Work, "two-b");
        foreach (var d in new[] { dataA, dataB })
        {
            if (Directory.Exists(d))
                Directory.Delete(d, recursive: true);
        }
        await using var a = await ServerProcess.StartAsync(options, dataA);
        await using var b = await ServerProcess.StartSecondAsync(options, dataB, a);
        await a.CreateZoneAsync("10.98.0.0/16");
        // The zone reaches the other node by the store's notification.
        using (var udp = ServerProcess.Udp())
        {
            await a.PutPtrAsync("10.98.255.1", "ready.example.net.");
            if (b.WaitForPtr(udp, "10.98.255.1", "ready.example.net.", TimeSpan.FromSeconds(30)) == TimeSpan.MaxValue)
                throw new InvalidOperationException("the second node never saw the zone");
        }
        int errors = 0;
        var both = new List<double>();
        int late = 0;
        var missed = new List<(string Ip, string Target, bool MissingAtA, bool MissingAtB, string WrittenAt)>();
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, options.Changes).Select(i => Task.Run(async () =>
        {
            var node = i % 2 == 0 ? a : b;
            string ip = $"10.98.{i / 250}.{i % 250 + 1}";
            string target = $"n{i}.example.net.";
            try
            {
                await node.PutPtrAsync(ip, target);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(e.Message);
                Interlocked.Increment(ref errors);
                return;
            }
            using var udp = ServerProcess.Udp();
            var atA = a.WaitForPtr(udp, ip, target, TimeSpan.FromSeconds(5));
            var atB = b.WaitForPtr(udp, ip, target, TimeSpan.FromSeconds(5));
            var worst = atA > atB ? atA : atB;
            if (worst == TimeSpan.MaxValue)
                lock (missed)
                    missed.Add((ip, target, atA == TimeSpan.MaxValue, atB == TimeSpan.MaxValue, i % 2 == 0 ? "a" : "b"));
            lock (both)
            {
                both.Add(worst == TimeSpan.MaxValue ? double.PositiveInfinity : worst.TotalMilliseconds);
                if (worst > TimeSpan.FromSeconds(1))
                    late++;
            }
        })).ToList();
        await Task.WhenAll(tasks);
        using (var udp = ServerProcess.Udp())
        {
            foreach (var m in missed.Take(10))
            {
                bool nowA = a.WaitForPtr(udp, m.Ip, m.Target, TimeSpan.FromMilliseconds(300)) != TimeSpan.MaxValue;
                bool nowB = b.WaitForPtr(udp, m.Ip, m.Target, TimeSpan.FromMilliseconds(300)) != TimeSpan.MaxValue;
                Console.WriteLine($"  not answered within 5 s: {m.Ip} -> {m.Target} (written at node {m.WrittenAt}; missing at A {m.MissingAtA}, at B {m.MissingAtB}; after the run: A {nowA}, B {nowB})");
            }
        }
        Console.WriteLine($"{options.Changes} concurrent PUTs alternating between two nodes on one PostgreSQL in {clock.Elapsed.TotalSeconds:F1} s: {errors} errors");
        Console.WriteLine($"both nodes answer each change after its ack: p50 {Percentiles.Of(both, 0.5):F1} ms, p99 {Percentiles.Of(both, 0.99):F1} ms, max {both.DefaultIfEmpty().Max():F1} ms; later than 1 s: {late}");
        return errors == 0 && late == 0 ? 0 : 1;
    }
}
