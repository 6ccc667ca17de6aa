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
/// Start-up reads the store's rows on one thread and feeds the builders on another, in batches:
/// every zone comes out exactly as one thread feeding the builders row by row makes it.
/// </summary>
public sealed class ZoneLoaderTests() : StoreScratch("rdns-loader-")
{
    private static readonly DnsName Big = DnsName.Parse("10.in-addr.arpa.");
    private static readonly DnsName Small = DnsName.Parse("2.0.192.in-addr.arpa.");
    private static readonly DnsName Six = DnsName.Parse("8.b.d.0.1.0.0.2.ip6.arpa.");

    private static List<ResourceRecord> Zone(DnsName origin, int ptrs, Func<int, DnsName> owner)
    {
        var records = new List<ResourceRecord>
        {
            new(origin, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 7200, 900, 1209600, 300)),
            new(origin, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
        };
        for (int i = 0; i < ptrs; i++)
            records.Add(new ResourceRecord(owner(i), RecordType.PTR, (uint)(i % 5 == 0 ? 60 : 3600), DnsName.Parse($"edge{i % 7}.Tenant{i}.example.").Wire.ToArray()));
        return records;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Zones_read_in_two_stages_equal_those_fed_row_by_row(bool postgres)
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
        var writer = new ZoneWriter(store, new ServedZones(), NullLogger<ZoneWriter>.Instance);
        Own(writer);
        var service = new ZoneService(writer, new ServedZones(), store);

        // Many batches of rows; an address with two PTRs, a name with other data, a large TXT
        // (octets, not rows, fill that batch), several zones and an IPv6 one.
        var big = Zone(Big, 50_000, i => Big.Prepend($"{i & 0xFF}").Prepend($"{(i >> 8) & 0xFF}").Prepend($"{i >> 16}"));
        big.Add(new ResourceRecord(DnsName.Parse("7.0.0.10.in-addr.arpa."), RecordType.PTR, 3600, DnsName.Parse("second.example.").Wire.ToArray()));
        big.Add(new ResourceRecord(Big.Prepend("www"), RecordType.TXT, 60, Rdata.Txt([.. Enumerable.Repeat(new string('x', 250), 200)])));
        await service.ImportAsync(Big, ZoneRows.From(big), new AuditEntry("tester", "zone.import", "big"), enforcePolicy: false);
        await service.ImportAsync(Small, Zone(Small, 200, i => Small.Prepend($"{i}")), new AuditEntry("tester", "zone.import", "small"));
        await service.ImportAsync(Six, Zone(Six, 3000, i => DnsName.Parse(string.Join('.', $"{i:x8}".Reverse()) + "." + string.Concat(Enumerable.Repeat("0.", 16)) + Six)),
            new AuditEntry("tester", "zone.import", "six"), enforcePolicy: false);

        var zones = new ServedZones();
        await new ZoneLoader(store, zones, NullLogger<ZoneLoader>.Instance).LoadAllAsync();

        var serial = new SerialRows();
        await store.LoadAllAsync(serial);
        Assert.Equal(3, serial.Builders.Count);
        foreach (var builder in serial.Builders.Values)
        {
            var expected = builder.Build();
            var loaded = zones.Current.Get(expected.Origin);
            Assert.NotNull(loaded);
            Assert.Equal(expected.Serial, loaded.Serial);
            Assert.Equal(expected.RecordCount, loaded.RecordCount);
            Assert.Equal(expected.CompactCount, loaded.CompactCount);
            // The same records in the same order, octets and case included.
            Assert.Equal(expected.Records().Select(r => r.ToString()), loaded.Records().Select(r => r.ToString()));
        }
        Assert.Equal(50_000 + 2 + 2, zones.Current.Get(Big)!.RecordCount);
    }

    [Fact]
    public async Task A_stored_zone_that_breaks_a_rule_is_left_out_and_the_others_are_served()
    {
        var options = new StoreOptions();
        var store = StoreFactory.Open(options, DataDirectory);
        Own(store);
        await store.MigrateAsync();
        var writer = new ZoneWriter(store, new ServedZones(), NullLogger<ZoneWriter>.Instance);
        Own(writer);
        var service = new ZoneService(writer, new ServedZones(), store);
        await service.ImportAsync(Big, ZoneRows.From(Zone(Big, 10_000, i => Big.Prepend($"{i & 0xFF}").Prepend($"{(i >> 8) & 0xFF}").Prepend("0"))),
            new AuditEntry("tester", "zone.import", "big"), enforcePolicy: false);
        await service.ImportAsync(Small, Zone(Small, 20, i => Small.Prepend($"{i}")), new AuditEntry("tester", "zone.import", "small"));
        // A second SOA written past the store's checks (as a damaged or hand-edited file would hold).
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StoreFactory.SqlitePath(options, DataDirectory)}"))
        {
            await db.OpenAsync();
            await using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO records (zone_id, owner_key, owner, type, class, ttl, rdata) " +
                "SELECT zone_id, owner_key, owner, type, class, ttl, rdata FROM records WHERE type = 6 AND owner = @apex";
            insert.Parameters.AddWithValue("@apex", Big.Wire.ToArray());
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        var zones = new ServedZones();
        var loaded = await ZoneLoader.ReadAsync(store);
        new ZoneLoader(store, zones, NullLogger<ZoneLoader>.Instance).Publish(loaded);

        Assert.Equal(2, loaded.Count);
        var failure = Assert.Single(loaded.Failures);
        Assert.Equal(Big.ToString(), failure.Zone);
        Assert.Contains("more than one SOA", failure.Reason);
        Assert.Null(zones.Current.Get(Big));
        Assert.Equal(22, zones.Current.Get(Small)!.RecordCount);
    }

    /// <summary>What the loader did before it read in two stages: one thread, row by row.</summary>
    private sealed class SerialRows : IZoneRowReader
    {
        public Dictionary<long, ZoneSnapshotBuilder> Builders { get; } = [];

        public void Zone(long id, DnsName name, uint serial) => Builders[id] = new ZoneSnapshotBuilder(name);

        public void Row(long zoneId, ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data) =>
            Builders[zoneId].Add(owner, type, cls, ttl, data);
    }
}
