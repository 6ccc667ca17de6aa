using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

public class ZoneSnapshotTests
{
    [Fact]
    public void A_zone_needs_an_soa_and_ns_at_its_apex()
    {
        var noSoa = new ZoneBuilder("2.0.192.in-addr.arpa.").Ns("@", "ns1.example.net.");
        Assert.Contains("no SOA", Assert.Throws<ZoneDataException>(noSoa.Build).Message);
        var b = ZoneBuilder.Standard("2.0.192.in-addr.arpa.");
        b.Records.RemoveAll(r => r.Type == RecordType.NS);
        Assert.Contains("no NS", Assert.Throws<ZoneDataException>(b.Build).Message);
    }

    [Fact]
    public void Cname_beside_other_data_and_out_of_zone_records_are_refused()
    {
        var cname = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Cname("1", "x").Ptr("1", "a.example.");
        Assert.Contains("CNAME and other data", Assert.Throws<ZoneDataException>(cname.Build).Message);
        var outside = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1.3.0.192.in-addr.arpa.", "a.example.");
        Assert.Contains("out of zone", Assert.Throws<ZoneDataException>(outside.Build).Message);
    }

    [Fact]
    public void Duplicates_collapse_and_records_enumerate_soa_first()
    {
        var zone = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "a.example.").Ptr("1", "A.EXAMPLE.").Build();
        var records = zone.Records().ToList();
        Assert.Equal(RecordType.SOA, records[0].Type);
        Assert.Equal(3, records.Count);
        Assert.Equal(3, zone.RecordCount);
    }

    [Fact]
    public void Applying_a_changeset_gives_a_new_snapshot_and_leaves_the_old_one()
    {
        var b = ZoneBuilder.Standard("2.0.192.in-addr.arpa.", serial: 1).Ptr("1", "old.example.");
        var v1 = b.Build();
        var oldSoa = v1.Records().First();
        var newSoa = oldSoa with { Data = Rdata.WithSoaSerial(oldSoa.Data, 2) };
        var change = new Changeset(1, 2,
            [oldSoa, new ResourceRecord(b.N("1"), RecordType.PTR, 3600, b.N("old.example.").Wire.ToArray())],
            [newSoa, new ResourceRecord(b.N("1"), RecordType.PTR, 3600, b.N("new.example.").Wire.ToArray())]);
        var v2 = v1.Apply(change);
        Assert.Equal(1u, v1.Serial);
        Assert.Equal(2u, v2.Serial);
        Assert.Equal("old.example.", Rdata.ReadName(v1.GetRRset(b.N("1").Wire, RecordType.PTR)!.Data[0]).ToString());
        Assert.Equal("new.example.", Rdata.ReadName(v2.GetRRset(b.N("1").Wire, RecordType.PTR)!.Data[0]).ToString());
    }

    [Fact]
    public void The_most_specific_hosted_zone_wins()
    {
        var parent = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Build();
        var child = ZoneBuilder.Standard("128-26.2.0.192.in-addr.arpa.").Build();
        var set = ZoneSet.From([parent, child]);
        Assert.Same(child, set.FindZone(DnsName.Parse("129.128-26.2.0.192.in-addr.arpa.").Wire));
        Assert.Same(parent, set.FindZone(DnsName.Parse("129.2.0.192.in-addr.arpa.").Wire));
        Assert.Same(parent, set.FindZone(DnsName.Parse("2.0.192.IN-ADDR.ARPA.").Wire));
        Assert.Null(set.FindZone(DnsName.Parse("1.3.0.192.in-addr.arpa.").Wire));
        Assert.Null(set.FindZone(DnsName.Root.Wire));
    }

    [Fact]
    public void Ds_at_a_hosted_child_apex_is_answered_by_the_hosted_parent()
    {
        // RFC 4035 §3.1.4.1: the DS RRset of a delegation is parent-side data.
        var parent = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Build();
        var child = ZoneBuilder.Standard("128-26.2.0.192.in-addr.arpa.").Build();
        var set = ZoneSet.From([parent, child]);
        var childApex = DnsName.Parse("128-26.2.0.192.In-Addr.Arpa.").Wire;
        Assert.Same(parent, set.FindZone(childApex, RecordType.DS));
        Assert.Same(child, set.FindZone(childApex, RecordType.NS));
        Assert.Same(child, set.FindZone(DnsName.Parse("129.128-26.2.0.192.in-addr.arpa.").Wire, RecordType.DS));
        // Without a hosted parent the zone itself answers.
        Assert.Same(parent, set.FindZone(DnsName.Parse("2.0.192.in-addr.arpa.").Wire, RecordType.DS));
        Assert.Same(child, ZoneSet.From([child]).FindZone(childApex, RecordType.DS));
    }

    [Theory]
    [InlineData(1u, 2u, true)]
    [InlineData(0xFFFFFFFFu, 0u, true)]
    [InlineData(0u, 0x7FFFFFFFu, true)]
    [InlineData(0u, 0x80000000u, false)]
    [InlineData(5u, 5u, false)]
    [InlineData(2u, 1u, false)]
    public void Serial_arithmetic_is_rfc_1982(uint a, uint b, bool less)
    {
        Assert.Equal(less, SerialNumber.LessThan(a, b));
        Assert.Equal(0u, SerialNumber.Next(0xFFFFFFFFu));
    }
}
