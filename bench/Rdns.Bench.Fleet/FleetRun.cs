using System.Diagnostics;

namespace Rdns.Bench.Fleet;

/// <summary>The simulation from start to end; every process it started is killed on the way out, whatever happens.</summary>
internal static class FleetRun
{
    public static async Task<int> RunAsync(FleetOptions options)
    {
        if (Directory.Exists(options.Work))
            Directory.Delete(options.Work, recursive: true);
        Directory.CreateDirectory(options.Work);
        var edges = new List<Edge>();
        int knots = options.KnotCount;
        for (int i = 0; i < options.Edges; i++)
        {
            // Knot edges spread through the list: edge 4, 8, ... with the default quarter.
            bool knot = knots > 0 && (i + 1) % Math.Max(1, options.Edges / knots) == 0 && edges.Count(e => e.Kind == EdgeKind.Knot) < knots;
            var kind = knot ? EdgeKind.Knot : EdgeKind.Rdns;
            var name = $"{(knot ? "knot" : "rdns")}-{i + 1:D2}";
            edges.Add(new Edge(name, kind, Path.Combine(options.Work, name), Dns.FreePort(), Dns.FreePort()));
        }
        Primary? primary = null;
        var report = new FleetReport(options, edges);
        // Stopped from outside (SIGTERM, a timeout): no server of the fleet outlives the harness.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var e in edges)
                e.Dispose();
            primary?.Dispose();
        };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            report.LoadBefore = Load();
            primary = await Primary.StartAsync(options, edges);
            await File.WriteAllTextAsync(Path.Combine(options.Work, "primary.pid"), primary.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Console.WriteLine($"primary pid {primary.Pid} on {primary.Dns}; {edges.Count(e => e.Kind == EdgeKind.Rdns)} Rdns edges, {edges.Count(e => e.Kind == EdgeKind.Knot)} knotd edges");
            var clock = Stopwatch.StartNew();
            await primary.CreateZonesAsync(options);
            report.CreateSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{options.Zones} zones with {options.SeedPtrs} PTRs each created in {report.CreateSeconds:F1} s");

            // Initial sync: every edge starts empty and takes the catalog and every zone.
            var cpu0 = primary.CpuSeconds();
            var bytes0 = await primary.MetricAsync("rdns_transfers_sent_bytes_total");
            var wanted = await Serials.OfAsync(primary.Dns, options.Zones);
            var started = Stopwatch.GetTimestamp();
            foreach (var e in edges)
                e.Start(options, primary.Dns.Port);
            var syncs = await Task.WhenAll(edges.Select(async e =>
            {
                var r = await Serials.ReachAsync(e.Dns, wanted, exact: true, TimeSpan.FromSeconds(options.SettleSeconds), started);
                e.Up = true;
                return r;
            }));
            report.InitialSyncSeconds = syncs.Max(s => s.Took?.TotalSeconds ?? double.PositiveInfinity);
            report.InitialBehind = syncs.Sum(s => s.BehindAtEnd);
            report.InitialCpu = primary.CpuSeconds() - cpu0;
            report.InitialBytes = await primary.MetricAsync("rdns_transfers_sent_bytes_total") - bytes0;
            Console.WriteLine($"initial sync of {edges.Count} edges: {report.InitialSyncSeconds:F1} s ({report.InitialBehind} zone copies behind at the limit)");

            // The change phase, with kills.
            var latencies = new Latencies();
            var driver = new ChangeDriver(primary, new Prober(edges, primary, latencies, options), options);
            var killer = new Killer(edges, primary, options);
            report.PrimaryCpuStart = primary.CpuSeconds();
            report.EdgeCpuStart = edges.ToDictionary(e => e.Name, e => e.CpuSeconds);
            report.BytesStart = await primary.MetricAsync("rdns_transfers_sent_bytes_total");
            report.TransfersStart = await primary.MetricAsync("rdns_transfers_sent_total");
            report.NotifyAckedStart = await primary.MetricAsync("rdns_secondary_notify_acknowledged_total");
            report.NotifyFailedStart = await primary.MetricAsync("rdns_secondary_notify_failures_total");
            report.LoadStart = Load();
            using var killing = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var kills = killer.RunAsync(killing.Token);
            Console.WriteLine($"changes: {options.Rate}/s for {options.Seconds} s, an edge killed every {options.KillEverySeconds} s");
            await driver.RunAsync(stop.Token);
            await killing.CancelAsync();
            report.PrimaryCpuAtEnd = primary.CpuSeconds();
            Console.WriteLine($"{driver.Acked} changes acknowledged in {driver.Elapsed.TotalSeconds:F1} s ({driver.Failed} failed); waiting for the probes and restarts");
            await kills;
            await driver.ProbesDoneAsync();

            // Convergence: the primary no longer changes; every edge must reach its serials exactly.
            var final = await Serials.OfAsync(primary.Dns, options.Zones);
            var settled = Stopwatch.GetTimestamp();
            var converge = await Task.WhenAll(edges.Select(e => Serials.ReachAsync(e.Dns, final, exact: true, TimeSpan.FromSeconds(options.SettleSeconds), settled)));
            report.ConvergeSeconds = converge.Max(s => s.Took?.TotalSeconds ?? double.PositiveInfinity);
            report.ConvergeBehind = converge.Sum(s => s.BehindAtEnd);
            report.PrimaryCpuConverged = primary.CpuSeconds();
            report.EdgeCpuEnd = edges.ToDictionary(e => e.Name, e => e.CpuSeconds);
            report.BytesEnd = await primary.MetricAsync("rdns_transfers_sent_bytes_total");
            report.TransfersEnd = await primary.MetricAsync("rdns_transfers_sent_total");
            report.NotifyAckedEnd = await primary.MetricAsync("rdns_secondary_notify_acknowledged_total");
            report.NotifyFailedEnd = await primary.MetricAsync("rdns_secondary_notify_failures_total");
            report.LoadEnd = Load();
            report.Driver = driver;
            report.Latencies = latencies;
            report.CatchUps = killer.Results;
            Console.WriteLine($"edges converged {report.ConvergeSeconds:F1} s after the last change ({report.ConvergeBehind} zone copies still behind); comparing AXFR digests");
            report.Verify = await Verifier.CompareAsync(primary, edges, options);
            var text = report.Render();
            Console.WriteLine();
            Console.WriteLine(text);
            var results = Path.Combine(Path.GetDirectoryName(options.Work) ?? ".", $"fleet-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
            await File.WriteAllTextAsync(results, text);
            await File.WriteAllLinesAsync(Path.ChangeExtension(results, ".csv"), ["edge,ack_s,ms", .. latencies.Raw]);
            Console.WriteLine($"written to {results} (each propagation time in {Path.ChangeExtension(results, ".csv")})");
            return report.Verify.Mismatches == 0 && report.ConvergeBehind == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var e in edges)
                e.Dispose();
            primary?.Dispose();
            if (!options.Keep)
            {
                try
                {
                    Directory.Delete(options.Work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Trim();
}
