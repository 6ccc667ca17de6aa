using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.TestSupport;
using Rdns.Zones;

namespace Rdns.Control.Tests;

/// <summary>
/// A large new zone is built on another thread while the writer stores its rows: a valid one is
/// stored and served as the records say, an invalid one is refused with nothing of it stored, and
/// writes queued beside it still land.
/// </summary>
public sealed class LargeImportTests() : StoreScratch("rdns-import-")
{
    private static readonly DnsName Big = DnsName.Parse("10.in-addr.arpa.");
    private static readonly DnsName Small = DnsName.Parse("2.0.192.in-addr.arpa.");

    private async Task<(IRdnsStore Store, ServedZones Zones, ZoneService Service)> NodeAsync(bool postgres)
    {
        string? connection = null;
        if (postgres)
        {
            var db = await PostgresDatabase.CreateAsync();
            Own(db);
            connection = db.ConnectionString;
        }
        var store = StoreFactory.Open(new StoreOptions { Connection = connection }, DataDirectory);
        Own(store);
        await store.MigrateAsync();
        var zones = new ServedZones();
        var writer = new ZoneWriter(store, zones, NullLogger<ZoneWriter>.Instance);
        Own(writer);
        return (store, zones, new ZoneService(writer, zones, store));
    }

    private static List<ResourceRecord> Zone(DnsName origin, int ptrs)
    {
        var records = new List<ResourceRecord>
        {
            new(origin, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 7200, 900, 1209600, 300)),
            new(origin, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
        };
        for (int i = 0; i < ptrs; i++)
        {
            var owner = origin.Prepend($"{i & 0xFF}").Prepend($"{(i >> 8) & 0xFF}").Prepend($"{i >> 16}");
            records.Add(new ResourceRecord(owner, RecordType.PTR, 3600, DnsName.Parse($"edge{i % 7}.tenant{i}.example.").Wire.ToArray()));
        }
        return records;
    }

    private static string Dump(IEnumerable<ResourceRecord> records) =>
        string.Join("\n", records.Select(r => r.ToString()).Order(StringComparer.Ordinal));

    private static AuditEntry Audit(string what) => new("tester", "zone.import", what, null);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_large_zone_built_while_its_rows_are_written_is_stored_and_served_as_its_records_say(bool postgres)
    {
        var (store, zones, service) = await NodeAsync(postgres);
        var records = Zone(Big, 60_000);
        records.Add(new ResourceRecord(Big.Prepend("www"), RecordType.TXT, 60, Rdata.Txt(["not a PTR"])));
        var rows = ZoneRows.From(records);

        var snapshot = await service.ImportAsync(Big, rows, Audit("big"), enforcePolicy: false);

        Assert.Same(snapshot, zones.Current.Get(Big));
        Assert.Equal(Dump(ZoneSnapshot.Build(Big, records).Records()), Dump(snapshot.Records()));
        Assert.Equal(60_000, snapshot.CompactCount);
        Assert.Equal(Dump(records), Dump((await store.LoadAsync(Big))!.Records));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_large_zone_that_is_not_valid_leaves_nothing_and_writes_beside_it_land(bool postgres)
    {
        var (store, zones, service) = await NodeAsync(postgres);
        await service.ImportAsync(Small, Zone(Small, 0), Audit("small"));
        var records = Zone(Big, 60_000);
        // A CNAME beside a PTR: not a zone (RFC 1034 §3.6.2), found only when the zone is built.
        records.Add(new ResourceRecord(Big.Prepend("5").Prepend("0").Prepend("0"), RecordType.CNAME, 60, DnsName.Parse("x.example.").Wire.ToArray()));

        var failing = service.ImportAsync(Big, ZoneRows.From(records), Audit("big"), enforcePolicy: false);
        var other = service.ImportAsync(Small, Zone(Small, 3), Audit("small again"));

        var e = await Assert.ThrowsAsync<ZoneDataException>(() => failing);
        Assert.Contains("CNAME and other data", e.Message);
        await other;
        Assert.Null(zones.Current.Get(Big));
        Assert.Null(await store.LoadAsync(Big));
        Assert.Equal(5, (await store.LoadAsync(Small))!.Records.Count);
        Assert.DoesNotContain(await store.GetAuditAsync(10), a => a.Target == "big");
    }
}
