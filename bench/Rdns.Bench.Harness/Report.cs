using System.Globalization;
using System.Text;
using Rdns.Bench.Data;

namespace Rdns.Bench.Harness;

/// <summary>The results as one table (text for the terminal, Markdown for the docs) plus details.</summary>
public static class Report
{
    private static readonly string[] Header =
    [
        "server", "import s", "first answer s", "start-to-serving s", "all zones s", "PSS MiB", "PSS/PTR B", "in use MiB", "in use/PTR B",
        "qps", "completed", "lost", "CPU µs/query", "mismatches",
    ];

    public static List<string[]> Rows(IReadOnlyList<ServerResult> results)
    {
        var rows = new List<string[]>();
        foreach (var r in results)
        {
            rows.Add(
            [
                r.Name, F(r.ImportSeconds, 1), F(r.FirstAnswerSeconds, 2), F(r.StartSeconds, 2), F(r.AllZonesSeconds, 2),
                F(r.PssAfterLoad / 1048576.0, 1), F(r.PssPerPtr, 0), F(r.PssInUse / 1048576.0, 1), F(r.PssInUsePerPtr, 0), F(r.Load?.QueriesPerSecond, 0),
                r.Load?.Completed.ToString(CultureInfo.InvariantCulture) ?? "–", r.Load?.Lost.ToString(CultureInfo.InvariantCulture) ?? "–",
                F(r.CpuMicrosPerQuery, 2),
                r.Mismatches is { } m ? $"{m} vs {r.MismatchReference}" : r.Error is null ? "–" : "failed",
            ]);
        }
        var rdns = results.FirstOrDefault(r => r.Name == "Rdns");
        var knot = results.FirstOrDefault(r => r.Name == "Knot");
        if (rdns is not null && knot is not null)
        {
            rows.Add(
            [
                "Rdns/Knot", "", Ratio(rdns.FirstAnswerSeconds, knot.FirstAnswerSeconds), Ratio(rdns.StartSeconds, knot.StartSeconds),
                Ratio(rdns.AllZonesSeconds, knot.AllZonesSeconds), Ratio(rdns.PssAfterLoad, knot.PssAfterLoad), Ratio(rdns.PssPerPtr, knot.PssPerPtr),
                Ratio(rdns.PssInUse, knot.PssInUse), Ratio(rdns.PssInUsePerPtr, knot.PssInUsePerPtr),
                Ratio(rdns.Load?.QueriesPerSecond, knot.Load?.QueriesPerSecond), "", "", Ratio(rdns.CpuMicrosPerQuery, knot.CpuMicrosPerQuery), "",
            ]);
        }
        // Observability's price: CPU per query with metrics and with dnstap, beside metrics off
        // (medians when a configuration ran more than once).
        double? Median(string n)
        {
            var v = results.Where(r => r.Name == n && r.CpuMicrosPerQuery is not null).Select(r => r.CpuMicrosPerQuery!.Value).Order().ToList();
            return v.Count == 0 ? null : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
        }
        if (Median("Rdns-nometrics") is { } off)
        {
            foreach (var on in (string[])["Rdns", "Rdns-dnstap"])
            {
                if (Median(on) is { } cpu)
                    rows.Add([$"{on}/Rdns-nometrics", "", "", "", "", "", "", "", "", "", Ratio(cpu, off), ""]);
            }
        }
        return rows;
    }

    public static string Text(IReadOnlyList<ServerResult> results)
    {
        var rows = Rows(results);
        var widths = Header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) => sb.AppendJoin("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).Append('\n');
        Line(Header);
        foreach (var row in rows)
            Line(row);
        return sb.ToString();
    }

