using System.Diagnostics;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Bench.Micro;

/// <summary>
/// How long one pass that makes new small zones rows takes (<see cref="ZoneSet.WithRows"/>): a set
/// of ZONES zones of two PTRs as rows, plus an eighth as many new ones published as snapshots (what
/// makes a pass due). Until a pass ran outside the served set's write lock, every commit waited
/// this long (docs/BENCHMARKS.md, "The import of a million small zone files").
///
///   dotnet run -c Release --project bench/Rdns.Bench.Micro -- rows-pass [--zones 1000000] [--rounds 3]
/// </summary>
public static class RowsPass
{
    public static int Run(string[] args)
    {
        int count = Args.Option(args, "--zones", 1_000_000);
        int rounds = Args.Option(args, "--rounds", 3);
        var set = ZoneSet.From(Enumerable.Range(0, count).Select(Zone)).With(Enumerable.Range(count, count / 8).Select(Zone).ToList(), []);
        Console.WriteLine($"{set.RowCount} zones as rows, {set.Count - set.RowCount} new; a pass due: {set.RowsDue}");
        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var made = set.WithRows();
            Console.WriteLine($"pass {round + 1}: {clock.Elapsed.TotalMilliseconds:F0} ms, {made.RowCount} rows");
        }
        return 0;
    }

    /// <summary>The i-th /24 reverse zone: SOA, NS and two PTRs.</summary>
    private static ZoneSnapshot Zone(int i)
    {
        var origin = DnsName.Parse($"{i & 255}.{(i >> 8) & 255}.{10 + (i >> 16)}.in-addr.arpa.");
        return ZoneSnapshot.Build(origin,
        [
            new(origin, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 3600, 600, 1209600, 300)),
            new(origin, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
            new(DnsName.Parse($"1.{origin}"), RecordType.PTR, 3600, DnsName.Parse($"a{i}.example.com.").Wire.ToArray()),
            new(DnsName.Parse($"2.{origin}"), RecordType.PTR, 3600, DnsName.Parse($"b{i}.example.com.").Wire.ToArray()),
        ]);
    }
}
