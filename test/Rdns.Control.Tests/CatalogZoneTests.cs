using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Control.Secondary;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.TestSupport;
using Rdns.Zones;

namespace Rdns.Control.Tests;

/// <summary>
/// The catalog zone (RFC 9432) as the zone list changes, its members kept in the catalog's compact
/// table: a reconciliation reads them back from the table (no change when nothing changed), a zone
/// created or deleted is one journal entry adding or removing its PTR, and the catalog read from
/// the store answers as the one served.
/// </summary>
public sealed class CatalogZoneTests() : StoreScratch("rdns-catalog-")
{
    private static readonly DnsName Name = DnsName.Parse(CatalogZone.DefaultName);

    private static DnsName Hosted(int i) => DnsName.Parse($"{i & 0xFF}.{i >> 8}.10.in-addr.arpa.");

    private static List<ResourceRecord> Zone(DnsName origin) =>
    [
        new(origin, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 7200, 900, 1209600, 300)),
        new(origin, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
        new(origin.Prepend("1"), RecordType.PTR, 3600, DnsName.Parse("host-1.example.net.").Wire.ToArray()),
    ];

    private static AuditEntry Audit(string what) => new("tester", "zone.create", what, null);

    [Fact]
    public async Task Members_live_in_the_catalogs_table_and_each_zone_change_is_one_member_change()
    {
        var store = StoreFactory.Open(new StoreOptions(), DataDirectory);
        Own(store);
        await store.MigrateAsync();
        var zones = new ServedZones();
        var writer = new ZoneWriter(store, zones, NullLogger<ZoneWriter>.Instance);
        Own(writer);
        var service = new ZoneService(writer, zones, store);
        var catalog = new CatalogZone(service, Name, NullLogger<CatalogZone>.Instance);

        const int count = 150;
        for (int i = 0; i < count; i++)
            await service.CreateAsync(Hosted(i), Zone(Hosted(i)), replace: false, Audit($"{i}"));
        await catalog.ReconcileAsync(CancellationToken.None);
        var first = zones.Current.Get(Name)!;
        Assert.Equal(count, first.CompactCount);
        Assert.Equal(Hosted(7), Rdata.ReadName(first.GetRRset(catalog.MemberName(Hosted(7)).Wire, RecordType.PTR)!.Data[0]));
        var read = CatalogMembers.Read(first);
        Assert.True(read.IsSupported);
        Assert.Equal(Enumerable.Range(0, count).Select(Hosted).Order(), read.Members.Keys.Order());
        Assert.Equal(catalog.MemberName(Hosted(9)), read.Members[Hosted(9)]);
        Assert.Empty(read.Problems);

        // Nothing changed: the members read back from the table are what is wanted, no new serial.
        await catalog.ReconcileAsync(CancellationToken.None);
        Assert.Same(first, zones.Current.Get(Name));

        // One zone gone, one new: one change, removing and adding exactly their PTRs.
        Assert.True(await service.DeleteAsync(Hosted(3), Audit("3")));
        await service.CreateAsync(Hosted(500), Zone(Hosted(500)), replace: false, Audit("500"));
        await catalog.ReconcileAsync(CancellationToken.None);
        var next = zones.Current.Get(Name)!;
        Assert.True(SerialNumber.GreaterThan(next.Serial, first.Serial));
        Assert.Equal(count, next.CompactCount);
        var change = Assert.Single(next.ChangesSince(first.Serial)!);
        Assert.Equal([(catalog.MemberName(Hosted(3)), Hosted(3))], change.Removed.Where(r => r.Type == RecordType.PTR).Select(r => (r.Owner, Rdata.ReadName(r.Data))));
        Assert.Equal([(catalog.MemberName(Hosted(500)), Hosted(500))], change.Added.Where(r => r.Type == RecordType.PTR).Select(r => (r.Owner, Rdata.ReadName(r.Data))));
        Assert.Null(next.GetRRset(catalog.MemberName(Hosted(3)).Wire, RecordType.PTR));

        // The store holds the same catalog: built from its rows, it has the same records and table.
        var stored = (await store.LoadAsync(Name))!;
        var rebuilt = ZoneSnapshot.Build(Name, stored.Records);
        Assert.Equal(count, rebuilt.CompactCount);
        Assert.Equal(Text(next), Text(rebuilt));
    }

    private static string[] Text(ZoneSnapshot zone) =>
        zone.Records().Select(r => $"{r.Owner} {r.Ttl} {r.Type} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal).ToArray();
}
