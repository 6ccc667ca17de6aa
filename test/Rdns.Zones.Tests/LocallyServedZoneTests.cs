using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

/// <summary>RFC 6303 and RFC 7793 locally served zones beneath a view's zones, and the public view's refusal of private space.</summary>
public sealed class LocallyServedZoneTests
{
    private static ZoneSnapshot? Answering(ZoneSet set, string name) => set.FindAnswering(DnsName.Parse(name).Wire, RecordType.PTR);

    [Fact]
    public void The_list_is_rfc_6303_section_4_and_the_shared_space_of_rfc_7793()
    {
        var names = LocallyServedZones.Names;
        Assert.Contains("10.in-addr.arpa.", names);
        Assert.Contains("16.172.in-addr.arpa.", names);
        Assert.Contains("31.172.in-addr.arpa.", names);
        Assert.DoesNotContain("32.172.in-addr.arpa.", names);
        Assert.Contains("64.100.in-addr.arpa.", names);
        Assert.Contains("127.100.in-addr.arpa.", names);
        Assert.DoesNotContain("128.100.in-addr.arpa.", names);
        Assert.Contains("d.f.ip6.arpa.", names);
        Assert.Contains("8.b.d.0.1.0.0.2.ip6.arpa.", names);
        Assert.Equal(34, DnsName.Parse(names.Single(n => n.StartsWith("1.0.0", StringComparison.Ordinal) && n.EndsWith("ip6.arpa.", StringComparison.Ordinal))).LabelCount);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(LocallyServedZones.PrivateNames, n => Assert.Contains(n, names));

        // RFC 6303 §3: SOA nobody.invalid., serial 1, minimum 10800, NS the zone itself.
        var zone = LocallyServedZones.All.Get(DnsName.Parse("10.in-addr.arpa."))!;
        Assert.Equal(1u, zone.Serial);
        Assert.Equal(2, zone.RecordCount);
    }

    [Fact]
    public void A_view_answers_private_space_from_its_own_zones_first_then_from_the_locally_served_ones()
    {
        var set = ZoneSet.From([ZoneBuilder.Standard("5.10.in-addr.arpa.").Ptr("1", "a.example.").Build()])
            .WithLocalZones(LocallyServedZones.All, serve: true);
        Assert.Equal("5.10.in-addr.arpa.", Answering(set, "1.1.5.10.in-addr.arpa.")!.Origin.ToString());
        Assert.Equal("10.in-addr.arpa.", Answering(set, "1.1.6.10.in-addr.arpa.")!.Origin.ToString());
        Assert.Equal("168.192.in-addr.arpa.", Answering(set, "1.1.168.192.in-addr.arpa.")!.Origin.ToString());
        Assert.Null(Answering(set, "1.2.0.198.in-addr.arpa."));
        // Not hosted: nothing else sees them (listing, transfers, the write path).
        Assert.Equal(1, set.Count);
        Assert.Null(set.Get(DnsName.Parse("10.in-addr.arpa.")));
        Assert.Null(set.FindZone(DnsName.Parse("1.1.6.10.in-addr.arpa.").Wire));
        // Kept through changes of the set.
        var changed = set.With(ZoneBuilder.Standard("example.org.").Build());
        Assert.Equal("10.in-addr.arpa.", Answering(changed, "1.1.6.10.in-addr.arpa.")!.Origin.ToString());
        Assert.Equal("10.in-addr.arpa.", Answering(changed.Rebuilt(changed.Zones), "1.1.6.10.in-addr.arpa.")!.Origin.ToString());
    }

    [Fact]
    public void The_public_view_refuses_private_space_a_hosted_ancestor_would_answer_but_serves_what_it_hosts()
    {
        var set = ZoneSet.From([ZoneBuilder.Standard("in-addr.arpa.").Build(), ZoneBuilder.Standard("20.10.in-addr.arpa.").Build()])
            .WithLocalZones(LocallyServedZones.Private, serve: false);
        Assert.Null(Answering(set, "1.1.5.10.in-addr.arpa."));
        Assert.Null(Answering(set, "1.1.168.192.in-addr.arpa."));
        Assert.Equal("20.10.in-addr.arpa.", Answering(set, "1.1.20.10.in-addr.arpa.")!.Origin.ToString());
        Assert.Equal("in-addr.arpa.", Answering(set, "1.2.0.192.in-addr.arpa.")!.Origin.ToString());
        // Without locally served zones (a set as before views), the ancestor answers as it always did.
        var plain = ZoneSet.From([ZoneBuilder.Standard("in-addr.arpa.").Build()]);
        Assert.Equal("in-addr.arpa.", Answering(plain, "1.1.5.10.in-addr.arpa.")!.Origin.ToString());
    }