    public static string Markdown(IReadOnlyList<ServerResult> results, DatasetManifest dataset, HarnessOptions options, IReadOnlyList<string> sample, string command)
    {
        var sb = new StringBuilder();
        sb.Append("# Side-by-side benchmark\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n");
        sb.Append(CultureInfo.InvariantCulture, $"- machine: {Machine()}\n");
        sb.Append(CultureInfo.InvariantCulture, $"- command: `{command}`\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"- dataset: shape {dataset.Shape}, seed {dataset.Seed}, {dataset.PtrRecords:N0} PTR ({dataset.Ipv4PtrRecords:N0} IPv4, {dataset.Ipv6PtrRecords:N0} IPv6), {dataset.CnameRecords:N0} RFC 2317 CNAMEs, " +
            $"{dataset.Zones:N0} zones ({dataset.Ipv4Zones:N0} IPv4, {dataset.ClasslessChildZones:N0} RFC 2317 children, {dataset.Ipv6Zones:N0} IPv6 /48)\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"- queries: {dataset.Queries:N0} ({dataset.NxdomainQueries:N0} NXDOMAIN, {dataset.CnameQueries:N0} through an RFC 2317 CNAME, {dataset.ChildQueries:N0} in a child, {dataset.Ipv6Queries:N0} IPv6)\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"- load: dnsperf -c {options.Clients} -T {options.Threads} -l {options.Seconds}{(options.DnsperfArguments.Count > 0 ? " " + string.Join(' ', options.DnsperfArguments) : "")} to 127.0.0.1\n");
        foreach (var r in results)
            sb.Append(CultureInfo.InvariantCulture, $"- {r.Name}: {r.Version ?? "?"}{(r.Error is null ? "" : $" — FAILED: {r.Error}")}\n");
        sb.Append('\n');
        sb.Append("| ").AppendJoin(" | ", Header).Append(" |\n");
        sb.Append('|').AppendJoin('|', Header.Select((_, i) => i == 0 ? "---" : "---:")).Append("|\n");
        foreach (var row in Rows(results))
            sb.Append("| ").AppendJoin(" | ", row).Append(" |\n");

        sb.Append('\n');
        foreach (var r in results)
        {
            if (r.Load is { } load)
                sb.Append(CultureInfo.InvariantCulture, $"- {r.Name} response codes: {load.ResponseCodes}; PSS after the load {r.PssAfterTraffic / 1048576.0:F1} MiB; server CPU {r.CpuSeconds:F2} s\n");
            if (r.StoreBytes is { } store)
                sb.Append(CultureInfo.InvariantCulture, $"- {r.Name} store on disk after import: {store / 1048576.0:F1} MiB\n");
        }

        var reference = results.FirstOrDefault(r => r.Name == "Knot" && r.Answers is not null) ?? results.FirstOrDefault(r => r.Answers is not null);
        foreach (var r in results)
        {
            if (r == reference || r.Answers is null || reference?.Answers is null)
                continue;
            var diff = AnswerComparison.Differences(r.Answers, reference.Answers);
            if (diff.Count == 0)
                continue;
            sb.Append(CultureInfo.InvariantCulture, $"\n## {r.Name} vs {reference.Name}: {diff.Count} of {sample.Count} answers differ (first 5)\n");
            foreach (int i in diff.Take(5))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\n`{sample[i]} PTR`\n\n```\n{r.Name}: {r.Answers[i]}\n{reference.Name}: {reference.Answers[i]}\n```\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>Fills in each server's mismatch count against Knot (or the first server that answered).</summary>
    public static void CountMismatches(IReadOnlyList<ServerResult> results)
    {
        var reference = results.FirstOrDefault(r => r.Name == "Knot" && r.Answers is not null) ?? results.FirstOrDefault(r => r.Answers is not null);
        if (reference?.Answers is null)
            return;
        foreach (var r in results)
        {
            if (r == reference || r.Answers is null)
                continue;
            r.Mismatches = AnswerComparison.Differences(r.Answers, reference.Answers).Count;
            r.MismatchReference = reference.Name;
        }
        reference.Mismatches = 0;
        reference.MismatchReference = "itself";
    }

    private static string Machine()
    {
        string cpu = "?";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
        }
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({cpu}), {memory / (1024.0 * 1024 * 1024):F0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
    }

    private static string F(double? value, int decimals) =>
        value is { } v ? v.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "–";

    private static string F(long? value, int decimals) => F((double?)value, decimals);

    private static string Ratio(double? a, double? b) =>
        a is { } x && b is { } y && y != 0 ? (x / y).ToString("0.00", CultureInfo.InvariantCulture) : "–";

    private static string Ratio(long? a, long? b) => Ratio((double?)a, (double?)b);
}
