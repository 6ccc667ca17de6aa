using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

/// <summary>
/// A small zone is held with fewer objects (no node map when the apex is alone, no index or TTL
/// array in a small compact table, apex RRsets shared between zones); none of it may show in what
/// the zone holds or answers.
/// </summary>
public class SmallZoneTests
{
    private static ResourceRecord Soa(ZoneSnapshot zone, uint serial) =>
        new(zone.Origin, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), serial, 7200, 900, 1209600, 300));

    [Theory]
    [InlineData(1)]
    [InlineData(16)] // the largest table without an index
    [InlineData(17)] // the smallest with one
    [InlineData(40)]
    public void Every_ptr_of_a_small_table_reads_back_with_its_own_ttl(int count)
    {
        var b = ZoneBuilder.Standard("0.51.198.in-addr.arpa.");
        for (int i = 0; i < count; i++)
            b.Name($"{i * 3}", RecordType.PTR, $"h{i}.tenant{i % 4}.example.", ttl: i % 3 == 0 ? 300u : 3600u);
        var zone = b.Build();

        Assert.Equal(count, zone.CompactCount);
        for (int i = 0; i < count; i++)
        {
            var set = zone.GetRRset(DnsName.Parse($"{i * 3}.0.51.198.in-addr.arpa.").Wire, RecordType.PTR);
            Assert.NotNull(set);
            Assert.Equal(i % 3 == 0 ? 300u : 3600u, set.Ttl);
            Assert.Equal(DnsName.Parse($"h{i}.tenant{i % 4}.example."), Rdata.ReadName(set.Data[0]));
        }
        Assert.Null(zone.GetRRset(DnsName.Parse("1.0.51.198.in-addr.arpa.").Wire, RecordType.PTR));
        Assert.Null(zone.GetRRset(DnsName.Parse("255.0.51.198.in-addr.arpa.").Wire, RecordType.PTR));
    }

    [Fact]
    public void A_zone_of_its_apex_alone_finds_the_apex_in_any_case_and_nothing_else()
    {
        var zone = ZoneBuilder.Standard("Example.ORG.").Build();

        Assert.Equal(1, zone.NodeCount);
        Assert.Same(zone.Apex, zone.Find(DnsName.Parse("example.org.").Wire));
        Assert.Same(zone.Apex, zone.Find(DnsName.Parse("EXAMPLE.org.").Wire));
        Assert.Null(zone.Find(DnsName.Parse("www.example.org.").Wire));
        Assert.Null(zone.Find(DnsName.Parse("org.").Wire));
        Assert.Same(zone.Apex, Assert.Single(zone.Nodes));
        Assert.Equal("Example.ORG.", zone.Origin.ToString());
    }

    [Fact]
    public void A_zone_of_its_apex_alone_gains_and_loses_a_node_by_a_change()
    {
        var zone = ZoneBuilder.Standard("example.org.").Build();
        var txt = new ResourceRecord(DnsName.Parse("www.example.org."), RecordType.TXT, 3600, Rdata.Txt("hello"));

        var grown = zone.Apply(new Changeset(1, 2, [Soa(zone, 1)], [txt, Soa(zone, 2)]));
        Assert.Equal(2, grown.NodeCount);
        Assert.NotNull(grown.Find(DnsName.Parse("WWW.example.org.").Wire)?.Find(RecordType.TXT));
        Assert.Same(grown.Apex, grown.Find(DnsName.Parse("example.org.").Wire));
        Assert.Equal(2u, grown.Serial);

        var shrunk = grown.Apply(new Changeset(2, 3, [txt, Soa(zone, 2)], [Soa(zone, 3)]));
        Assert.Equal(1, shrunk.NodeCount);
        Assert.Null(shrunk.Find(DnsName.Parse("www.example.org.").Wire));
        Assert.Equal(3u, shrunk.Serial);
        Assert.Equal(3u, Rdata.SoaSerial(shrunk.Find(DnsName.Parse("example.org.").Wire)!.Find(RecordType.SOA)!.Data[0]));
    }

    [Fact]
    public void Zones_with_the_same_apex_records_share_their_apex_rrsets_and_zones_with_others_do_not()
    {
        var a = ZoneBuilder.Standard("1.51.198.in-addr.arpa.").Ptr("1", "a.example.").Build();
        var b = ZoneBuilder.Standard("2.51.198.in-addr.arpa.").Ptr("1", "b.example.").Build();
        var other = ZoneBuilder.Standard("3.51.198.in-addr.arpa.", serial: 7).Build();

        Assert.Same(a.Apex.Sets, b.Apex.Sets);
        Assert.NotSame(a.Apex.Sets, other.Apex.Sets);
        Assert.Equal(7u, other.Serial);
        Assert.Equal(1u, a.Serial);
    }

    [Fact]
    public void The_origin_is_spelled_as_the_apex_record_spells_it()
    {
        var zone = ZoneSnapshot.Build(DnsName.Parse("example.org."),
        [
            new ResourceRecord(DnsName.Parse("EXAMPLE.org."), RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 7200, 900, 1209600, 300)),
            new ResourceRecord(DnsName.Parse("example.org."), RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
        ]);
        Assert.True(zone.Origin.Wire.SequenceEqual(zone.Apex.Name));
        var set = ZoneSet.From([zone]);
        Assert.Same(zone, set.Get(DnsName.Parse("Example.Org.")));
    }
}
