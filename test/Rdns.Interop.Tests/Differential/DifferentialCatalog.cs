using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Differential;

/// <summary>
/// The queries sent to both servers, over the zones in TestData/differential. Each title says
/// what the query exercises; titles are unique, so a failing case can be found by name.
/// </summary>
public static partial class DifferentialCatalog
{
    private const string V4 = "2.0.192.in-addr.arpa.";
    private const string Child = "128-26.2.0.192.in-addr.arpa.";
    private const string V4Slash16 = "51.198.in-addr.arpa.";
    private const string V6 = "8.b.d.0.1.0.0.2.ip6.arpa.";
    private const string Fwd = "example.test.";

    public static readonly EdnsOptions Edns0 = new(1232);

    private static readonly Lazy<IReadOnlyList<DifferentialCase>> Cases = new(Build);

    public static IReadOnlyList<DifferentialCase> All => Cases.Value;

    public static DifferentialCase Get(string title) => All.Single(c => c.Title == title);

    private static IReadOnlyList<DifferentialCase> Build()
    {
        var set = new CaseSet();
        Reverse24(set);
        ClasslessChildren(set);
        Reverse16(set);
        Ip6(set);
        Forward(set);
        OutsideAndClasses(set);
        Edns(set);
        LargeAnswers(set);
        CaseRandomization(set);
        OverTcp(set);
        Malformed(set);
        var titles = set.Cases.GroupBy(c => c.Title).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (titles.Count > 0)
            throw new InvalidOperationException("duplicate titles: " + string.Join(", ", titles));
        return set.Cases;
    }

    private static void Reverse24(CaseSet s)
    {
        foreach (string n in new[] { "1", "2", "3", "5", "10" })
            s.Both($"PTR hit {n}.{V4}", $"{n}.{V4}", RecordType.PTR);
        s.Both("Two PTRs given different TTLs in the zone file", $"4.{V4}", RecordType.PTR, accepted: AcceptedDifference.MixedTtlFirstWins);
        foreach (string n in new[] { "6", "99", "200", "255", "x.1", "1.1" })
            s.Both($"PTR miss {n}.{V4}", $"{n}.{V4}", RecordType.PTR);
        s.Both("NODATA A at a PTR name", $"1.{V4}", RecordType.A);
        s.Udp("NODATA TXT at a PTR name", $"1.{V4}", RecordType.TXT);
        s.Udp("NODATA PTR at a TXT-only name", $"40.{V4}", RecordType.PTR);
        s.Udp("TXT at a TXT-only name", $"40.{V4}", RecordType.TXT);
        s.Udp("NODATA unknown type TYPE65280", $"1.{V4}", (RecordType)65280);
        s.Both("Unknown type TYPE65280 served from the zone (RFC 3597)", $"40.{V4}", (RecordType)65280);
        s.Udp("ANY at a name with TXT and an unknown type", $"40.{V4}", RecordType.ANY);
        s.Both("SOA at the /24 apex", V4, RecordType.SOA);
        s.Both("NS at the /24 apex", V4, RecordType.NS);
        s.Udp("NODATA PTR at the /24 apex", V4, RecordType.PTR);
        s.Udp("NODATA DNSKEY at the unsigned /24 apex", V4, RecordType.DNSKEY);
        s.Udp("NODATA DS at the /24 apex (no parent hosted)", V4, RecordType.DS);
        s.Both("CNAME chain of three ending in a PTR", $"20.{V4}", RecordType.PTR);
        s.Udp("CNAME chain of two ending in a PTR", $"21.{V4}", RecordType.PTR);
        s.Udp("CNAME chain ending in NODATA", $"20.{V4}", RecordType.TXT);
        s.Udp("CNAME asked for itself", $"20.{V4}", RecordType.CNAME);
        s.Udp("CNAME chain leaving the zone", $"23.{V4}", RecordType.PTR);
        s.Udp("CNAME leaving the zone", $"24.{V4}", RecordType.PTR);
        s.Both("CNAME to a missing name", $"36.{V4}", RecordType.PTR);
        s.Udp("CNAME to a missing name asked for the CNAME", $"36.{V4}", RecordType.CNAME);
        s.Both("CNAME loop of two", $"30.{V4}", RecordType.PTR);
        s.Udp("CNAME loop of two from the other end", $"31.{V4}", RecordType.PTR);
        s.Both("CNAME to itself", $"32.{V4}", RecordType.PTR);
        s.Udp("CNAME to itself asked for the CNAME", $"32.{V4}", RecordType.CNAME);
        s.Udp("CNAME loop of three", $"33.{V4}", RecordType.PTR);
        s.Udp("CNAME loop of three asked for A", $"34.{V4}", RecordType.A);
        s.Udp("ANY at a PTR name", $"1.{V4}", RecordType.ANY);
        s.Udp("ANY at a name with two PTRs", $"4.{V4}", RecordType.ANY, accepted: AcceptedDifference.MixedTtlFirstWins);
        s.Udp("ANY at a CNAME", $"20.{V4}", RecordType.ANY);
        s.Udp("ANY at a missing name", $"99.{V4}", RecordType.ANY);
    }