    [Fact]
    public void A_set_of_locally_served_zones_knows_the_names_strictly_above_them()
    {
        var local = LocallyServedZones.Private;
        Assert.True(local.HasZoneBelow(DnsName.Parse("172.in-addr.arpa.").Wire));
        Assert.True(local.HasZoneBelow(DnsName.Parse("IN-ADDR.arpa.").Wire));
        Assert.True(local.HasZoneBelow(DnsName.Parse("arpa.").Wire));
        Assert.True(local.HasZoneBelow(DnsName.Root.Wire));
        Assert.True(local.HasZoneBelow(DnsName.Parse("f.ip6.arpa.").Wire));
        // A zone itself is not below itself; names beside or below the zones have none below them.
        Assert.False(local.HasZoneBelow(DnsName.Parse("16.172.in-addr.arpa.").Wire));
        Assert.False(local.HasZoneBelow(DnsName.Parse("1.16.172.in-addr.arpa.").Wire));
        Assert.False(local.HasZoneBelow(DnsName.Parse("45.in-addr.arpa.").Wire));
        Assert.False(local.HasZoneBelow(DnsName.Parse("0.0.10.in-addr.arpa.").Wire));
        Assert.False(local.HasZoneBelow(DnsName.Parse("e.f.ip6.arpa.").Wire));
        Assert.False(local.HasZoneBelow(DnsName.Parse("example.com.").Wire));
        Assert.True(LocallyServedZones.All.HasZoneBelow(DnsName.Parse("255.255.255.in-addr.arpa.").Wire));
        Assert.True(LocallyServedZones.All.HasZoneBelow(DnsName.Parse("e.f.ip6.arpa.").Wire));
        // What a hosted zone keeps of it, asked twice (found, then kept).
        foreach (var (origin, none) in new[] { ("45.in-addr.arpa.", true), ("172.in-addr.arpa.", false), ("255.255.255.in-addr.arpa.", false), ("3.2.1.in-addr.arpa.", true), ("e.f.ip6.arpa.", false), ("example.com.", true) })
        {
            var zone = ZoneBuilder.Standard(origin).Build();
            Assert.Equal(none, zone.NoLocallyServedZoneBelow);
            Assert.Equal(none, zone.NoLocallyServedZoneBelow);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(int.MaxValue)]
    public void Hosted_zones_with_and_without_a_locally_served_zone_below_them_answer_by_the_rule_as_snapshots_and_as_rows(int minRows)
    {
        // Zones a /24 wide are rows when minRows is 1, snapshots otherwise; /8s are always snapshots.
        var hosted = ZoneSet.From(
            [
                ZoneBuilder.Standard("172.in-addr.arpa.").Ptr("1.1.32", "a.example.").Ptr("1.1.16", "private.example.").Build(),
                ZoneBuilder.Standard("45.in-addr.arpa.").Ptr("1.2.3", "b.example.").Build(),
                ZoneBuilder.Standard("255.255.255.in-addr.arpa.").Ptr("1", "c.example.").Ptr("255", "broadcast.example.").Build(),
                ZoneBuilder.Standard("3.2.1.in-addr.arpa.").Ptr("4", "d.example.").Build(),
            ], null, NameMap<Rdns.Zones.Dnssec.ZoneSigner>.Empty, minRows: minRows);
        Assert.Equal(minRows == 1 ? 2 : 0, hosted.RowCount);
        // The public view's rule against every locally served zone: a name in one below a hosted
        // zone is refused; every other name is answered by the zone that holds it.
        var set = hosted.WithLocalZones(LocallyServedZones.All, serve: false);
        Assert.True(Holds(set, "1.1.32.172.in-addr.arpa."));
        Assert.False(Holds(set, "1.1.16.172.in-addr.arpa."));
        Assert.True(Holds(set, "1.2.3.45.in-addr.arpa."));
        Assert.True(Holds(set, "1.255.255.255.in-addr.arpa."));
        Assert.False(Holds(set, "255.255.255.255.in-addr.arpa."));
        Assert.True(Holds(set, "4.3.2.1.in-addr.arpa."));
        Assert.True(Holds(set, "4.3.2.1.IN-ADDR.ARPA."));
        Assert.False(Holds(set, "1.0.0.127.in-addr.arpa."));
        // A view's rule: the hosted zone answers first; a name no hosted zone holds, the locally served one.
        var view = hosted.WithLocalZones(LocallyServedZones.All, serve: true);
        Assert.True(Holds(view, "1.1.16.172.in-addr.arpa."));
        Assert.True(Holds(view, "255.255.255.255.in-addr.arpa."));
        Assert.Equal("127.in-addr.arpa.", view.FindAnswering(DnsName.Parse("1.0.0.127.in-addr.arpa.").Wire, RecordType.PTR, out var none)!.Origin.ToString());
        Assert.False(none.Found);
    }

    [Fact]
    public void A_set_of_locally_served_zones_other_than_the_standard_ones_is_asked_itself()
    {
        // 45.in-addr.arpa. has none of the standard zones below it; this set has one there.
        var local = ZoneSet.From([LocallyServedZones.Empty(DnsName.Parse("9.45.in-addr.arpa."))]);
        var set = ZoneSet.From([ZoneBuilder.Standard("45.in-addr.arpa.").Ptr("1.2.3", "b.example.").Ptr("1.2.9", "c.example.").Build()])
            .WithLocalZones(local, serve: false);
        Assert.True(Holds(set, "1.2.3.45.in-addr.arpa."));
        Assert.False(Holds(set, "1.2.9.45.in-addr.arpa."));
    }

    /// <summary>A hosted zone, snapshot or row, answers the name.</summary>
    private static bool Holds(ZoneSet set, string name)
    {
        var zone = set.FindAnswering(DnsName.Parse(name).Wire, RecordType.PTR, out var row);
        return row.Found || (zone is not null && zone.Origin.ToString() != "127.in-addr.arpa.");
    }
}
