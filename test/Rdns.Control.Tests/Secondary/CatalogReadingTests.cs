using Rdns.Addressing;
using Rdns.Control.Secondary;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Synthesis;

namespace Rdns.Control.Tests.Secondary;

/// <summary>What a consumer reads from a catalog zone (RFC 9432): members, version, and the pools published under <c>ext</c> (§4.4).</summary>
public class CatalogReadingTests
{
    private static readonly DnsName Catalog = DnsName.Parse("catalog.invalid.");
    private static readonly DnsName Invalid = DnsName.Parse("invalid.");

    private static List<ResourceRecord> Skeleton(string version = "2") =>
    [
        new(Catalog, RecordType.SOA, 0, Rdata.Soa(Invalid, Invalid, 1, 3600, 600, 2147483646, 0)),
        new(Catalog, RecordType.NS, 0, Invalid.Wire.ToArray()),
        new(Catalog.Prepend("version"), RecordType.TXT, 0, Rdata.Txt(version)),
    ];

    private static ResourceRecord Member(string label, string zone) =>
        new(Catalog.Prepend("zones").Prepend(label), RecordType.PTR, 0, Rdata.Ptr(DnsName.Parse(zone)));

    [Fact]
    public void Members_are_the_ptrs_one_label_below_zones()
    {
        var records = Skeleton();
        records.Add(Member("a1", "2.0.192.in-addr.arpa."));
        records.Add(Member("b2", "example.net."));
        // A property of a member (below its label) is not a member.
        records.Add(new(Catalog.Prepend("zones").Prepend("a1").Prepend("group"), RecordType.TXT, 0, Rdata.Txt("g")));
        var members = CatalogMembers.Read(ZoneSnapshot.Build(Catalog, records));
        Assert.True(members.IsSupported);
        Assert.Equal(["2.0.192.in-addr.arpa.", "example.net."], members.Members.Keys.Select(k => k.ToString()).Order());
        Assert.Equal("a1.zones.catalog.invalid.", members.Members[DnsName.Parse("2.0.192.in-addr.arpa.")].ToString());
        Assert.Empty(members.Problems);
    }

    [Fact]
    public void A_zone_listed_twice_keeps_its_first_label_and_is_reported()
    {
        var records = Skeleton();
        records.Add(Member("a1", "example.net."));
        records.Add(Member("b2", "example.net."));
        var members = CatalogMembers.Read(ZoneSnapshot.Build(Catalog, records));
        Assert.Single(members.Members);
        Assert.Contains("listed twice", Assert.Single(members.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_of_another_version_is_not_supported()
    {
        var members = CatalogMembers.Read(ZoneSnapshot.Build(Catalog, Skeleton("1")));
        Assert.False(members.IsSupported);
    }

    [Fact]
    public void Pools_round_trip_through_their_catalog_property()
    {
        Assert.True(DefaultNamePool.TryCreate(IpPrefix.Parse("2001:db8:7::/48"), "v6-{ip}.pool.example.net.", 600, out var pool, out _));
        var records = Skeleton();
        records.Add(new(CatalogPoolProperty.Owner(Catalog, pool!.Prefix), RecordType.TXT, 0, CatalogPoolProperty.Data(pool)));
        // Unknown keys are ignored (a later version may add some); a malformed property is reported and skipped.
        records.Add(new(CatalogPoolProperty.Parent(Catalog).Prepend("bad"), RecordType.TXT, 0, Rdata.Txt("prefix=300.0.0.0/8", "template=x-{ip}.example.")));
        var problems = new List<string>();
        var read = CatalogPoolProperty.Read(ZoneSnapshot.Build(Catalog, records), problems.Add);
        var back = Assert.Single(read);
        Assert.Equal(pool.Prefix, back.Prefix);
        Assert.Equal(pool.Template, back.Template);
        Assert.Equal(600u, back.Ttl);
        Assert.Equal(pool.ForwardZone, back.ForwardZone);
        Assert.Contains("bad.pools.rdns.ext.catalog.invalid.", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Refresh_times_survive_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("rdns-times-").FullName;
        try
        {
            var path = Path.Combine(folder, "secondary-state.json");
            var times = RefreshTimes.Load(path);
            var when = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
            times.Set(DnsName.Parse("example.net."), when);
            times.SaveIfChanged();
            Assert.Equal(when, RefreshTimes.Load(path).Get(DnsName.Parse("example.net.")));

            // An unreadable file is set aside; the times start afresh.
            File.WriteAllText(path, "{not json");
            Assert.Null(RefreshTimes.Load(path).Get(DnsName.Parse("example.net.")));
            Assert.True(File.Exists(path + ".unreadable"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