    private static void ClasslessChildren(CaseSet s)
    {
        // 192.0.2.128/26: the parent's CNAMEs lead into a child hosted beside it.
        foreach (string n in new[] { "129", "130", "131", "140", "150", "191" })
            s.Both($"RFC 2317 CNAME into the hosted child {n}", $"{n}.{V4}", RecordType.PTR);
        s.Udp("RFC 2317 CNAME into the hosted child asked for the CNAME", $"129.{V4}", RecordType.CNAME);
        s.Udp("RFC 2317 CNAME into the hosted child asked for A", $"129.{V4}", RecordType.A);
        s.Both("PTR hit in the hosted child", $"129.{Child}", RecordType.PTR);
        s.Udp("PTR miss in the hosted child", $"131.{Child}", RecordType.PTR);
        s.Udp("CNAME inside the hosted child", $"150.{Child}", RecordType.PTR);
        s.Both("SOA at the hosted child apex", Child, RecordType.SOA);
        s.Both("NS at the hosted child apex", Child, RecordType.NS);
        s.Both("DS at the hosted child apex (answered by the parent)", Child, RecordType.DS);
        s.Udp("NODATA PTR at the hosted child apex", Child, RecordType.PTR);
        s.Udp("ANY at the hosted child apex", Child, RecordType.ANY);

        // 192.0.2.64/27: delegated elsewhere, glue below the cut.
        foreach (string n in new[] { "64", "65", "66", "95" })
            s.Both($"RFC 2317 CNAME into the delegated child {n}", $"{n}.{V4}", RecordType.PTR);
        s.Udp("RFC 2317 CNAME into the delegated child asked for the CNAME", $"65.{V4}", RecordType.CNAME);
        s.Both("Referral for a name in the delegated child", $"65.64-27.{V4}", RecordType.PTR);
        s.Udp("Referral for the delegated child's NS", $"64-27.{V4}", RecordType.NS);
        s.Udp("Referral for the delegated child's SOA", $"64-27.{V4}", RecordType.SOA);
        s.Both("DS at the delegated child (NODATA from the parent)", $"64-27.{V4}", RecordType.DS);
        s.Udp("Referral for glue below the cut asked for A", $"ns1.64-27.{V4}", RecordType.A);
        s.Udp("Referral for glue below the cut asked for AAAA", $"ns2.64-27.{V4}", RecordType.AAAA);
        s.Udp("Referral for a missing name below the cut", $"x.y.64-27.{V4}", RecordType.PTR);
        s.Udp("ANY at the delegated child", $"64-27.{V4}", RecordType.ANY);
    }

