using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>Group commit: several requests in one transaction, each under its own savepoint.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_batch_commits_its_requests_together_and_a_failing_one_leaves_nothing()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await using (var batch = await Store.BeginBatchAsync([Zone2, Zone3]))
        {
            Assert.Equal(1u, await batch.GetSerialAsync(Zone2));
            Assert.Null(await batch.GetSerialAsync(Zone3));
            await batch.ApplyAsync(new StoreWrite(Audit("first", "zone")) { Commits = [Change(Zone2, 1, 2, added: [Ptr(Zone2, 50)])] });
            // Made from a serial the zone no longer has: refused, and nothing of it stays, not
            // even the zone it would have created first.
            await Assert.ThrowsAsync<StoreConflictException>(() => batch.ApplyAsync(new StoreWrite(Audit("stale", "zone"))
            {
                Creations = [new ZoneCreation(Zone3, Zone(Zone3, 7), false)],
                Commits = [Change(Zone2, 1, 2, added: [Ptr(Zone2, 60)])],
            }));
            await batch.ApplyAsync(new StoreWrite(Audit("second", "zone")) { Commits = [Change(Zone2, 2, 3, added: [Ptr(Zone2, 70)])] });
            // Inside the transaction its own writes are visible, the journal included.
            Assert.Equal(3u, await batch.GetSerialAsync(Zone2));
            Assert.Equal(2, (await batch.GetJournalAsync(Zone2, 1))!.Count);
            // Outside it, nothing yet.
            Assert.Equal(1u, await Store.GetSerialAsync(Zone2));
            await batch.CommitAsync();
        }
        var zone = (await Store.LoadAsync(Zone2))!;
        Assert.Equal(3u, zone.Serial);
        Assert.Contains(zone.Records, r => r.Owner == N("50.2.0.192.in-addr.arpa."));
        Assert.Contains(zone.Records, r => r.Owner == N("70.2.0.192.in-addr.arpa."));
        Assert.DoesNotContain(zone.Records, r => r.Owner == N("60.2.0.192.in-addr.arpa."));
        Assert.Null(await Store.GetSerialAsync(Zone3));
        var audit = (await Store.GetAuditAsync(10)).Select(a => a.Action).ToList();
        Assert.Contains("first", audit);
        Assert.Contains("second", audit);
        Assert.DoesNotContain("stale", audit);
    }

    [Fact]
    public async Task A_group_of_requests_shares_one_savepoint_and_is_kept_or_undone_whole()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await using (var batch = await Store.BeginBatchAsync([Zone2, Zone3]))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => batch.EndGroupAsync(keep: true));
            await batch.ApplyAsync(new StoreWrite(Audit("alone", "zone")) { Commits = [Change(Zone2, 1, 2, added: [Ptr(Zone2, 50)])] });

            // Undone whole, though each request succeeded.
            await batch.BeginGroupAsync();
            await Assert.ThrowsAsync<InvalidOperationException>(() => batch.BeginGroupAsync());
            await batch.ApplyAsync(new StoreWrite(Audit("undone-1", "zone")) { Commits = [Change(Zone2, 2, 3, added: [Ptr(Zone2, 60)])] });
            await batch.ApplyAsync(new StoreWrite(Audit("undone-2", "zone")) { Creations = [new ZoneCreation(Zone3, Zone(Zone3, 7), false)] });
            Assert.Equal(7u, await batch.GetSerialAsync(Zone3));
            await batch.EndGroupAsync(keep: false);
            Assert.Equal(2u, await batch.GetSerialAsync(Zone2));
            Assert.Null(await batch.GetSerialAsync(Zone3));

            // A request refused inside a group may leave part of itself (here the zone it created
            // first) until the group is undone.
            await batch.BeginGroupAsync();
            await Assert.ThrowsAsync<StoreConflictException>(() => batch.ApplyAsync(new StoreWrite(Audit("stale", "zone"))
            {
                Creations = [new ZoneCreation(Zone3, Zone(Zone3, 8), false)],
                Commits = [Change(Zone2, 1, 2, added: [Ptr(Zone2, 70)])],
            }));
            await batch.EndGroupAsync(keep: false);
            Assert.Null(await batch.GetSerialAsync(Zone3));

            // Kept.
            await batch.BeginGroupAsync();
            await batch.ApplyAsync(new StoreWrite(Audit("kept-1", "zone")) { Commits = [Change(Zone2, 2, 3, added: [Ptr(Zone2, 80)])] });
            await batch.ApplyAsync(new StoreWrite(Audit("kept-2", "zone")) { Commits = [Change(Zone2, 3, 4, added: [Ptr(Zone2, 90)])] });
            await batch.EndGroupAsync(keep: true);
            await batch.CommitAsync();
        }
        var zone = (await Store.LoadAsync(Zone2))!;
        Assert.Equal(4u, zone.Serial);
        Assert.Equal(
            ["1.2.0.192.in-addr.arpa.", "2.2.0.192.in-addr.arpa.", "3.2.0.192.in-addr.arpa.", "50.2.0.192.in-addr.arpa.", "80.2.0.192.in-addr.arpa.", "90.2.0.192.in-addr.arpa."],
            zone.Records.Where(r => r.Type == Protocol.Wire.RecordType.PTR).Select(r => r.Owner.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal([2u, 3u, 4u], (await Store.GetJournalAsync(Zone2, 1))!.Select(c => c.ToSerial));
        Assert.Null(await Store.GetSerialAsync(Zone3));
        var audit = (await Store.GetAuditAsync(10)).Select(a => a.Action).ToList();
        Assert.Equal(["kept-2", "kept-1", "alone", "create"], audit);
    }

    [Fact]
    public async Task A_batch_creates_and_deletes_zones_and_one_never_committed_leaves_nothing()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        var before = await StateAsync(Store);
        await using (var batch = await Store.BeginBatchAsync([Zone2, Zone3]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("swap", "zones")) { Deletions = [Zone2], Creations = [new ZoneCreation(Zone3, Zone(Zone3, 5), false)] });
            Assert.Null(await batch.GetSerialAsync(Zone2));
            Assert.Equal(5u, (await batch.LoadAsync(Zone3))!.Serial);
            // Disposed without a commit: rolled back.
        }
        Assert.Equal(before, await StateAsync(Store));
        await using (var batch = await Store.BeginBatchAsync([Zone2, Zone3]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("swap", "zones")) { Deletions = [Zone2], Creations = [new ZoneCreation(Zone3, Zone(Zone3, 5), false)] });
            await batch.CommitAsync();
        }
        Assert.Null(await Store.GetSerialAsync(Zone2));
        Assert.Equal(5u, await Store.GetSerialAsync(Zone3));
    }

    [Fact]
    public async Task A_batch_reads_the_serials_of_many_zones_at_once_as_one_zone_at_a_time_would()
    {
        // More zones than one statement asks for, a missing one, a name in capitals, and the same
        // name in another view with a serial of its own.
        var zones = Enumerable.Range(0, 150).Select(i => N($"{i}.51.198.in-addr.arpa.")).ToList();
        await using (var batch = await Store.BeginBatchAsync(zones))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "zones"))
            {
                Creations = [.. zones.Where((_, i) => i % 7 != 3).Select((z, i) => new ZoneCreation(z, Zone(z, (uint)(100 + i), ptrs: 0), false))],
            });
            await batch.CommitAsync();
        }
        await Store.AddViewAsync(View("office"), Audit("view.create", "office"));
        await using (var batch = await Store.BeginBatchAsync("office", [zones[0]]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "office")) { Creations = [new ZoneCreation(zones[0], Zone(zones[0], 9, ptrs: 0), false)] });
            await batch.CommitAsync();
        }
        var asked = zones.Append(N("0.51.198.IN-ADDR.ARPA.")).ToList();
        await using (var batch = await Store.BeginBatchAsync(asked))
        {
            var serials = await batch.GetSerialsAsync(asked);
            foreach (var zone in asked)
            {
                uint? one = await batch.GetSerialAsync(zone);
                Assert.Equal(one, serials.TryGetValue(zone, out uint s) ? s : null);
            }
            Assert.Equal(129, serials.Count); // 150 less the 22 never created; the name in capitals is the first one
            Assert.Equal(100u, serials[zones[0]]);
            Assert.Empty(await batch.GetSerialsAsync([]));
        }
        await using (var batch = await Store.BeginBatchAsync("office", [zones[0], zones[1]]))
        {
            var serials = await batch.GetSerialsAsync([zones[0], zones[1]]);
            Assert.Equal(9u, Assert.Single(serials).Value);
        }
    }
}
