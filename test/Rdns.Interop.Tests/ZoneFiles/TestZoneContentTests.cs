using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.ZoneFiles;

/// <summary>
/// The test zones also feed the server's differential tests against Knot, which rely on the cases
/// below being present. These tests keep an edit of the data from silently dropping one.
/// </summary>
public class TestZoneContentTests
{
    private static List<ResourceRecord> Zone(string zone) =>
        ZoneFileReader.ReadFile(Path.Combine(ZoneFileRoundTripTests.ZonesDirectory, zone + ".zone"),
            new ZoneFileOptions { Origin = DnsName.Parse(zone + "."), CheckZone = true });

    private static DnsName N(string name) => DnsName.Parse(name);

    private static List<ResourceRecord> At(List<ResourceRecord> zone, string name, RecordType type) =>
        zone.Where(r => r.Owner == N(name) && r.Type == type).ToList();

    private static DnsName Target(List<ResourceRecord> zone, string name, RecordType type) =>
        Rdata.ReadName(At(zone, name, type).Single().Data);

    [Fact]
    public void The_IPv4_reverse_zone_has_hits_chains_loops_a_big_RRset_and_both_kinds_of_RFC_2317_child()
    {
        var z = Zone("2.0.192.in-addr.arpa");
        Assert.Single(At(z, "1.2.0.192.in-addr.arpa.", RecordType.PTR));

        // A chain 20 -> 21 -> 22 that ends in a PTR, and a loop 30 -> 31 -> 30.
        Assert.Equal(N("21.2.0.192.in-addr.arpa."), Target(z, "20.2.0.192.in-addr.arpa.", RecordType.CNAME));
        Assert.Equal(N("22.2.0.192.in-addr.arpa."), Target(z, "21.2.0.192.in-addr.arpa.", RecordType.CNAME));
        Assert.Single(At(z, "22.2.0.192.in-addr.arpa.", RecordType.PTR));
        Assert.Equal(N("31.2.0.192.in-addr.arpa."), Target(z, "30.2.0.192.in-addr.arpa.", RecordType.CNAME));
        Assert.Equal(N("30.2.0.192.in-addr.arpa."), Target(z, "31.2.0.192.in-addr.arpa.", RecordType.CNAME));

        // 40 PTRs whose answer is past 512 octets even with every owner compressed to 2 octets.
        var big = At(z, "50.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(40, big.Count);
        Assert.True(big.Sum(r => 2 + 10 + r.Data.Length) > 512);

        // A CNAME into the hosted child, which has the PTR, and the child delegated from here.
        Assert.Equal(N("65.64-127.2.0.192.in-addr.arpa."), Target(z, "65.2.0.192.in-addr.arpa.", RecordType.CNAME));
        Assert.Equal(2, At(z, "64-127.2.0.192.in-addr.arpa.", RecordType.NS).Count);
        Assert.Single(At(Zone("64-127.2.0.192.in-addr.arpa"), "65.64-127.2.0.192.in-addr.arpa.", RecordType.PTR));

        // A CNAME into a child delegated elsewhere, with in-bailiwick glue for its servers.
        Assert.Equal(N("129.128-191.2.0.192.in-addr.arpa."), Target(z, "129.2.0.192.in-addr.arpa.", RecordType.CNAME));
        foreach (var ns in At(z, "128-191.2.0.192.in-addr.arpa.", RecordType.NS).Select(r => Rdata.ReadName(r.Data)))
        {
            Assert.True(ns.IsSubdomainOf(N("128-191.2.0.192.in-addr.arpa.")));
            Assert.Single(At(z, ns.ToString(), RecordType.A));
        }

        // Owners in mixed case.
        Assert.Contains(z, r => r.Owner.ToString().Any(char.IsAsciiLetterUpper));
    }

    [Fact]
    public void The_ip6_arpa_zone_has_empty_non_terminals_a_wildcard_and_a_glued_delegation()
    {
        var z = Zone("8.b.d.0.1.0.0.2.ip6.arpa");
        var owners = z.Select(r => r.Owner).ToHashSet();
        var host = N("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
        Assert.Contains(host, owners);
        // Every ancestor between the host and the apex exists only because of the host.
        for (int up = 1; up < host.LabelCount - N("8.b.d.0.1.0.0.2.ip6.arpa.").LabelCount; up++)
            Assert.DoesNotContain(host.Parent(up), owners);
        Assert.Single(At(z, "*.2.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR));
        var ns = Target(z, "0.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.NS);
        Assert.Single(At(z, ns.ToString(), RecordType.AAAA));
    }

    [Fact]
    public void The_forward_zone_has_addresses_for_the_PTR_targets_a_wildcard_a_glued_delegation_and_a_big_RRset()
    {
        var z = Zone("example.com");
        foreach (var name in new[] { "gw", "Router-2", "ns1", "www" })
        {
            Assert.Single(At(z, name + ".example.com.", RecordType.A));
            Assert.Single(At(z, name + ".example.com.", RecordType.AAAA));
        }
        Assert.Single(At(z, "*.slaac.example.com.", RecordType.AAAA));
        var ns = At(z, "lab.example.com.", RecordType.NS).Select(r => Rdata.ReadName(r.Data)).First(n => n.IsSubdomainOf(N("lab.example.com.")));
        Assert.Single(At(z, ns.ToString(), RecordType.A));
        Assert.True(At(z, "keys.example.com.", RecordType.TXT).Sum(r => 12 + r.Data.Length) > 512);
    }

    [Fact]
    public void The_generated_zone_is_written_with_GENERATE()
    {
        var text = File.ReadAllText(Path.Combine(ZoneFileRoundTripTests.ZonesDirectory, "100.51.198.in-addr.arpa.zone"));
        Assert.Contains("\n$GENERATE ", text);
        Assert.Equal(N("130.128/26.100.51.198.in-addr.arpa."), Target(Zone("100.51.198.in-addr.arpa"), "130.100.51.198.in-addr.arpa.", RecordType.CNAME));
    }
}