    private static void Reverse16(CaseSet s)
    {
        s.Both("SOA at the /16 apex", V4Slash16, RecordType.SOA);
        s.Both("NS at the /16 apex with in-zone name server addresses", V4Slash16, RecordType.NS);
        s.Udp("A of the /16's own name server", $"ns.{V4Slash16}", RecordType.A);
        s.Udp("AAAA of the /16's own name server", $"ns.{V4Slash16}", RecordType.AAAA);
        s.Udp("NXDOMAIN in the /16 (negative TTL from SOA MINIMUM)", $"99.99.{V4Slash16}", RecordType.PTR);
        s.Both("Referral with glue below the cut", $"1.100.{V4Slash16}", RecordType.PTR);
        s.Udp("Referral with glue for the cut's NS", $"100.{V4Slash16}", RecordType.NS);
        s.Udp("Referral with glue for the cut's SOA", $"100.{V4Slash16}", RecordType.SOA);
        s.Udp("Referral with glue asked for the glue itself", $"ns1.100.{V4Slash16}", RecordType.A);
        s.Udp("DS at a cut with glue", $"100.{V4Slash16}", RecordType.DS);
        s.Both("Referral to out-of-zone name servers", $"7.101.{V4Slash16}", RecordType.PTR);
        s.Udp("Referral to out-of-zone name servers for the cut's NS", $"101.{V4Slash16}", RecordType.NS);
        s.Udp("DS at a cut without glue", $"101.{V4Slash16}", RecordType.DS);
        s.Both("Referral to a sibling name server in the zone", $"1.102.{V4Slash16}", RecordType.PTR);
        s.Both("Wildcard match", $"5.7.{V4Slash16}", RecordType.PTR);
        s.Udp("Wildcard match of another type", $"5.7.{V4Slash16}", RecordType.TXT);
        s.Both("Wildcard NODATA", $"5.7.{V4Slash16}", RecordType.A);
        s.Udp("Wildcard match over two labels", $"x.y.7.{V4Slash16}", RecordType.PTR);
        s.Udp("Wildcard ANY", $"5.7.{V4Slash16}", RecordType.ANY);
        s.Both("Wildcard does not cover an existing name", $"1.7.{V4Slash16}", RecordType.PTR);
        s.Udp("Wildcard does not cover an existing name's other types", $"1.7.{V4Slash16}", RecordType.TXT);
        s.Udp("Wildcard does not apply below an existing name", $"a.1.7.{V4Slash16}", RecordType.PTR);
        s.Udp("The wildcard owner asked directly", $"*.7.{V4Slash16}", RecordType.PTR);
        s.Udp("Empty non-terminal above a wildcard", $"7.{V4Slash16}", RecordType.PTR);
        s.Both("Empty non-terminal below a wildcard's parent", $"3.7.{V4Slash16}", RecordType.PTR);
        s.Udp("Wildcard blocked by an empty non-terminal", $"x.3.7.{V4Slash16}", RecordType.PTR);
        s.Udp("Name below an empty non-terminal", $"sub.3.7.{V4Slash16}", RecordType.PTR);
        s.Both("Wildcard CNAME within the zone", $"5.8.{V4Slash16}", RecordType.PTR);
        s.Udp("Wildcard CNAME asked for the CNAME", $"5.8.{V4Slash16}", RecordType.CNAME);
        s.Udp("Wildcard CNAME leaving the zone", $"5.9.{V4Slash16}", RecordType.PTR);
        s.Udp("Empty non-terminal in the /16", $"5.{V4Slash16}", RecordType.PTR);
        s.Udp("PTR below an empty non-terminal in the /16", $"6.5.{V4Slash16}", RecordType.PTR);
        s.Udp("Miss beside a name below an empty non-terminal", $"7.5.{V4Slash16}", RecordType.PTR);
        s.Both("Mixed-case owner asked in lower case", $"1.mixed.{V4Slash16}", RecordType.PTR);
        s.Udp("Mixed-case owner asked in upper case", $"1.MIXED.{V4Slash16}", RecordType.PTR);
        s.Udp("Mixed-case owner and target", $"2.upper.{V4Slash16}", RecordType.PTR);
        s.Udp("Mixed-case empty non-terminal", $"Upper.{V4Slash16}", RecordType.PTR);
    }

