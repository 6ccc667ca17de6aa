using System.Globalization;
using System.Text;

namespace Rdns.Bench.Fleet;

/// <summary>What a run measured, rendered as Markdown for docs/BENCHMARKS.md.</summary>
internal sealed class FleetReport(FleetOptions options, IReadOnlyList<Edge> edges)
{
    public string LoadBefore { get; set; } = "";
    public string LoadStart { get; set; } = "";
    public string LoadEnd { get; set; } = "";
    public double CreateSeconds { get; set; }
    public double InitialSyncSeconds { get; set; }
    public int InitialBehind { get; set; }
    public double InitialCpu { get; set; }
    public double InitialBytes { get; set; }
    public double PrimaryCpuStart { get; set; }
    public double PrimaryCpuAtEnd { get; set; }
    public double PrimaryCpuConverged { get; set; }
    public Dictionary<string, double> EdgeCpuStart { get; set; } = [];
    public Dictionary<string, double> EdgeCpuEnd { get; set; } = [];
    public double BytesStart { get; set; }
    public double BytesEnd { get; set; }
    public double TransfersStart { get; set; }
    public double TransfersEnd { get; set; }
    public double NotifyAckedStart { get; set; }
    public double NotifyAckedEnd { get; set; }
    public double NotifyFailedStart { get; set; }
    public double NotifyFailedEnd { get; set; }
    public double ConvergeSeconds { get; set; }
    public int ConvergeBehind { get; set; }
    public ChangeDriver Driver { get; set; } = null!;
    public Latencies Latencies { get; set; } = null!;
    public IReadOnlyList<CatchUp> CatchUps { get; set; } = [];
    public Verifier.Outcome Verify { get; set; } = null!;

    private static string F(double v, int digits = 1) => double.IsNaN(v) ? "-" : double.IsPositiveInfinity(v) ? "∞" : v.ToString("N" + digits, CultureInfo.InvariantCulture);

