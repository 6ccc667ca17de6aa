using System.Globalization;
using System.Text;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Synthesis;

namespace Rdns.Bench.Micro;

/// <summary>
/// Zones shaped like the side-by-side dataset, small enough to build in seconds: 1,024 IPv4 /24
/// zones with PTRs for .1–.254 except .200–.209 (left empty for misses), one /24 with no PTRs
/// whose addresses a default-name pool covers, and one IPv6 /48 with sparse PTRs. Every query the
/// benchmarks send is built here once.
/// </summary>
public sealed class HotPathData
{
    public const int Ipv4Zones = 1024;
    private const string Apex = "@\tSOA\tns1.dns.example.net. hostmaster.dns.example.net. 2026010101 7200 3600 1209600 3600\n@\tNS\tns1.dns.example.net.\n@\tNS\tns2.dns.example.net.\n";

    public HotPathData()
    {
        var zones = new List<ZoneSnapshot>(Ipv4Zones + 2);
        for (int i = 0; i < Ipv4Zones; i++)
            zones.Add(Ipv4Zone(i));
        zones.Add(Build("0.0.100.in-addr.arpa.", ""));
        zones.Add(Ipv6Zone());
        var pool = DefaultNamePool.TryCreate(IpPrefix.Parse("100.0.0.0/24"), "ip-{ip}.pool.example.net.", 3600, out var p, out var error)
            ? p : throw new InvalidOperationException(error);
        Zones = ZoneSet.From(zones, new DefaultNames([pool]));
        Served = new ServedZones();
        Served.Replace(Zones);

        // Hits and misses in the middle of the zone list, as a uniform draw would find them.
        Hit = Query("77.3.2.20.in-addr.arpa.");
        Miss = Query("205.3.2.20.in-addr.arpa.");
        Synthesized = Query("42.0.0.100.in-addr.arpa.");
        Ipv6Hit = Query(Ipv6Owner(7));
        HitName = Hit.AsSpan(DnsHeader.Size, DnsName.Parse("77.3.2.20.in-addr.arpa.").Length).ToArray();

        // Hits spread over every zone in a fixed pseudo-random order, so consecutive queries touch
        // different zones and nodes, as real traffic does: the lookup then waits on memory.
        var spread = new byte[SpreadCount][];
        ulong state = 1;
        for (int i = 0; i < spread.Length; i++)
        {
            state = state * 6364136223846793005UL + 1442695040888963407UL;
            int zone = (int)((state >> 33) % Ipv4Zones);
            int octet = 1 + (int)((state >> 20) % 199);
            spread[i] = Query(string.Create(CultureInfo.InvariantCulture, $"{octet}.{zone & 0xff}.{zone >> 8}.20.in-addr.arpa."));
        }
        SpreadHits = spread;
    }

    public const int SpreadCount = 1 << 16;

    /// <summary>65,536 queries for existing PTRs across all 1,024 IPv4 zones (octets .1–.199).</summary>
    public byte[][] SpreadHits { get; }

    public ZoneSet Zones { get; }

    public ServedZones Served { get; }

    /// <summary>A query for an existing PTR (no EDNS, as dnsperf sends by default).</summary>
    public byte[] Hit { get; }

    /// <summary>A query for an address in a hosted zone without a PTR: NXDOMAIN.</summary>
    public byte[] Miss { get; }

    /// <summary>A query for a pool address without a PTR of its own: the default name, synthesized.</summary>
    public byte[] Synthesized { get; }

    public byte[] Ipv6Hit { get; }

    /// <summary>The question name of <see cref="Hit"/> in wire form.</summary>
    public byte[] HitName { get; }

    private static byte[] Query(string name) =>
        DnsMessage.Query(DnsName.Parse(name), RecordType.PTR, id: 0x1234).ToWire(512);

    // 20.2.{0..3}.x, 20.3.x, …: the i-th /24 under 20.0.0.0/14.
    private static ZoneSnapshot Ipv4Zone(int i)
    {
        string origin = string.Create(CultureInfo.InvariantCulture, $"{i & 0xff}.{i >> 8}.20.in-addr.arpa.");
        var sb = new StringBuilder(16 * 1024);
        for (int octet = 1; octet <= 254; octet++)
        {
            if (octet is >= 200 and < 210)
                continue;
            sb.Append(CultureInfo.InvariantCulture, $"{octet}\tPTR\thost-{i * 256 + octet}.cust{i % 97}.example.net.\n");
        }
        return Build(origin, sb.ToString());
    }

    private const string Ipv6Origin = "8.b.d.0.1.0.0.2.ip6.arpa.";

    private static string Ipv6Owner(int n) =>
        string.Join('.', $"{n:x20}".Reverse()) + "." + "0.0.0.0." + Ipv6Origin;

    private static ZoneSnapshot Ipv6Zone()
    {
        var sb = new StringBuilder();
        for (int n = 1; n <= 4096; n++)
            sb.Append(CultureInfo.InvariantCulture, $"{Ipv6Owner(n)}\tPTR\thost-{n}.v6.example.net.\n");
        return Build("0.0.0.0." + Ipv6Origin, sb.ToString());
    }

    private static ZoneSnapshot Build(string origin, string body)
    {
        var name = DnsName.Parse(origin);
        var records = ZoneFileReader.ReadText($"$ORIGIN {origin}\n$TTL 3600\n{Apex}{body}", new ZoneFileOptions { Origin = name });
        return ZoneSnapshot.Build(name, records);
    }
}
