using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

/// <summary>
/// The compact address table must be invisible: every answer is what the same zone gives with all
/// its names as nodes.
/// </summary>
public class CompactPtrTests
{
    private static DnsMessage Ask(ZoneSnapshot zone, string qname, RecordType qtype)
    {
        var name = DnsName.Parse(qname);
        var buffer = new byte[4096];
        var w = new DnsMessageWriter(buffer, 4096);
        w.TryWriteQuestion(name.Wire, qtype, RecordClass.IN);
        var outcome = AuthoritativeAnswer.Write(zone, name.Wire, qtype, ref w, true);
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR | (outcome.Authoritative ? HeaderFlags.AA : 0), Opcode.Query, (int)outcome.Rcode);
        return DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
    }

    private static ZoneSnapshot V4Slash16()
    {
        var b = ZoneBuilder.Standard("16.172.in-addr.arpa.");
        for (int i = 1; i <= 200; i++)
            b.Ptr($"{i}.{i % 7}", $"host-{i}.example.net.");
        b.Txt("5.5", "not only a PTR");         // stays a node
        b.Ptr("9.9", "a.example.net.").Ptr("9.9", "b.example.net."); // two PTRs: stays a node
        b.Ns("250", "ns.elsewhere.example.").Ptr("1.250", "under-a-cut.example."); // below a cut: stays a node (glue-like)
        b.Ptr("8.8", "eight.example.net.").Txt("x.8.8", "below an address name");
        return b.Build();
    }

    [Fact]
    public void Plain_address_ptrs_are_compacted_and_everything_else_stays_a_node()
    {
        var zone = V4Slash16();
        Assert.True(zone.CompactCount >= 190, $"compact {zone.CompactCount}");
        Assert.Equal(zone.RecordCount, zone.Records().Count());
        Assert.Null(zone.Find(DnsName.Parse("10.3.16.172.in-addr.arpa.").Wire));
        Assert.NotNull(zone.Find(DnsName.Parse("5.5.16.172.in-addr.arpa.").Wire));
        Assert.NotNull(zone.Find(DnsName.Parse("8.8.16.172.in-addr.arpa.").Wire));
        Assert.Equal("host-10.example.net.", Rdata.ReadName(zone.GetRRset(DnsName.Parse("10.3.16.172.in-addr.arpa.").Wire, RecordType.PTR)!.Data[0]).ToString());
    }

    [Fact]
    public void Compacted_names_answer_like_nodes()
    {
        var zone = V4Slash16();
        Assert.Equal("host-10.example.net.", Rdata.ReadName(Assert.Single(Ask(zone, "10.3.16.172.in-addr.arpa.", RecordType.PTR).Answers).Data).ToString());
        var owner = Assert.Single(Ask(zone, "10.3.16.172.IN-ADDR.ARPA.", RecordType.PTR).Answers).Owner;
        Assert.Equal("10.3.16.172.IN-ADDR.ARPA.", owner.ToString());
        var nodata = Ask(zone, "10.3.16.172.in-addr.arpa.", RecordType.TXT);
        Assert.Equal(0, nodata.Rcode);
        Assert.Empty(nodata.Answers);
        Assert.Single(nodata.Authority);
        // "6.16.172" exists only as the parent of compacted names: an empty non-terminal.
        var ent = Ask(zone, "6.16.172.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(0, ent.Rcode);
        Assert.Empty(ent.Answers);
        Assert.Equal((int)Rcode.NXDomain, Ask(zone, "250.3.16.172.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Equal((int)Rcode.NXDomain, Ask(zone, "200.16.172.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Equal((int)Rcode.NXDomain, Ask(zone, "x.10.3.16.172.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Equal(2, Ask(zone, "9.9.16.172.in-addr.arpa.", RecordType.PTR).Answers.Count);
        var referral = Ask(zone, "1.250.16.172.in-addr.arpa.", RecordType.PTR);
        Assert.False(referral.Has(HeaderFlags.AA));
        Assert.Equal(RecordType.NS, Assert.Single(referral.Authority).Type);
        Assert.Single(Ask(zone, "x.8.8.16.172.in-addr.arpa.", RecordType.TXT).Answers);
    }

    [Fact]
    public void Ipv6_nibble_zones_compact_and_their_partial_names_exist()
    {
        var b = ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.");
        var addresses = new[] { "2001:db8::1", "2001:db8:0:1::5", "2001:db8:ffff::abcd" };
        foreach (var a in addresses)
            b.Records.Add(new ResourceRecord(DnsName.Parse(Addressing.ReverseName.ToName(Addressing.IpAddress.Parse(a))), RecordType.PTR, 60, DnsName.Parse($"h{a.Length}.example.").Wire.ToArray()));
        var zone = b.Build();
        Assert.Equal(3, zone.CompactCount);
        foreach (var a in addresses)
            Assert.Single(Ask(zone, Addressing.ReverseName.ToName(Addressing.IpAddress.Parse(a)), RecordType.PTR).Answers);
        var ent = Ask(zone, "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR);
        Assert.Equal(0, ent.Rcode);
        Assert.Empty(ent.Answers);
        Assert.Equal((int)Rcode.NXDomain, Ask(zone, "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", RecordType.PTR).Rcode);
        Assert.Equal(Addressing.ReverseName.ToName(Addressing.IpAddress.Parse("2001:db8:ffff::abcd")),
            zone.Records().Single(r => r.Type == RecordType.PTR && Rdata.ReadName(r.Data).ToString() == "h19.example.").Owner.ToString());
    }

    [Fact]
    public void A_cname_to_an_address_of_another_zone_ends_the_chain_instead_of_reading_this_zones_table()
    {
        // 5.3.0.192.in-addr.arpa. has as many labels as this zone's addresses, and its first label
        // is an address of this zone: the table must not answer for it.
        var zone = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("5", "five.example.").Cname("alias", "5.3.0.192.in-addr.arpa.").Build();
        Assert.Equal(1, zone.CompactCount);
        var answer = Ask(zone, "alias.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(0, answer.Rcode);
        Assert.Equal(RecordType.CNAME, Assert.Single(answer.Answers).Type);
    }

    [Fact]
    public void A_zone_with_a_wildcard_keeps_every_name_a_node()
    {
        var zone = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.").Ptr("*.sub", "wild.example.").Build();
        Assert.Equal(0, zone.CompactCount);
        Assert.Single(Ask(zone, "x.sub.2.0.192.in-addr.arpa.", RecordType.PTR).Answers);
    }

    [Fact]
    public void Changes_to_compacted_names_apply_like_any_other()
    {
        var b = ZoneBuilder.Standard("2.0.192.in-addr.arpa.", serial: 1).Ptr("1", "old.example.").Ptr("2", "two.example.");
        var v1 = b.Build();
        var oldSoa = v1.Records().First();
        var change = new Changeset(1, 2,
            [oldSoa, new ResourceRecord(b.N("1"), RecordType.PTR, 3600, b.N("old.example.").Wire.ToArray())],
            [oldSoa with { Data = Rdata.WithSoaSerial(oldSoa.Data, 2) }, new ResourceRecord(b.N("3"), RecordType.PTR, 3600, b.N("three.example.").Wire.ToArray())]);
        var v2 = v1.Apply(change);
        Assert.Equal((int)Rcode.NXDomain, Ask(v2, "1.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Single(Ask(v2, "2.2.0.192.in-addr.arpa.", RecordType.PTR).Answers);
        Assert.Single(Ask(v2, "3.2.0.192.in-addr.arpa.", RecordType.PTR).Answers);
        Assert.Equal(2, v2.CompactCount);
        Assert.Single(v2.History);
    }

    [Theory]
    [InlineData("45.in-addr.arpa.", "45.0.0.0")]              // a /8: three-octet keys
    [InlineData("2.0.192.in-addr.arpa.", "192.0.2.0")]         // a /24: one-octet keys
    [InlineData("64-26.2.0.192.in-addr.arpa.", "192.0.2.64")]  // an RFC 2317 child: six host bits
    [InlineData("8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::")]    // a /32: twelve-octet keys
    [InlineData("0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::")] // a /48: ten-octet keys
    public void Targets_of_every_kind_come_back_exactly_in_zones_of_every_width(string origin, string network)
    {
        // Tenants' own names (nothing shared), an operator's (a shared suffix), one-label names,
        // the root, mixed case and IDN A-labels; several TTLs.
        string[] targets =
        [
            "smtp5.kerberwood.de.", "Edge1.EU.Nordalin-Hosting.co.uk.", "mail.xn--mnchen-3ya.de.", "localhost.", ".",
            "host-1.cust7.example.net.", "host-2.cust7.example.net.", "a.b.c.d.e.f.g.example.", "x.co.uk.",
        ];
        var b = ZoneBuilder.Standard(origin);
        var info = Rdns.Zones.Synthesis.ReverseZoneInfo.For(b.Origin)!;
        var first = Addressing.IpAddress.Parse(network);
        var expected = new Dictionary<string, (string Target, uint Ttl)>();
        int hostBits = info.Prefix.HostBits;
        for (int i = 0; i < 40; i++)
        {
            // Spread over the whole range: low, high, and in between.
            UInt128 host = i switch { 0 => 0, 1 => ((UInt128)1 << hostBits) - 1, _ => ((UInt128)(uint)(i * 2654435761u) * 7919) & (((UInt128)1 << hostBits) - 1) };
            var address = new Addressing.IpAddress(first.Family, first.Value | host);
            string name = info.Prefix.Family == Addressing.IpFamily.V4 && info.Prefix.Length % 8 != 0
                ? $"{(uint)(address.Value & 0xff)}.{origin}"
                : Addressing.ReverseName.ToName(address);
            string target = targets[i % targets.Length];
            uint ttl = i % 3 == 0 ? 60u : 3600u;
            if (!expected.TryAdd(name, (target, ttl)))
                continue;
            b.Records.Add(new ResourceRecord(DnsName.Parse(name), RecordType.PTR, ttl, DnsName.Parse(target).Wire.ToArray()));
        }
        var zone = b.Build();
        Assert.Equal(expected.Count, zone.CompactCount);
        foreach (var (name, (target, ttl)) in expected)
        {
            var answer = Assert.Single(Ask(zone, name, RecordType.PTR).Answers);
            Assert.Equal(target, Rdata.ReadName(answer.Data).ToString());
            Assert.Equal(ttl, answer.Ttl);
        }
        var listed = zone.CompactRecords().Select(r => (DnsName.FromWire(r.Owner).ToString(), Rdata.ReadName(r.Target).ToString())).ToHashSet();
        Assert.Equal(expected.Select(e => (e.Key, e.Value.Target)).ToHashSet(), listed);
    }
    [Theory]
    [InlineData("16.172.in-addr.arpa.", "172.16.0.0")]          // a /16: two-octet keys
    [InlineData("10.in-addr.arpa.", "10.0.0.0")]                // a /8: three-octet keys
    [InlineData("64-26.2.0.192.in-addr.arpa.", "192.0.2.64")]   // an RFC 2317 child
    [InlineData("0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::")] // a /48 nibble zone
    public void The_transfer_cursor_reads_what_the_listing_lists_before_and_after_changes(string origin, string network)
    {
        var b = ZoneBuilder.Standard(origin, serial: 1);
        var info = Rdns.Zones.Synthesis.ReverseZoneInfo.For(b.Origin)!;
        var first = Addressing.IpAddress.Parse(network);
        int hostBits = info.Prefix.HostBits;
        string NameOf(UInt128 host)
        {
            var address = new Addressing.IpAddress(first.Family, first.Value | (host & (((UInt128)1 << hostBits) - 1)));
            return info.Prefix.Family == Addressing.IpFamily.V4 && info.Prefix.Length % 8 != 0
                ? $"{(uint)(address.Value & 0xff)}.{origin}"
                : Addressing.ReverseName.ToName(address);
        }
        for (int i = 2; i < 60; i += 2)
            b.Ptr(NameOf((UInt128)i), $"h{i}.Tenant{i % 5}.example.");
        // A run across parents: from 255 to 256 the owner's second label changes too.
        if (hostBits > 8)
        {
            for (int i = 250; i < 270; i++)
                b.Ptr(NameOf((UInt128)i), $"h{i}.Tenant{i % 5}.example.");
        }
        var v1 = b.Build();
        AssertCursorMatchesListing(v1);

        // Before the first key, between keys, a replacement, a removal, after the last key.
        var soa = v1.Records().First();
        ResourceRecord Ptr(UInt128 host, string target) => new(DnsName.Parse(NameOf(host)), RecordType.PTR, 600, DnsName.Parse(target).Wire.ToArray());
        var removed = v1.Records().Where(r => r.Type == RecordType.PTR && (r.Owner.ToString() == NameOf(10) || r.Owner.ToString() == NameOf(20))).ToList();
        Assert.Equal(2, removed.Count);
        var change = new Changeset(1, 2, [soa, .. removed],
            [soa with { Data = Rdata.WithSoaSerial(soa.Data, 2) }, Ptr(0, "zero.example."), Ptr(11, "eleven.example."), Ptr(20, "twenty-again.example."), Ptr(61, "last.example.")]);
        var v2 = v1.Apply(change);
        Assert.True(v2.CompactCount > 0);
        AssertCursorMatchesListing(v2);
        // The patched records (3 added, 1 replaced) have no number; the table's all do.
        Read(v1, out int numbered1);
        Assert.Equal(v1.CompactCount, numbered1);
        Read(v2, out int numbered2);
        Assert.Equal(v2.CompactCount - 4, numbered2);
        Assert.Contains(Read(v2), r => r.Owner == NameOf(0) && r.Target == "zero.example.");
        Assert.DoesNotContain(Read(v2), r => r.Owner == NameOf(10));
    }

    private static List<(string Owner, uint Ttl, string Target)> Read(ZoneSnapshot zone) => Read(zone, out _);

    /// <summary>The cursor's records; <paramref name="numbered"/>: how many came with a numbered suffix (read from the table, not the patch).</summary>
    private static List<(string Owner, uint Ttl, string Target)> Read(ZoneSnapshot zone, out int numbered)
    {
        numbered = 0;
        var cursor = zone.OpenCompactRecords();
        var owner = new byte[DnsName.MaxLength];
        var target = new byte[DnsName.MaxLength];
        var read = new List<(string, uint, string)>();
        while (cursor.Next(owner, target, out int ownerLength, out int targetLength, out uint ttl, out int suffixAt, out int suffixId))
        {
            read.Add((DnsName.FromWire(owner.AsSpan(0, ownerLength)).ToString(), ttl, DnsName.FromWire(target.AsSpan(0, targetLength)).ToString()));
            if (suffixId < 0)
                continue;
            numbered++;
            // A numbered suffix: the table's octets of that number, from a label start of the target.
            Assert.True(target.AsSpan(suffixAt, targetLength - suffixAt).SequenceEqual(TargetSuffixes.Get(suffixId)));
            int p = 0;
            while (p < suffixAt)
                p += 1 + target[p];
            Assert.Equal(suffixAt, p);
        }
        return read;
    }

    private static void AssertCursorMatchesListing(ZoneSnapshot zone)
    {
        var listed = zone.CompactRecords().Select(r => (DnsName.FromWire(r.Owner).ToString(), r.Ttl, DnsName.FromWire(r.Target).ToString())).ToList();
        Assert.Equal(zone.CompactCount, listed.Count);
        Assert.Equal(listed, Read(zone));
    }
}