    public string Render()
    {
        var s = new StringBuilder();
        long changes = Driver.Acked;
        int rdns = edges.Count(e => e.Kind == EdgeKind.Rdns), knot = edges.Count - rdns;
        s.Append(CultureInfo.InvariantCulture, $"Fleet: 1 Rdns primary (SQLite), {rdns} Rdns edges, {knot} knotd edges; {options.Zones:N0} zones with {options.SeedPtrs} PTRs each; ");
        s.Append(CultureInfo.InvariantCulture, $"{options.Rate:N0} changes/s asked for {options.Seconds} s (PUT /v1/ptr, {options.InFlight} in flight at most); an edge SIGKILLed every {options.KillEverySeconds} s, down {options.DownSeconds} s.\n");
        s.Append(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores; load average before {LoadBefore.Split(' ')[0]}, at the change phase {LoadStart.Split(' ')[0]}, at the end {LoadEnd.Split(' ')[0]}.\n\n");
        s.Append("| figure | value |\n|---|---|\n");
        s.Append(CultureInfo.InvariantCulture, $"| zones created and seeded (API) | {F(CreateSeconds)} s |\n");
        s.Append(CultureInfo.InvariantCulture, $"| initial sync of every edge (catalog + AXFR of every zone) | {F(InitialSyncSeconds)} s; primary CPU {F(InitialCpu)} s; {F(InitialBytes / 1e6)} MB transferred |\n");
        s.Append(CultureInfo.InvariantCulture, $"| changes acknowledged | {changes:N0} in {F(Driver.Elapsed.TotalSeconds)} s = **{F(changes / Driver.Elapsed.TotalSeconds, 0)}/s** ({Driver.Failed} failed) |\n");
        var acks = Driver.AckTimes;
        s.Append(CultureInfo.InvariantCulture, $"| API acknowledgement | p50 {F(Latencies.Percentile(acks, 0.5))} ms, p99 {F(Latencies.Percentile(acks, 0.99))} ms |\n");
        foreach (var (label, names) in new[]
                 {
                     ("propagation to the Rdns edges", edges.Where(e => e.Kind == EdgeKind.Rdns).Select(e => e.Name)),
                     ("propagation to the knotd edges", edges.Where(e => e.Kind == EdgeKind.Knot).Select(e => e.Name)),
                     ("propagation to every edge", edges.Select(e => e.Name)),
                 })
        {
            var list = Latencies.Of(names);
            int missed = names.Sum(Latencies.MissedAt);
            if (list.Count == 0 && missed == 0)
                continue;
            s.Append(CultureInfo.InvariantCulture, $"| {label} (ack → edge answers the new PTR) | **p50 {F(Latencies.Percentile(list, 0.5), 0)} ms, p99 {F(Latencies.Percentile(list, 0.99), 0)} ms**, max {F(list.DefaultIfEmpty(double.NaN).Max(), 0)} ms; {list.Count:N0} measured, {missed} not within {options.ProbeLimitSeconds} s |\n");
        }
        var self = Latencies.Of(Prober.PrimaryName);
        s.Append(CultureInfo.InvariantCulture, $"| the primary itself answers the change | p50 {F(Latencies.Percentile(self, 0.5), 0)} ms, p99 {F(Latencies.Percentile(self, 0.99), 0)} ms ({Driver.Probed} changes probed; {Latencies.Voided} measurements voided by a kill) |\n");
        double bytes = BytesEnd - BytesStart, transfers = TransfersEnd - TransfersStart;
        s.Append(CultureInfo.InvariantCulture, $"| bytes transferred per change (primary's `rdns_transfers_sent_bytes_total`, all edges, restarts included) | {F(bytes / changes, 0)} B ({F(bytes / changes / edges.Count, 0)} B per edge); {F(transfers / changes, 1)} transfers per change |\n");
        double acked = NotifyAckedEnd - NotifyAckedStart, unanswered = NotifyFailedEnd - NotifyFailedStart;
        s.Append(CultureInfo.InvariantCulture, $"| NOTIFYs acknowledged per change (all edges) / tries unanswered or refused | {F(acked / changes, 1)} / {unanswered:N0} in all |\n");
        s.Append(CultureInfo.InvariantCulture, $"| primary CPU per change (utime+stime, change phase until the edges converged) | **{F((PrimaryCpuConverged - PrimaryCpuStart) * 1000 / changes, 2)} ms** ({F(PrimaryCpuConverged - PrimaryCpuStart)} s; {F(PrimaryCpuAtEnd - PrimaryCpuStart)} s of it while changes came) |\n");
        foreach (var kind in new[] { EdgeKind.Rdns, EdgeKind.Knot })
        {
            var names = edges.Where(e => e.Kind == kind).Select(e => e.Name).ToList();
            if (names.Count == 0)
                continue;
            double cpu = names.Sum(n => EdgeCpuEnd.GetValueOrDefault(n) - EdgeCpuStart.GetValueOrDefault(n));
            s.Append(CultureInfo.InvariantCulture, $"| CPU per change of one {kind} edge | {F(cpu * 1000 / changes / names.Count, 2)} ms |\n");
        }
        s.Append(CultureInfo.InvariantCulture, $"| every edge at the primary's serials after the last change | {F(ConvergeSeconds)} s ({ConvergeBehind} zone copies still behind) |\n");
        s.Append(CultureInfo.InvariantCulture, $"| AXFR digests compared (zones × edges) | {Verify.Compared:N0}, **{Verify.Mismatches} differ** ({F(Verify.Took.TotalSeconds)} s) |\n");
        if (CatchUps.Count > 0)
        {
            s.Append("\nRestarts (SIGKILL, then started on the same folder; catch-up: every zone at least at the serial the primary had at the start):\n\n");
            s.Append("| edge | down | first answer | zones behind | caught up |\n|---|---|---|---|---|\n");
            foreach (var c in CatchUps)
                s.Append(CultureInfo.InvariantCulture, $"| {c.Edge} | {F(c.DownSeconds)} s | {F(c.FirstAnswerMs, 0)} ms | {c.ZonesBehind} | {(c.CatchUpMs is { } ms ? F(ms, 0) + " ms" : $"not in {options.SettleSeconds} s ({c.StillBehind} left)")} |\n");
        }
        s.Append("\nPer edge (propagation p50 / p99 / measured / missed):");
        foreach (var e in edges)
        {
            var list = Latencies.Of(e.Name);
            s.Append(CultureInfo.InvariantCulture, $" {e.Name} {F(Latencies.Percentile(list, 0.5), 0)}/{F(Latencies.Percentile(list, 0.99), 0)}/{list.Count}/{Latencies.MissedAt(e.Name)};");
        }
        s.Append('\n');
        foreach (var example in Verify.Examples)
            s.Append(CultureInfo.InvariantCulture, $"\n- differs: {example}");
        return s.ToString();
    }
}
