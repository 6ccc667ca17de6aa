using System.Text;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Tsig;
using Rdns.Zones;
using Rdns.Zones.Synthesis;

namespace Rdns.Fuzz;

/// <summary>
/// The zones the packet target answers from: small, but with every shape the answer code
/// branches on (compact PTR table, CNAME chains and loops, RFC 2317 children hosted and
/// delegated, glue, wildcards, empty non-terminals, RRsets too big for 512 octets, a default-name
/// pool and its forward zone, IPv6, and a changeset in memory for IXFR).
/// </summary>
internal static class FuzzZones
{
    /// <summary>The clock of every TSIG check: fixed, so an input always takes the same path.</summary>
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);

    /// <summary>Keys named in the seeds; their secrets are test values, published on purpose.</summary>
    public static TsigKeyRing Keys { get; } = new(
        new TsigKey(DnsName.Parse("xfr.key."), TsigAlgorithm.HmacSha256, Encoding.ASCII.GetBytes("rdns-fuzz-hmac-sha256-secret-32o")),
        new TsigKey(DnsName.Parse("sha1.key."), TsigAlgorithm.HmacSha1, Encoding.ASCII.GetBytes("rdns-fuzz-sha1-secret")),
        new TsigKey(DnsName.Parse("sha512.key."), TsigAlgorithm.HmacSha512, Encoding.ASCII.GetBytes("rdns-fuzz-hmac-sha512-secret-is-64-octets-long-0123456789abcdef")));

    public static ZoneSet Build()
    {
        var v4 = Zone("2.0.192.in-addr.arpa.", """
            @	SOA	ns1.example.net. hostmaster.example.net. 2024010101 7200 3600 1209600 300
            @	NS	ns1.example.net.
            @	NS	ns2.example.net.
            1	PTR	gw.example.net.
            2	PTR	Mail.Example.NET.
            4	PTR	host4.example.net.
            4	PTR	alias4.example.net.
            5	PTR	www.example.test.
            20	CNAME	21
            21	CNAME	22
            22	CNAME	1
            23	CNAME	gw.example.test.
            30	CNAME	31
            31	CNAME	30
            32	CNAME	32
            40	TXT	"no PTR here"
            40	TYPE65280	\# 4 0A0B0C0D
            64-27	NS	ns1.64-27
            ns1.64-27	A	192.0.2.65
            ns1.64-27	AAAA	2001:db8::65
            64	CNAME	64.64-27
            65	CNAME	65.64-27
            128-26	NS	ns1.example.net.
            128	CNAME	128.128-26.2.0.192.in-addr.arpa.
            129	CNAME	129.128-26.2.0.192.in-addr.arpa.
            a.b.c	PTR	deep.example.net.
            """ + Many("250", "PTR", i => $"a-very-long-host-name-number-{i:D3}-of-a-large-set.example.net.", 24));
        // A changeset in memory, so IXFR has increments to send (RFC 1995 §4), larger than a
        // UDP answer may be, so IXFR over UDP must fall back to the SOA alone.
        var added = Enumerable.Range(160, 30).Select(i => Record(v4.Origin, $"{i}", "PTR", $"added-in-an-increment-host-{i}.customers.example.net.")).ToList();
        var next = v4.Apply(new Changeset(2024010101, 2024010102,
            [Soa(v4.Origin, 2024010101), Record(v4.Origin, "4", "PTR", "alias4.example.net.")],
            [Soa(v4.Origin, 2024010102), .. added]));

        var child = Zone("128-26.2.0.192.in-addr.arpa.", """
            @	SOA	ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300
            @	NS	ns1.example.net.
            128	PTR	first.child.example.
            129	PTR	second.child.example.
            """);
        var wild = Zone("100.51.198.in-addr.arpa.", """
            @	SOA	ns1.example.net. hostmaster.example.net. 7 7200 3600 1209600 300
            @	NS	ns1.example.net.
            *	PTR	wildcard.example.net.
            7	PTR	seven.example.net.
            *.sub	TXT	"wild below an empty non-terminal"
            x.sub	CNAME	*.sub
            """);
        var v6 = Zone("8.b.d.0.1.0.0.2.ip6.arpa.", """
            @	SOA	ns1.example.net. hostmaster.example.net. 3 7200 3600 1209600 300
            @	NS	ns1.example.net.
            1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0	PTR	v6-one.example.net.
            5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0	PTR	v6-mail.example.net.
            0.0.0.1	NS	ns.delegated.example.
            """);
        var pool = Zone("0.0.100.in-addr.arpa.", """
            @	SOA	ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300
            @	NS	ns1.example.net.
            9	PTR	own-name.example.net.
            """);
        var forward = Zone("example.test.", """
            @	SOA	ns1 hostmaster 2024010101 7200 3600 1209600 3600
            @	NS	ns1
            @	MX	10 mail
            ns1	A	192.0.2.53
            ns1	AAAA	2001:db8::53
            mail	A	192.0.2.25
            WWW	A	192.0.2.80
            alias	CNAME	www
            ext	CNAME	www.example.net.
            _ldap._tcp	SRV	0 0 389 ldap
            *.wild	A	192.0.2.99
            sub	NS	ns.sub
            ns.sub	A	192.0.2.100
            pool	NS	ns1
            """ + Many("big", "TXT", i => $"\"record {i:D2} of a large TXT set that does not fit into one UDP answer\"", 40));
        var poolForward = Zone("pool.example.test.", """
            @	SOA	ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300
            @	NS	ns1.example.test.
            """);
        if (!DefaultNamePool.TryCreate(IpPrefix.Parse("100.0.0.0/24"), "ip-{ip}.pool.example.test.", 3600, out var defaults, out var error) ||
            !DefaultNamePool.TryCreate(IpPrefix.Parse("2001:db8:0:1::/64"), "v6-{ip}.pool.example.test.", 3600, out var defaults6, out error))
            throw new InvalidOperationException(error);
        return ZoneSet.From([next, child, wild, v6, pool, forward, poolForward], new DefaultNames([defaults, defaults6]));
    }

    private static ZoneSnapshot Zone(string origin, string text)
    {
        var name = DnsName.Parse(origin);
        var records = ZoneFileReader.ReadText(text, new ZoneFileOptions { Origin = name, DefaultTtl = 3600, CheckZone = true }, origin);
        return ZoneSnapshot.Build(name, records);
    }

    private static string Many(string owner, string type, Func<int, string> data, int count) =>
        "\n" + string.Join("\n", Enumerable.Range(1, count).Select(i => $"{owner}\t{type}\t{data(i)}"));

    private static ResourceRecord Soa(DnsName origin, uint serial) =>
        Record(origin, "@", "SOA", $"ns1.example.net. hostmaster.example.net. {serial} 7200 3600 1209600 300");

    private static ResourceRecord Record(DnsName origin, string owner, string type, string data) =>
        ZoneFileReader.ReadText($"{owner} 3600 {type} {data}", new ZoneFileOptions { Origin = origin })[0];
}
