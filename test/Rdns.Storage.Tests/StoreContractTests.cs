using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>
/// What every store must do, whatever database is behind it: each concrete subclass runs all of
/// these against a real, fresh database of its kind.
/// </summary>
public abstract partial class StoreContractTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Small, so pruning is reached in a few commits.</summary>
    protected const int JournalLimit = 5;

    protected ITestOutputHelper Output { get; } = output;

    protected IRdnsStore Store { get; set; } = null!;

    /// <summary>A new store instance on this test's database (a second node, or the same node after a restart).</summary>
    protected abstract IRdnsStore OpenStore(int journalLimit = JournalLimit);

    /// <summary>Creates this test's empty database.</summary>
    protected abstract Task CreateDatabaseAsync();

    protected abstract Task DropDatabaseAsync();

    public async Task InitializeAsync()
    {
        await CreateDatabaseAsync();
        Store = OpenStore();
        await Store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (Store is not null)
            await Store.DisposeAsync();
        await DropDatabaseAsync();
    }

    [Fact]
    public async Task Migrating_again_is_harmless_and_keeps_the_data()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await Store.MigrateAsync();
        await using (var second = OpenStore())
            await second.MigrateAsync();
        Assert.Equal(Dump(Zone(Zone2, 1)), Dump((await Store.LoadAsync(Zone2))!.Records));
    }

    [Fact]
    public async Task Zones_are_created_loaded_listed_in_pages_and_deleted()
    {
        var names = new[] { "2.0.192.in-addr.arpa.", "1.0.192.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.", "3.0.192.in-addr.arpa." }
            .Select(N).ToList();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
            await Store.CreateZoneAsync(name, Zone(name, (uint)(10 + i), ptrs: i), false, Audit("create", name.ToString()));

        var loaded = await Store.LoadAsync(names[2]);
        Assert.NotNull(loaded);
        Assert.Equal(names[2], loaded.Name);
        Assert.Equal(12u, loaded.Serial);
        Assert.Equal(Dump(Zone(names[2], 12, ptrs: 2)), Dump(loaded.Records));
        Assert.Equal(13u, await Store.GetSerialAsync(names[3]));

        // Pages in key order, each starting after the last name of the previous one.
        var expected = names.Select(n => n.ToString()).Order(StringComparer.Ordinal).ToList();
        var first = await Store.ListZonesAsync(3);
        var second = await Store.ListZonesAsync(3, first[^1].Name);
        Assert.Equal(expected, first.Concat(second).Select(z => z.Name.ToString()));
        Assert.Single(second);
        Assert.Empty(await Store.ListZonesAsync(3, second[^1].Name));
        var summary = first.Single(z => z.Name == names[3]);
        Assert.Equal((13u, 5), (summary.Serial, summary.RecordCount));

        var all = await Store.LoadAllAsync();
        Assert.Equal(expected, all.Select(z => z.Name.ToString()));
        foreach (var z in all)
            Assert.Equal(Dump(Zone(z.Name, z.Serial, ptrs: names.IndexOf(z.Name))), Dump(z.Records));

        // The raw-row load (used at start) sees exactly the same zones and records.
        var rows = new RowCollector();
        await Store.LoadAllAsync(rows);
        Assert.Equal(expected, rows.Zones.Values.Select(z => z.Name.ToString()).Order(StringComparer.Ordinal));
        foreach (var (id, (name, serial)) in rows.Zones)
        {
            Assert.Equal(all.Single(z => z.Name == name).Serial, serial);
            Assert.Equal(Dump(all.Single(z => z.Name == name).Records), Dump(rows.Records.GetValueOrDefault(id) ?? []));
        }

        Assert.True(await Store.DeleteZoneAsync(names[0], Audit("delete", "zone")));
        Assert.False(await Store.DeleteZoneAsync(names[0], Audit("delete", "zone")));
        Assert.Null(await Store.LoadAsync(names[0]));
        Assert.Null(await Store.GetSerialAsync(names[0]));
        Assert.Null(await Store.GetJournalAsync(names[0], 10));
        Assert.Equal(3, (await Store.LoadAllAsync()).Count);
    }

    [Fact]
    public async Task Creating_an_existing_zone_without_replace_conflicts_and_changes_nothing()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("commit", "zone"));
        string before = await StateAsync(Store);

        await Assert.ThrowsAsync<StoreConflictException>(() =>
            Store.CreateZoneAsync(Zone2, Zone(Zone2, 50, ptrs: 10), false, Audit("create", "again")));
        Assert.Equal(before, await StateAsync(Store));
    }

    [Fact]
    public async Task Replacing_a_zone_replaces_its_records_and_starts_a_new_journal()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("commit", "zone"));
        var created = (await Store.LoadAsync(Zone2))!.CreatedAt;

        var replacement = Zone(Zone2, 100, ptrs: 0);
        replacement.Add(Ptr(Zone2, 42));
        await Store.CreateZoneAsync(Zone2, replacement, true, Audit("replace", "zone"));

        var loaded = (await Store.LoadAsync(Zone2))!;
        Assert.Equal(100u, loaded.Serial);
        Assert.Equal(created, loaded.CreatedAt);
        Assert.Equal(Dump(replacement), Dump(loaded.Records));
        Assert.Null(await Store.GetJournalAsync(Zone2, 1));
        Assert.Empty((await Store.GetJournalAsync(Zone2, 100))!);
        Assert.Equal(3, (await Store.ListZonesAsync(10)).Single().RecordCount);
    }

    [Fact]
    public async Task A_zone_without_exactly_one_soa_at_its_apex_is_refused()
    {
        var noSoa = Zone(Zone2, 1).Where(r => r.Type != RecordType.SOA).ToList();
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateZoneAsync(Zone2, noSoa, false, Audit("create", "zone")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateZoneAsync(Zone2, [.. Zone(Zone2, 1), Soa(Zone2, 2)], false, Audit("create", "zone")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateZoneAsync(Zone2, [.. Zone(Zone2, 1), Ptr(Zone3, 1)], false, Audit("create", "zone")));
        Assert.Empty(await Store.ListZonesAsync(10));
        Assert.Empty(await Store.GetAuditAsync(10));
    }

    [Fact]
    public async Task Names_are_case_insensitive_and_keep_their_case()
    {
        var upper = N("2.0.192.IN-ADDR.ARPA.");
        var records = Zone(upper, 1);
        records.Add(new ResourceRecord(upper.Prepend("MiXeD"), RecordType.PTR, 60, Rdata.Ptr(N("Host.Example.COM."))));
        await Store.CreateZoneAsync(upper, records, false, Audit("create", "zone"));

        var loaded = await Store.LoadAsync(N("2.0.192.in-addr.arpa."));
        Assert.NotNull(loaded);
        Assert.Equal("2.0.192.IN-ADDR.ARPA.", loaded.Name.ToString());
        Assert.Equal(Dump(records), Dump(loaded.Records));
        Assert.Equal(1u, await Store.GetSerialAsync(N("2.0.192.In-Addr.Arpa.")));
        await Assert.ThrowsAsync<StoreConflictException>(() =>
            Store.CreateZoneAsync(N("2.0.192.in-addr.arpa."), Zone(N("2.0.192.in-addr.arpa."), 1), false, Audit("create", "zone")));

        // The owner is matched ignoring case; the RDATA exactly.
        var lower = N("2.0.192.in-addr.arpa.");
        await Store.CommitAsync([Change(lower, 1, 2,
            removed: [new ResourceRecord(lower.Prepend("mixed"), RecordType.PTR, 60, Rdata.Ptr(N("Host.Example.COM.")))])],
            Audit("commit", "zone"));
        Assert.DoesNotContain((await Store.LoadAsync(lower))!.Records, r => r.Type == RecordType.PTR && r.Owner.LabelCount == 7);
        Assert.True(await Store.DeleteZoneAsync(N("2.0.192.In-Addr.ARPA."), Audit("delete", "zone")));
    }

    [Fact]
    public async Task Big_rdata_and_binary_owner_labels_survive_the_store_and_the_journal()
    {
        var txt = Rdata.Txt([.. Enumerable.Range(0, 16).Select(i => new string((char)('a' + i), 255))]);
        Assert.True(txt.Length > 4000);
        byte[] binaryLabel = [0x00, (byte)'.', 0xFF, (byte)'A', (byte)' ', (byte)'\\', 0x7F];
        var binaryOwner = Zone2.Prepend(binaryLabel);
        var records = Zone(Zone2, 1);
        records.Add(new ResourceRecord(Zone2.Prepend("txt"), RecordType.TXT, 300, txt));
        records.Add(new ResourceRecord(binaryOwner, RecordType.PTR, 300, Rdata.Ptr(N("binary.example."))));
        await Store.CreateZoneAsync(Zone2, records, false, Audit("create", "zone"));
        Assert.Equal(Dump(records), Dump((await Store.LoadAsync(Zone2))!.Records));

        var binaryZone = DnsName.Root.Prepend("arpa").Prepend([0x01, (byte)'.', 0xC8]);
        await Store.CreateZoneAsync(binaryZone, Zone(binaryZone, 7), false, Audit("create", "binary"));
        Assert.Equal(7u, await Store.GetSerialAsync(binaryZone));
        Assert.Equal(binaryZone.Wire.ToArray(), (await Store.LoadAsync(binaryZone))!.Name.Wire.ToArray());

        var bigger = new ResourceRecord(binaryOwner, RecordType.TXT, 300, txt);
        var lowered = new ResourceRecord(binaryOwner.ToLower(), RecordType.PTR, 300, Rdata.Ptr(N("binary.example.")));
        await Store.CommitAsync([Change(Zone2, 1, 2, removed: [lowered], added: [bigger])], Audit("commit", "zone"));
        var journal = await Store.GetJournalAsync(Zone2, 1);
        Assert.Equal(Dump(Change(Zone2, 1, 2, removed: [lowered], added: [bigger]).Changeset), Dump(Assert.Single(journal!)));
        var after = (await Store.LoadAsync(Zone2))!.Records;
        Assert.Contains(after, r => r.Type == RecordType.TXT && r.Owner.Wire.SequenceEqual(binaryOwner.Wire) && r.Data.SequenceEqual(txt));
        Assert.DoesNotContain(after, r => r.Type == RecordType.PTR && r.Owner == binaryOwner);
    }

    [Fact]
    public async Task Loading_a_large_zone_streams_every_record()
    {
        // RDNS_STORE_LOAD_RECORDS=1000000 measures the start-up load at full size.
        int count = int.TryParse(Environment.GetEnvironmentVariable("RDNS_STORE_LOAD_RECORDS"), out int n) ? n : 200_000;
        var zone = N("10.in-addr.arpa.");
        var records = new List<ResourceRecord>(count + 2) { Soa(zone, 1), Ns(zone) };
        for (int i = 0; records.Count < count; i++)
        {
            var owner = zone.Prepend($"{i & 0xFF}").Prepend($"{(i >> 8) & 0xFF}").Prepend($"{i >> 16}");
            records.Add(new ResourceRecord(owner, RecordType.PTR, 3600, Rdata.Ptr(N($"host-{i}.customers.example.net."))));
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Store.CreateZoneAsync(zone, records, false, Audit("create", "big"));
        var created = clock.Elapsed;
        await Store.DisposeAsync();

        // A fresh store, as at start: nothing cached in the process.
        await using var store = OpenStore();
        GC.Collect();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        clock.Restart();
        var all = await store.LoadAllAsync();
        var loaded = clock.Elapsed;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Assert.Equal(count, Assert.Single(all).Records.Count);
        Output.WriteLine($"{GetType().Name}: {count:N0} records created in {created.TotalSeconds:F2} s, loaded in {loaded.TotalSeconds:F2} s ({allocated / count} bytes allocated per record, whole process)");
        Console.WriteLine($"{GetType().Name}: {count:N0} records created in {created.TotalSeconds:F2} s, loaded in {loaded.TotalSeconds:F2} s");
        Store = OpenStore();
    }

    private sealed class RowCollector : IZoneRowReader
    {
        public Dictionary<long, (Protocol.Names.DnsName Name, uint Serial)> Zones { get; } = [];

        public Dictionary<long, List<Protocol.Records.ResourceRecord>> Records { get; } = [];

        public void Zone(long id, Protocol.Names.DnsName name, uint serial) => Zones[id] = (name, serial);

        public void Row(long zoneId, ReadOnlySpan<byte> owner, Protocol.Wire.RecordType type, Protocol.Wire.RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
        {
            if (!Records.TryGetValue(zoneId, out var list))
                Records[zoneId] = list = [];
            list.Add(new Protocol.Records.ResourceRecord(Protocol.Names.DnsName.FromWire(owner), type, cls, ttl, data.ToArray()));
        }
    }
}
