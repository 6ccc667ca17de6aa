using System.Diagnostics;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Bench.Writes;

/// <summary>
/// The in-memory part of a change alone: plan a PTR replacement, apply it to the zone, publish
/// the zone set — for a 256-record zone in a one-zone store, a 1,000,000-record zone, and a
/// 256-record zone in a store of 40,000 zones. Equal figures mean the cost follows the change.
/// </summary>
internal static class ApplyBench
{
    private const int Changes = 5000;

    public static int Run()
    {
        // A first round only to let the JIT settle (tiered compilation), so (a) is not measured cold.
        Case("warm-up", [Zone("2.0.192.in-addr.arpa.", 256)], "2.0.192.in-addr.arpa.");
        var small = Case("(a) 256-record zone, 1 zone", [Zone("2.0.192.in-addr.arpa.", 256)], "2.0.192.in-addr.arpa.");
        var large = Case("(b) 1,000,000-record zone", [Zone("10.in-addr.arpa.", 1_000_000)], "10.in-addr.arpa.");
        var many = Case("(c) 256-record zone among 40,000 zones",
            Enumerable.Range(0, 40_000).Select(i => Zone($"{i & 255}.{(i >> 8) & 255}.100.in-addr.arpa.", i == 0 ? 256 : 4)).ToList(), "0.0.100.in-addr.arpa.");
        Console.WriteLine($"ratios: (b)/(a) {large / small:F2}, (c)/(a) {many / small:F2}");
        return 0;
    }

    private static ZoneSnapshot Zone(string origin, int ptrs)
    {
        var name = DnsName.Parse(origin);
        var builder = new ZoneSnapshotBuilder(name);
        builder.Add(new ResourceRecord(name, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 7200, 900, 1209600, 300)));
        builder.Add(new ResourceRecord(name, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()));
        Span<byte> owner = stackalloc byte[DnsName.MaxLength];
        for (int i = 0; i < ptrs; i++)
        {
            var host = DnsName.Parse(Labels(origin, i) + origin);
            builder.Add(host.Wire, RecordType.PTR, RecordClass.IN, 3600, DnsName.Parse($"h{i}.example.net.").Wire);
        }
        return builder.Build();
    }

    /// <summary>The address labels of host <paramref name="i"/> below a zone of one, two or three labels above in-addr.arpa.</summary>
    private static string Labels(string origin, int i) => origin.Count(c => c == '.') switch
    {
        5 => $"{i & 255}.",
        4 => $"{i & 255}.{(i >> 8) & 255}.",
        _ => $"{i & 255}.{(i >> 8) & 255}.{(i >> 16) & 255}.",
    };

    private static double Case(string title, IReadOnlyList<ZoneSnapshot> zones, string target)
    {
        var served = new ServedZones();
        served.Replace(ZoneSet.From(zones));
        var origin = DnsName.Parse(target);
        var times = new List<double>(Changes);
        for (int i = 0; i < Changes + 500; i++)
        {
            var zone = served.Current.Get(origin)!;
            var edit = new RRsetChange(DnsName.Parse(Labels(target, (i * 7) & 255) + target), RecordType.PTR, 3600, [DnsName.Parse($"c{i}.example.net.").Wire.ToArray()]);
            long start = Stopwatch.GetTimestamp();
            var planned = ZoneChangePlanner.Plan(zone, [edit])!.Value;
            served.Publish([planned.Snapshot], []);
            double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (i >= 500)
                times.Add(us);
        }
        double p50 = Percentiles.Of(times, 0.5);
        Console.WriteLine($"{title}: apply+publish p50 {p50:F1} µs, p99 {Percentiles.Of(times, 0.99):F1} µs");
        return p50;
    }
}
