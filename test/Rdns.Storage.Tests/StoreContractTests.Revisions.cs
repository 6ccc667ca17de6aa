using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>
/// Every write of a zone's data gives the zone a revision no zone has had before, in the same
/// transaction: a copy of a zone built at one revision (the zone image) is current exactly while
/// the store reports that revision, and a store read wants only the rows of the zones it asks for.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Every_write_of_a_zone_gives_it_a_revision_no_zone_had_before()
    {
        var seen = new HashSet<long>();
        long Next(Dictionary<DnsName, long> revisions, DnsName zone)
        {
            long revision = revisions[zone];
            Assert.True(seen.Add(revision), $"revision {revision} of {zone} was seen before");
            return revision;
        }

        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 3), false, Audit("create", "zone"));
        var zone3 = N("3.0.192.in-addr.arpa.");
        await Store.CreateZoneAsync(zone3, Zone(zone3, 1, ptrs: 3), false, Audit("create", "zone"));
        var first = await RevisionsAsync();
        long created = Next(first, Zone2);
        Next(first, zone3);

        // A journaled change (the API, DNS UPDATE, IXFR from a primary all commit this way).
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("change", "zone"));
        var changed = await RevisionsAsync();
        Assert.True(Next(changed, Zone2) > created);
        Assert.Equal(first[zone3], changed[zone3]);

        // Replaced whole with the same SOA serial (an import or AXFR of other data): only the revision tells.
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 2, ptrs: 5), true, Audit("replace", "zone"));
        Next(await RevisionsAsync(), Zone2);

        // Deleted and created again under the same name (and maybe the same row id): a new revision.
        Assert.True(await Store.DeleteZoneAsync(Zone2, Audit("delete", "zone")));
        Assert.DoesNotContain(Zone2, (await RevisionsAsync()).Keys);
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 2, ptrs: 5), false, Audit("create", "zone"));
        Next(await RevisionsAsync(), Zone2);
    }

    [Fact]
    public async Task The_zones_stamp_moves_with_every_zone_written_in_any_view_and_only_then()
    {
        var empty = await Store.GetZonesStampAsync();
        Assert.Equal(0, empty.Count);
        Assert.Equal(empty, await Store.GetZonesStampAsync());

        var stamps = new List<ZonesStamp> { empty };
        async Task Moved(string what)
        {
            var stamp = await Store.GetZonesStampAsync();
            Assert.DoesNotContain(stamp, stamps);
            Assert.True(stamp.Revision > stamps[^1].Revision || stamp.Count < stamps[^1].Count, $"{what}: {stamps[^1]} -> {stamp}");
            stamps.Add(stamp);
            // Reads change nothing.
            await Store.LoadAsync(Zone2);
            await Store.ListZonesAsync(10);
            Assert.Equal(stamp, await Store.GetZonesStampAsync());
        }

        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 3), false, Audit("create", "zone"));
        await Moved("created");
        var zone3 = N("3.0.192.in-addr.arpa.");
        await Store.CreateZoneAsync(zone3, Zone(zone3, 1, ptrs: 3), false, Audit("create", "zone"));
        await Moved("another created");
        Assert.Equal(2, stamps[^1].Count);
        // The older zone written: its revision becomes the highest.
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("change", "zone"));
        await Moved("changed");
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 2, ptrs: 5), true, Audit("replace", "zone"));
        await Moved("replaced with the same serial");
        // The newest zone deleted: the count tells; then one created in its place, the same count.
        Assert.True(await Store.DeleteZoneAsync(zone3, Audit("delete", "zone")));
        await Moved("deleted");
        await Store.CreateZoneAsync(zone3, Zone(zone3, 1, ptrs: 3), false, Audit("create", "zone"));
        await Moved("created again");
        // A zone of an operator view counts as well.
        await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        Assert.Equal(stamps[^1], await Store.GetZonesStampAsync());
        await using (var batch = await Store.BeginBatchAsync("office", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "office")) { Creations = [new ZoneCreation(Zone2, Zone(Zone2, 7, ptrs: 2), false)] });
            await batch.CommitAsync();
        }
        await Moved("created in a view");
        Assert.Equal(3, stamps[^1].Count);
    }

    [Fact]
    public async Task The_zones_checksum_is_the_count_of_zones_in_every_view_and_the_sum_of_their_serials()
    {
        Assert.Equal(new ZonesChecksum(0, 0), await Store.GetZonesChecksumAsync());
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 7, ptrs: 3), false, Audit("create", "zone"));
        var zone3 = N("3.0.192.in-addr.arpa.");
        // Serials near the top of their range: the sum is not held in 32 bits.
        await Store.CreateZoneAsync(zone3, Zone(zone3, 4_000_000_000, ptrs: 1), false, Audit("create", "zone"));
        Assert.Equal(new ZonesChecksum(2, 4_000_000_007), await Store.GetZonesChecksumAsync());

        await Store.CommitAsync([Change(Zone2, 7, 8, added: [Ptr(Zone2, 9)])], Audit("change", "zone"));
        Assert.Equal(new ZonesChecksum(2, 4_000_000_008), await Store.GetZonesChecksumAsync());

        await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        await using (var batch = await Store.BeginBatchAsync("office", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "office")) { Creations = [new ZoneCreation(Zone2, Zone(Zone2, 3_000_000_000, ptrs: 2), false)] });
            await batch.CommitAsync();
        }
        Assert.Equal(new ZonesChecksum(3, 7_000_000_008), await Store.GetZonesChecksumAsync());

        Assert.True(await Store.DeleteZoneAsync(zone3, Audit("delete", "zone")));
        Assert.Equal(new ZonesChecksum(2, 3_000_000_008), await Store.GetZonesChecksumAsync());
    }

    [Fact]
    public async Task The_settings_revision_moves_with_every_committed_write_of_pools_keys_views_and_dnssec_rows_and_only_then()
    {
        var seen = new List<long> { await Store.GetSettingsRevisionAsync() };
        async Task Moved(string what)
        {
            long revision = await Store.GetSettingsRevisionAsync();
            Assert.True(!seen.Contains(revision), $"{what}: the settings revision stayed at {revision}");
            seen.Add(revision);
        }
        async Task Stayed(string what) =>
            Assert.True(await Store.GetSettingsRevisionAsync() == seen[^1], $"{what}: the settings revision moved");

        await Stayed("a second read");
        // Zones, tenants and allocations are not settings: the zones stamp and notices cover them.
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 3), false, Audit("create", "zone"));
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], [new PutTenant(new TenantRecord("ten-1", "Alpha", T0))], Audit("change", "zone"));
        await Stayed("a zone and a tenant written");

        await Store.CommitAsync([], [new PutPool(new PoolRecord("pool-1", "192.0.2.0/24", "ip-{ip}.pool.example.net.", 3600, T0))], Audit("pool.create", "pool-1"));
        await Moved("a pool created");
        await Store.CommitAsync([], [new UpdatePool("pool-1", "host-{ip}.pool.example.net.", 600)], Audit("pool.change", "pool-1"));
        await Moved("a pool changed");
        await Store.CommitAsync([], [new DeletePool("pool-1")], Audit("pool.delete", "pool-1"));
        await Moved("a pool deleted");

        await Store.AddTsigKeyAsync(TsigKey("dhcp1."), Audit("tsig-key.create", "dhcp1."));
        await Moved("a TSIG key added");
        // Refused, so nothing was written.
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddTsigKeyAsync(TsigKey("dhcp1."), Audit("tsig-key.create", "dhcp1.")));
        await Stayed("a TSIG key refused");
        Assert.True(await Store.DeleteTsigKeyAsync("dhcp1.", null, Audit("tsig-key.delete", "dhcp1.")));
        await Moved("a TSIG key deleted");

        await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        await Moved("a view added");
        Assert.NotNull(await Store.UpdateViewAsync(View("office") with { Clients = ["192.0.2.0/24"] }, Audit("view.change", "office")));
        await Moved("a view changed");
        Assert.Equal(ViewDeletion.Deleted, await Store.DeleteViewAsync("office", Audit("view.delete", "office")));
        await Moved("a view deleted");

        var zone = Zone2.ToString();
        var key = new DnssecKeyRecord("key-1", zone, 15, 257, "csk", [1, 2, 3], [4, 5, 6], "active", T0, T0, "none", null);
        async Task DnssecAsync(DnssecWrite write, bool commit = true)
        {
            await using var batch = await Store.BeginBatchAsync([Zone2]);
            await batch.ApplyAsync(new StoreWrite(Audit("dnssec", zone)) { DnssecWrites = [write] });
            if (commit)
                await batch.CommitAsync();
        }
        await DnssecAsync(new PutDnssecZone(new DnssecZoneRecord(zone, 15, false, "compact", T0)));
        await Moved("a zone's signing enabled");
        // Written but rolled back: never committed, never seen.
        await DnssecAsync(new PutDnssecKey(key), commit: false);
        await Stayed("a key written and rolled back");
        await DnssecAsync(new PutDnssecKey(key));
        await Moved("a DNSSEC key added");
        await DnssecAsync(new UpdateDnssecKey(zone, "key-1", "active", "none", "retired", T0, "none", null));
        await Moved("a DNSSEC key moved on");
        await DnssecAsync(new DeleteDnssecZone(zone));
        await Moved("a zone's signing stopped");
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First < p.Second), string.Join(", ", seen));
    }

    [Fact]
    public async Task The_zones_written_after_a_revision_are_listed_in_revision_order_in_every_view_and_page_on()
    {
        var zone3 = N("3.0.192.in-addr.arpa.");
        var zone4 = N("4.0.192.in-addr.arpa.");
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 3), false, Audit("create", "zone"));
        await Store.CreateZoneAsync(zone3, Zone(zone3, 1, ptrs: 3), false, Audit("create", "zone"));
        var stamp = await Store.GetZonesStampAsync();
        Assert.Equal([Zone2, zone3], (await Store.ListZonesWrittenAsync(0, 10)).Select(z => z.Name));
        Assert.Empty(await Store.ListZonesWrittenAsync(stamp.Revision, 10));

        // Written since the stamp: a change of the older zone, a new zone, a zone of a view; a deletion is not listed.
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("change", "zone"));
        await Store.CreateZoneAsync(zone4, Zone(zone4, 1, ptrs: 2), false, Audit("create", "zone"));
        await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        await using (var batch = await Store.BeginBatchAsync("office", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "office")) { Creations = [new ZoneCreation(Zone2, Zone(Zone2, 7, ptrs: 2), false)] });
            await batch.CommitAsync();
        }
        Assert.True(await Store.DeleteZoneAsync(zone3, Audit("delete", "zone")));

        var written = await Store.ListZonesWrittenAsync(stamp.Revision, 10);
        Assert.Equal([(Addressing.ViewName.Public, Zone2, 2u), (Addressing.ViewName.Public, zone4, 1u), ("office", Zone2, 7u)],
            written.Select(z => (z.View, z.Name, z.Serial)));
        Assert.True(written.Zip(written.Skip(1)).All(p => p.First.Revision < p.Second.Revision));
        Assert.True(written[0].Revision > stamp.Revision);
        Assert.Equal((await Store.GetZonesStampAsync()).Revision, written[^1].Revision);

        // Paged by the last revision listed.
        var first = await Store.ListZonesWrittenAsync(stamp.Revision, 2);
        Assert.Equal(written.Take(2), first);
        Assert.Equal(written.Skip(2), await Store.ListZonesWrittenAsync(first[^1].Revision, 2));
        Assert.Empty(await Store.ListZonesWrittenAsync(written[^1].Revision, 2));
    }

    [Fact]
    public async Task A_read_gets_the_rows_of_the_zones_it_wants_and_no_others()
    {
        var zone3 = N("3.0.192.in-addr.arpa.");
        var zone4 = N("4.0.192.in-addr.arpa.");
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 300), false, Audit("create", "zone"));
        await Store.CreateZoneAsync(zone3, Zone(zone3, 1, ptrs: 3), false, Audit("create", "zone"));
        await Store.CreateZoneAsync(zone4, Zone(zone4, 1, ptrs: 10), false, Audit("create", "zone"));
        // Wanted: few of the rows (read zone by zone), most of them (one scan, others skipped), all, none.
        foreach (var wanted in new[] { new[] { zone3 }, [Zone2, zone4], [Zone2, zone3, zone4], [] })
        {
            var reader = new WantingRows(wanted);
            await Store.LoadAllAsync(reader);
            Assert.Equal(3, reader.Announced);
            Assert.Equal(wanted.Order(), reader.Rows.Keys.Order());
            foreach (var zone in wanted)
                Assert.Equal(Dump((await Store.LoadAsync(zone))!.Records), Dump(reader.Rows[zone]));
        }
    }

    private async Task<Dictionary<DnsName, long>> RevisionsAsync()
    {
        var reader = new WantingRows([]);
        await Store.LoadAllAsync(reader);
        return reader.Revisions;
    }

    private sealed class WantingRows(IReadOnlyCollection<DnsName> wanted) : IZoneRowReader
    {
        private readonly Dictionary<long, DnsName> _names = [];

        public int Announced { get; private set; }

        public Dictionary<DnsName, long> Revisions { get; } = [];

        public Dictionary<DnsName, List<Protocol.Records.ResourceRecord>> Rows { get; } = [];

        public void Zone(long id, DnsName name, uint serial) => throw new InvalidOperationException("zones come with their revision");

        public bool Zone(long id, string view, DnsName name, uint serial, long revision)
        {
            Announced++;
            Revisions[name] = revision;
            _names[id] = name;
            return wanted.Contains(name);
        }

        public void Row(long zoneId, ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
        {
            var name = _names[zoneId];
            Assert.Contains(name, wanted);
            if (!Rows.TryGetValue(name, out var list))
                Rows[name] = list = [];
            list.Add(new Protocol.Records.ResourceRecord(DnsName.FromWire(owner), type, cls, ttl, data.ToArray()));
        }
    }
}
