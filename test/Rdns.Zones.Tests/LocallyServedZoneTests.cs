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
}