    private static void Ip6(CaseSet s)
    {
        const string host1 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." + V6;
        s.Both("ip6 PTR hit 2001:db8::1", host1, RecordType.PTR);
        s.Udp("ip6 PTR hit 2001:db8::53", "3.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." + V6, RecordType.PTR);
        s.Udp("ip6 PTR hit 2001:db8:0:1::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.0.0." + V6, RecordType.PTR);
        s.Both("ip6 PTR hit at an upper-case owner", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.1.0.0.d.c.b.a." + V6, RecordType.PTR);
        s.Udp("ip6 two PTRs at a mixed-case owner", "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.1.0.0.D.c.B.a." + V6, RecordType.PTR);
        s.Both("ip6 PTR miss 2001:db8::2", "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." + V6, RecordType.PTR);
        s.Udp("ip6 NODATA AAAA at a PTR name", host1, RecordType.AAAA);
        s.Both("ip6 empty non-terminal one nibble below the apex", "0." + V6, RecordType.PTR);
        s.Udp("ip6 empty non-terminal at /48", "0.0.0.0." + V6, RecordType.PTR);
        s.Udp("ip6 empty non-terminal at /64", "0.0.0.0.0.0.0.0." + V6, RecordType.PTR);
        s.Both("ip6 empty non-terminal at /124", "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." + V6, RecordType.PTR);
        s.Udp("ip6 empty non-terminal asked for NS", "0.0.0.0." + V6, RecordType.NS);
        s.Udp("ip6 empty non-terminal in the abcd branch", "a." + V6, RecordType.PTR);
        s.Udp("ip6 empty non-terminal asked for ANY", "0.0.0.0." + V6, RecordType.ANY);
        s.Both("ip6 NXDOMAIN beside empty non-terminals", "1." + V6, RecordType.PTR);
        s.Udp("ip6 NXDOMAIN deep", "f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." + V6, RecordType.PTR);
        s.Both("ip6 SOA at the apex", V6, RecordType.SOA);
        s.Udp("ip6 NS at the apex", V6, RecordType.NS);
        s.Both("ip6 referral to out-of-zone name servers", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.f.f.f.f." + V6, RecordType.PTR);
        s.Udp("ip6 referral at the cut", "f.f.f.f." + V6, RecordType.NS);
        s.Udp("ip6 DS at the cut", "f.f.f.f." + V6, RecordType.DS);
        s.Both("ip6 referral with glue", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.e.e.e." + V6, RecordType.PTR);
        s.Udp("ip6 referral asked for the glue", "ns.e.e.e.e." + V6, RecordType.AAAA);
        s.Udp("ip6 empty non-terminal above a cut", "f.f.f." + V6, RecordType.PTR);
    }

    private static void Forward(CaseSet s)
    {
        s.Both("forward SOA", Fwd, RecordType.SOA);
        s.Both("forward NS with in-zone addresses", Fwd, RecordType.NS);
        s.Both("forward MX with the exchange's addresses", Fwd, RecordType.MX);
        s.Udp("forward TXT at the apex", Fwd, RecordType.TXT);
        s.Udp("forward NODATA A at the apex", Fwd, RecordType.A);
        s.Udp("forward ANY at the apex", Fwd, RecordType.ANY);
        s.Both("forward A at an upper-case owner", $"www.{Fwd}", RecordType.A);
        s.Udp("forward AAAA at an owner loaded upper and lower case", $"WWW.{Fwd}", RecordType.AAAA);
        s.Udp("forward ANY at a name with A and AAAA", $"www.{Fwd}", RecordType.ANY);
        s.Both("forward CNAME to an in-zone name", $"alias.{Fwd}", RecordType.A);
        s.Udp("forward CNAME to an in-zone name asked for AAAA", $"alias.{Fwd}", RecordType.AAAA);
        s.Udp("forward CNAME to an in-zone name asked for MX", $"alias.{Fwd}", RecordType.MX);
        s.Udp("forward CNAME leaving the zone", $"ext.{Fwd}", RecordType.A);
        s.Both("forward SRV with the target's address", $"_ldap._tcp.{Fwd}", RecordType.SRV);
        s.Udp("forward empty non-terminal _tcp", $"_tcp.{Fwd}", RecordType.SRV);
        s.Udp("forward A hit", $"ldap.{Fwd}", RecordType.A);
        s.Udp("forward A of a name server", $"ns1.{Fwd}", RecordType.A);
        s.Both("forward wildcard A", $"host.wild.{Fwd}", RecordType.A);
        s.Udp("forward wildcard AAAA", $"host.wild.{Fwd}", RecordType.AAAA);
        s.Udp("forward wildcard NODATA MX", $"host.wild.{Fwd}", RecordType.MX);
        s.Udp("forward wildcard parent is an empty non-terminal", $"wild.{Fwd}", RecordType.A);
        s.Both("forward referral with glue", $"host.sub.{Fwd}", RecordType.A);
        s.Udp("forward referral at the cut", $"sub.{Fwd}", RecordType.NS);
        s.Udp("forward referral asked for the glue", $"ns.sub.{Fwd}", RecordType.A);
        s.Udp("forward DS at a cut", $"sub.{Fwd}", RecordType.DS);
        s.Both("forward referral to out-of-zone name servers", $"x.other.{Fwd}", RecordType.A);
        s.Both("forward NXDOMAIN", $"nope.{Fwd}", RecordType.A);
        s.Udp("forward NXDOMAIN below a leaf", $"a.www.{Fwd}", RecordType.A);
        s.Both("forward DNAME into the zone, followed to the address", $"www.legacy.{Fwd}", RecordType.A);
        s.Udp("forward DNAME into the zone, to a name that does not exist", $"nope.legacy.{Fwd}", RecordType.A);
        s.Udp("forward DNAME out of the zone", $"x.away.{Fwd}", RecordType.A);
        s.Udp("forward DNAME asked for at its owner", $"legacy.{Fwd}", RecordType.DNAME);
        s.Udp("forward NODATA A at a DNAME owner", $"legacy.{Fwd}", RecordType.A);
        s.Udp("forward DNAME twice down the same chain", $"www.legacy.legacy.{Fwd}", RecordType.A);
        s.Udp("forward DNAME whose substitution is too long (YXDOMAIN)", $"{new string('d', 63)}.{new string('e', 20)}.long.{Fwd}", RecordType.A);
    }

    private static void OutsideAndClasses(CaseSet s)
    {
        s.Both("REFUSED outside every zone", "example.com.", RecordType.A);
        s.Udp("REFUSED for a /24 we do not host", "1.3.0.192.in-addr.arpa.", RecordType.PTR);
        s.Udp("REFUSED for the parent of a hosted zone", "0.192.in-addr.arpa.", RecordType.NS);
        s.Udp("REFUSED for in-addr.arpa", "in-addr.arpa.", RecordType.SOA);
        s.Udp("REFUSED for ip6.arpa", "ip6.arpa.", RecordType.SOA);
        s.Udp("REFUSED for a name that merely ends like a zone", "xexample.test.", RecordType.A);
        s.Udp("REFUSED for the root", ".", RecordType.NS);
        s.Udp("REFUSED for the parent of the ip6 zone", "0.1.0.0.2.ip6.arpa.", RecordType.NS);
        s.Both("class CH for a hosted PTR", $"1.{V4}", RecordType.PTR, RecordClass.CH);
        s.Udp("class CH for a hosted SOA", V4, RecordType.SOA, RecordClass.CH);
        s.Udp("class HS for a hosted PTR", $"1.{V4}", RecordType.PTR, RecordClass.HS);
        s.Udp("class NONE for a hosted PTR", $"1.{V4}", RecordType.PTR, RecordClass.NONE);
        s.Udp("class 42 for a hosted PTR", $"1.{V4}", RecordType.PTR, (RecordClass)42);
        s.Udp("class ANY for a hosted PTR", $"1.{V4}", RecordType.PTR, RecordClass.ANY);
        s.Udp("RD set is copied", $"1.{V4}", RecordType.PTR, flags: HeaderFlags.RD);
        s.Udp("CD set is copied", $"1.{V4}", RecordType.PTR, flags: HeaderFlags.CD);
        s.Udp("AD set in the query", $"1.{V4}", RecordType.PTR, flags: HeaderFlags.AD);
        s.Udp("RD, AD and CD together on NXDOMAIN", $"99.{V4}", RecordType.PTR, flags: HeaderFlags.RD | HeaderFlags.AD | HeaderFlags.CD);
        s.Udp("RD on REFUSED", "example.com.", RecordType.A, flags: HeaderFlags.RD);
    }

    private static void Edns(CaseSet s)
    {
        string hit = $"1.{V4}";
        s.Udp("EDNS 0 PTR hit", hit, RecordType.PTR, edns: Edns0);
        s.Udp("EDNS 0 NXDOMAIN", $"99.{V4}", RecordType.PTR, edns: Edns0);
        s.Udp("EDNS 0 NODATA", hit, RecordType.A, edns: Edns0);
        s.Udp("EDNS 0 referral", $"1.100.{V4Slash16}", RecordType.PTR, edns: Edns0);
        s.Udp("EDNS 0 REFUSED", "example.com.", RecordType.A, edns: Edns0);
        s.Udp("EDNS 0 class CH", hit, RecordType.PTR, RecordClass.CH, edns: Edns0);
        s.Udp("EDNS 0 with DO", hit, RecordType.PTR, edns: Edns0 with { DnssecOk = true });
        s.Udp("EDNS 0 with DO on NXDOMAIN", $"99.{V4}", RecordType.PTR, edns: Edns0 with { DnssecOk = true });
        s.Udp("EDNS 0 with DO and CD", hit, RecordType.PTR, flags: HeaderFlags.CD, edns: Edns0 with { DnssecOk = true });
        s.Udp("EDNS 0 with DO asking DNSKEY", V4, RecordType.DNSKEY, edns: Edns0 with { DnssecOk = true });
        s.Udp("EDNS 0 buffer 512", hit, RecordType.PTR, edns: new EdnsOptions(512));
        s.Udp("EDNS 0 buffer 100 (treated as 512)", hit, RecordType.PTR, edns: new EdnsOptions(100));
        s.Udp("EDNS 0 buffer 0", hit, RecordType.PTR, edns: new EdnsOptions(0));
        s.Udp("EDNS 0 buffer 4096", hit, RecordType.PTR, edns: new EdnsOptions(4096));
        s.Udp("EDNS 0 buffer 65535", hit, RecordType.PTR, edns: new EdnsOptions(65535));
        s.Both("EDNS version 1 gets BADVERS", hit, RecordType.PTR, edns: new EdnsOptions(1232, Version: 1));
        s.Udp("EDNS version 1 with DO gets BADVERS", hit, RecordType.PTR, edns: new EdnsOptions(1232, Version: 1, DnssecOk: true));
        s.Udp("EDNS version 255 gets BADVERS", hit, RecordType.PTR, edns: new EdnsOptions(1232, Version: 255));
        s.Udp("EDNS version 1 for a name outside every zone", "example.com.", RecordType.A, edns: new EdnsOptions(1232, Version: 1));
        s.Udp("EDNS version 1 for class CH", hit, RecordType.PTR, RecordClass.CH, edns: new EdnsOptions(1232, Version: 1));
        s.Udp("EDNS unknown option 65001", hit, RecordType.PTR, edns: Edns0 with { Options = Option(65001, [1, 2, 3, 4]) });
        s.Udp("EDNS unknown empty option", hit, RecordType.PTR, edns: Edns0 with { Options = Option(65002, []) });
        s.Udp("EDNS unknown options, several", hit, RecordType.PTR,
            edns: Edns0 with { Options = [.. Option(65001, [9]), .. Option(65003, new byte[40]), .. Option(20, [0, 1])] });
        s.Udp("EDNS client cookie (no cookie support either side)", hit, RecordType.PTR,
            edns: Edns0 with { Options = Option(10, [1, 2, 3, 4, 5, 6, 7, 8]) });
        s.Udp("EDNS padding option", hit, RecordType.PTR, edns: Edns0 with { Options = Option(12, new byte[16]) });
        s.Udp("EDNS unknown option on NXDOMAIN", $"99.{V4}", RecordType.PTR, edns: Edns0 with { Options = Option(65001, [1]) });
        s.Udp("EDNS Z bits beyond DO", hit, RecordType.PTR, edns: Edns0, optFlags: 0x7FFF);
        s.Udp("EDNS extended RCODE bits set in the query", hit, RecordType.PTR, edns: Edns0, optExtendedRcode: 3);
    }

    private static void LargeAnswers(CaseSet s)
    {
        string many = $"250.{V4}";
        s.Udp("40 PTRs without EDNS (truncated)", many, RecordType.PTR);
        s.Udp("40 PTRs with EDNS 1232 (fits)", many, RecordType.PTR, edns: Edns0);
        s.Udp("40 PTRs with EDNS 4096 (fits in 1232)", many, RecordType.PTR, edns: new EdnsOptions(4096));
        s.Udp("40 PTRs with EDNS 1024 (truncated)", many, RecordType.PTR, edns: new EdnsOptions(1024));
        s.Udp("40 PTRs with EDNS 512 (truncated)", many, RecordType.PTR, edns: new EdnsOptions(512));
        s.Udp("40 PTRs with EDNS 100 (truncated)", many, RecordType.PTR, edns: new EdnsOptions(100));
        s.Udp("40 PTRs with DO and EDNS 1232", many, RecordType.PTR, edns: Edns0 with { DnssecOk = true });
        s.Tcp("40 PTRs over TCP without EDNS", many, RecordType.PTR);
        s.Tcp("40 PTRs over TCP with EDNS 512", many, RecordType.PTR, edns: new EdnsOptions(512));
        s.Udp("40 PTRs asked with ANY without EDNS", many, RecordType.ANY);
        string big = $"251.{V4}";
        s.Udp("2 kB TXT set without EDNS (truncated)", big, RecordType.TXT);
        s.Udp("2 kB TXT set with EDNS 1232 (truncated)", big, RecordType.TXT, edns: Edns0);
        s.Udp("2 kB TXT set with EDNS 4096 (truncated)", big, RecordType.TXT, edns: new EdnsOptions(4096));
        s.Udp("2 kB TXT set with EDNS 65535 (truncated)", big, RecordType.TXT, edns: new EdnsOptions(65535));
        s.Tcp("2 kB TXT set over TCP", big, RecordType.TXT);
        s.Tcp("2 kB TXT set over TCP with EDNS", big, RecordType.TXT, edns: Edns0);
        s.Udp("forward medium TXT set without EDNS (truncated)", $"medium.{Fwd}", RecordType.TXT);
        s.Udp("forward medium TXT set with EDNS (fits)", $"medium.{Fwd}", RecordType.TXT, edns: Edns0);
        s.Tcp("forward medium TXT set over TCP", $"medium.{Fwd}", RecordType.TXT);
        s.Udp("forward big TXT set with EDNS (truncated)", $"big.{Fwd}", RecordType.TXT, edns: Edns0);
        s.Tcp("forward big TXT set over TCP", $"big.{Fwd}", RecordType.TXT);
        s.Udp("forward NS with glue without EDNS", Fwd, RecordType.NS, edns: null);
        s.Udp("40 PTRs under a CNAME without EDNS (truncated after the CNAME)", $"250.{V4}", RecordType.CNAME);
    }

    private static void CaseRandomization(CaseSet s)
    {
        // DNS 0x20: the question's case is echoed and matching ignores it (RFC 4343).
        s.Udp("0x20 PTR hit", "1.2.0.192.In-AdDr.ArPa.", RecordType.PTR);
        s.Udp("0x20 PTR miss", "99.2.0.192.IN-ADDR.ARPA.", RecordType.PTR);
        s.Udp("0x20 CNAME chain", "20.2.0.192.iN-aDdR.aRpA.", RecordType.PTR);
        s.Udp("0x20 RFC 2317 CNAME into the hosted child", "129.2.0.192.In-Addr.Arpa.", RecordType.PTR);
        s.Udp("0x20 in the hosted child", "129.128-26.2.0.192.IN-addr.ARPA.", RecordType.PTR);
        s.Udp("0x20 referral", "1.100.51.198.In-Addr.Arpa.", RecordType.PTR);
        s.Udp("0x20 wildcard", "AbC.7.51.198.IN-ADDR.arpa.", RecordType.PTR);
        s.Udp("0x20 wildcard NODATA", "AbC.7.51.198.IN-ADDR.arpa.", RecordType.A);
        s.Udp("0x20 ip6 upper-case nibbles", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA.", RecordType.PTR);
        s.Udp("0x20 ip6 empty non-terminal", "0.0.0.0.8.B.d.0.1.0.0.2.Ip6.Arpa.", RecordType.PTR);
        s.Udp("0x20 forward SOA", "ExAmPlE.TeSt.", RecordType.SOA);
        s.Udp("0x20 forward NS", "EXAMPLE.TEST.", RecordType.NS);
        s.Udp("0x20 forward wildcard", "HoSt.WiLd.ExAmPlE.tEsT.", RecordType.A);
        s.Udp("0x20 forward CNAME", "ALIAS.example.TEST.", RecordType.A);
        s.Udp("0x20 REFUSED", "ExAmPlE.CoM.", RecordType.A);
        s.Udp("0x20 SOA of the /24", "2.0.192.IN-ADDR.ARPA.", RecordType.SOA);
    }

    private static void OverTcp(CaseSet s)
    {
        s.Tcp("TCP EDNS 0 PTR hit", $"1.{V4}", RecordType.PTR, edns: Edns0);
        s.Tcp("TCP BADVERS", $"1.{V4}", RecordType.PTR, edns: new EdnsOptions(1232, Version: 1));
        s.Tcp("TCP class CH", $"1.{V4}", RecordType.PTR, RecordClass.CH);
        s.Tcp("TCP DS at the hosted child apex", Child, RecordType.DS);
        s.Tcp("TCP 0x20 wildcard", "AbC.7.51.198.IN-ADDR.arpa.", RecordType.PTR);
    }

    private static byte[] Option(ushort code, byte[] data)
    {
        var option = new byte[4 + data.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(option, code);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(option.AsSpan(2), (ushort)data.Length);
        data.CopyTo(option, 4);
        return option;
    }

    /// <summary>Accumulates cases, giving each a distinct message ID.</summary>
    private sealed class CaseSet
    {
        private ushort _id = 0x4100;

        public List<DifferentialCase> Cases { get; } = [];

        public ushort NextId() => _id++;

        public void Udp(string title, string name, RecordType type, RecordClass cls = RecordClass.IN,
            HeaderFlags flags = HeaderFlags.None, EdnsOptions? edns = null, ushort optFlags = 0, byte optExtendedRcode = 0,
            AcceptedDifference accepted = AcceptedDifference.None) =>
            Add(title, Transport.Udp, name, type, cls, flags, edns, optFlags, optExtendedRcode, accepted);

        public void Tcp(string title, string name, RecordType type, RecordClass cls = RecordClass.IN,
            HeaderFlags flags = HeaderFlags.None, EdnsOptions? edns = null) =>
            Add(title, Transport.Tcp, name, type, cls, flags, edns, 0, 0, AcceptedDifference.None);

        /// <summary>The same question over UDP and over TCP.</summary>
        public void Both(string title, string name, RecordType type, RecordClass cls = RecordClass.IN,
            HeaderFlags flags = HeaderFlags.None, EdnsOptions? edns = null, AcceptedDifference accepted = AcceptedDifference.None)
        {
            Add(title + " (UDP)", Transport.Udp, name, type, cls, flags, edns, 0, 0, accepted);
            Add(title + " (TCP)", Transport.Tcp, name, type, cls, flags, edns, 0, 0, accepted);
        }

        public void Raw(string title, byte[] wire, Transport transport = Transport.Udp, AcceptedDifference accepted = AcceptedDifference.None) =>
            Cases.Add(new DifferentialCase(title, transport, wire) { Accepted = accepted, Raw = true });

        public void Raw(string title, byte[] wire, AcceptedDifference accepted) => Raw(title, wire, Transport.Udp, accepted);

        private void Add(string title, Transport transport, string name, RecordType type, RecordClass cls,
            HeaderFlags flags, EdnsOptions? edns, ushort optFlags, byte optExtendedRcode, AcceptedDifference accepted)
        {
            var m = DnsMessage.Query(DnsName.Parse(name), type, NextId(), edns: edns);
            m.Flags = flags;
            m.Questions[0] = m.Questions[0] with { Class = cls };
            var wire = m.ToWire();
            if (edns is not null && (optFlags != 0 || optExtendedRcode != 0))
            {
                // The OPT record is last: its TTL field is 4 octets after TYPE and CLASS.
                int ttl = wire.Length - (edns.Options?.Length ?? 0) - 6;
                wire[ttl] = optExtendedRcode;
                wire[ttl + 2] = (byte)(optFlags >> 8);
                wire[ttl + 3] = (byte)optFlags;
            }
            // COMPLIANCE.md A2: CD is copied by us, cleared by Knot DNS.
            if ((flags & HeaderFlags.CD) != 0)
                accepted = AcceptedDifference.CdCopied;
            Cases.Add(new DifferentialCase(title, transport, wire) { Accepted = accepted });
        }
    }
}
