using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.TestSupport;
using Rdns.Zones;
using Rdns.Zones.Writes;
using static Rdns.Control.Tests.TestWrites;

namespace Rdns.Control.Tests;

/// <summary>
/// The periodic resync of a node sharing its store with others (PostgreSQL): nothing but the
/// store's zones stamp while it is unchanged, the zones written since when it moved, and every zone
/// only when a count tells of a deletion (or every <see cref="ZoneFollower.CompareAllEvery"/>
/// rounds); what another node committed is caught up all the same.
/// </summary>
public sealed class ZoneFollowerTests() : StoreScratch("rdns-follower-")
{
    private sealed record Node(IRdnsStore Store, ServedZones Zones, ZoneWriter Writer, ZoneFollower Follower);

    private async Task<Node> NodeAsync(string connection)
    {
        var store = Own(StoreFactory.Open(new StoreOptions { Connection = connection }, DataDirectory));
        await store.MigrateAsync();
        var zones = new ServedZones();
        var writer = Own(new ZoneWriter(store, zones, NullLogger<ZoneWriter>.Instance));
        return new Node(store, zones, writer, new ZoneFollower(writer, zones, store, NullLogger<ZoneFollower>.Instance));
    }

    private async Task<(Node A, Node B)> TwoNodesAsync() => (await TwoNodesOnAsync()) is var (_, a, b) ? (a, b) : default;

    private async Task<(PostgresDatabase Db, Node A, Node B)> TwoNodesOnAsync()
    {
        var db = Own(await PostgresDatabase.CreateAsync());
        return (db, await NodeAsync(db.ConnectionString), await NodeAsync(db.ConnectionString));
    }

    [Fact]
    public async Task An_idle_round_compares_nothing_and_a_commit_on_another_node_brings_a_comparison_of_what_was_written()
    {
        var (a, b) = await TwoNodesAsync();
        await a.Writer.WriteAsync(Create());
        Assert.Null(b.Follower.LastResync);

        // The first round compares every zone (nothing was compared before) and loads the zone b missed.
        Assert.Equal(ResyncRound.All, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(1u, b.Zones.Current.Get(Zone)?.Serial);
        Assert.Equal(1, b.Follower.BehindAtLastResync);
        var compared = b.Follower.LastResync;
        Assert.NotNull(compared);

        // Nothing committed since: the stamp alone, and b is still found in step.
        Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));
        Assert.True(b.Follower.LastResync >= compared);

        // A change on a (whose notice b never got) moves the stamp: the next round compares the zones written, and catches up.
        await a.Writer.WriteAsync(SetPtr(7, "seven.example.net."));
        Assert.Equal(ResyncRound.Written, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(1, b.Follower.BehindAtLastResync);
        Assert.Equal(2u, b.Zones.Current.Get(Zone)?.Serial);
        Assert.Equal("seven.example.net.", PtrOf(b.Zones.Current.Get(Zone), 7));
        Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));

        // b's own commit moves it too (the zone written is compared, and found in step).
        await b.Writer.WriteAsync(SetPtr(8, "eight.example.net."));
        Assert.Equal(ResyncRound.Written, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(0, b.Follower.BehindAtLastResync);
        Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));

        // A zone created on a is written, so listed: b loads it and serves as many zones as the store holds.
        await a.Writer.WriteAsync(CreateOther());
        Assert.Equal(ResyncRound.Written, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(1u, b.Zones.Current.SerialOf(Other));

        // A zone deleted on a is not listed; the count tells, so every zone is compared and b drops it.
        await a.Writer.CatchUpAsync([Zone]);
        await a.Writer.WriteAsync(new ZoneWrite([], new WriteAudit("tester", "zone.delete", Zone.ToString())) { Deletions = [Zone] });
        Assert.Equal(ResyncRound.All, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Null(b.Zones.Current.Get(Zone));
        Assert.Equal(1u, b.Zones.Current.SerialOf(Other));
    }

    [Fact]
    public async Task A_commit_made_before_the_watch_listens_is_caught_up_as_soon_as_it_listens_not_at_the_next_round()
    {
        var (a, b) = await TwoNodesAsync();
        await a.Writer.WriteAsync(Create());
        // b loads what the store holds and is in step with it, as a server is when it has started.
        await b.Writer.CatchUpAsync([Zone]);
        b.Follower.InStepAt(await b.Store.GetZonesStampAsync());

        // a commits before b's watch listens: the notice goes to nobody.
        await a.Writer.WriteAsync(SetPtr(7, "seven.example.net."));

        // b's periodic round is an hour away, so only the watch saying it listens can bring the change.
        using var stop = new CancellationTokenSource();
        var following = b.Follower.FollowAsync(TimeSpan.FromHours(1), stop.Token);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (b.Zones.Current.Get(Zone)?.Serial != 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
                await Task.Delay(20);
            Assert.Equal(2u, b.Zones.Current.Get(Zone)?.Serial);
            Assert.Equal("seven.example.net.", PtrOf(b.Zones.Current.Get(Zone), 7));
            Assert.Equal(1, b.Follower.BehindAtLastResync);
        }
        finally
        {
            await stop.CancelAsync();
            await following;
        }
    }

    [Fact]
    public async Task A_commit_made_while_the_watch_was_disconnected_is_caught_up_once_it_listens_again_not_at_the_next_round()
    {
        var (db, a, b) = await TwoNodesOnAsync();
        await a.Writer.WriteAsync(Create());
        await b.Writer.CatchUpAsync([Zone]);
        b.Follower.InStepAt(await b.Store.GetZonesStampAsync());
        using var stop = new CancellationTokenSource();
        var following = b.Follower.FollowAsync(TimeSpan.FromHours(1), stop.Token);
        try
        {
            // b's watch is live: a's commit reaches b by its notice.
            await a.Writer.WriteAsync(SetPtr(7, "seven.example.net."));
            await SerialAtAsync(b, 2);

            // b's watch connection is killed while the database refuses new connections, and a
            // commits meanwhile (on its pooled connection, which stays): nobody hears of it.
            await using (var outage = await db.CutWatchesAsync())
            {
                Assert.True(outage.Ended > 0, "b's watch had no session to end");
                await a.Writer.WriteAsync(SetPtr(8, "eight.example.net."));
                await Task.Delay(TimeSpan.FromMilliseconds(500));
                Assert.Equal(2u, b.Zones.Current.SerialOf(Zone));
            }

            // Once b's watch listens again, b compares with the store (the periodic round is an hour away).
            await SerialAtAsync(b, 3);
            Assert.Equal("eight.example.net.", PtrOf(b.Zones.Current.Get(Zone), 8));
            Assert.Equal(1, b.Follower.BehindAtLastResync);
        }
        finally
        {
            await stop.CancelAsync();
            await following;
        }
    }

    private static async Task SerialAtAsync(Node node, uint serial)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (node.Zones.Current.SerialOf(Zone) != serial && clock.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(20);
        Assert.Equal(serial, node.Zones.Current.SerialOf(Zone));
    }

    [Fact]
    public async Task A_write_committed_after_a_later_one_is_found_by_the_next_comparison_though_its_revision_is_below_the_stamp_read_before()
    {
        // PostgreSQL draws a zone's revision when its transaction writes the zone's row, so a
        // transaction can commit after another that drew a higher revision and committed first.
        var (a, b) = await TwoNodesAsync();
        await a.Writer.WriteAsync(Create());
        await a.Writer.WriteAsync(CreateOther());
        Assert.Equal(ResyncRound.All, await b.Follower.ResyncIfChangedAsync(default));

        var five = new ResourceRecord(DnsName.Parse($"5.{Other}"), RecordType.PTR, 300, DnsName.Parse("five.example.net.").Wire.ToArray());
        await using (var late = await a.Store.BeginBatchAsync([Other]))
        {
            await late.ApplyAsync(new StoreWrite(new AuditEntry("tester", "ptr.set", "5", null, null))
            {
                Commits = [new ZoneCommit(Other, new Changeset(1, 2, [SoaOf(Other, 1)], [SoaOf(Other, 2), five]))],
            });
            await a.Writer.WriteAsync(SetPtr(7, "seven.example.net."));
            Assert.Equal(ResyncRound.Written, await b.Follower.ResyncIfChangedAsync(default));
            Assert.Equal(2u, b.Zones.Current.SerialOf(Zone));
            Assert.Equal(1u, b.Zones.Current.SerialOf(Other));
            await late.CommitAsync();
        }

        // The late commit lowers nothing and counts no zone, so the stamp stays; the next write
        // anywhere moves it, and that round lists from the comparison before the last: the late write is in it.
        await a.Writer.WriteAsync(SetPtr(8, "eight.example.net."));
        Assert.Equal(ResyncRound.Written, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(2u, b.Zones.Current.SerialOf(Other));
        Assert.Equal(2, b.Follower.BehindAtLastResync);
    }

    [Fact]
    public async Task A_zone_a_node_failed_to_apply_is_repaired_by_the_comparison_every_tenth_round_though_the_store_is_unchanged()
    {
        var (a, b) = await TwoNodesAsync();
        await a.Writer.WriteAsync(Create());
        await a.Writer.WriteAsync(SetPtr(1, "one.example.net."));
        Assert.Equal(ResyncRound.All, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal("one.example.net.", PtrOf(b.Zones.Current.Get(Zone), 1));

        // b loses the zone without the store changing (as when applying a catch-up threw).
        b.Zones.Publish([], [Zone]);
        for (int round = 1; round < ZoneFollower.CompareAllEvery; round++)
        {
            Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));
            Assert.Null(b.Zones.Current.Get(Zone));
        }
        Assert.Equal(ResyncRound.All, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(1, b.Follower.BehindAtLastResync);
        Assert.Equal("one.example.net.", PtrOf(b.Zones.Current.Get(Zone), 1));
        Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));
    }

    [Fact]
    public async Task Every_tenth_round_lists_nothing_while_the_sum_of_serials_agrees_and_repairs_a_zone_held_at_an_older_serial()
    {
        var (a, b) = await TwoNodesAsync();
        await a.Writer.WriteAsync(Create());
        await a.Writer.WriteAsync(CreateOther());
        Assert.Equal(ResyncRound.All, await b.Follower.ResyncIfChangedAsync(default));
        var older = b.Zones.Current.Get(Zone)!;
        await a.Writer.WriteAsync(SetPtr(1, "one.example.net."));
        Assert.Equal(ResyncRound.Written, await b.Follower.ResyncIfChangedAsync(default));
        for (int round = 2; round < ZoneFollower.CompareAllEvery; round++)
            Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(ResyncRound.Checked, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(2, b.Zones.Current.Count);
        Assert.Equal((long)b.Zones.Current.SerialOf(Zone)!.Value + b.Zones.Current.SerialOf(Other)!.Value, b.Zones.Current.SerialSum());

        // b goes back to the zone as it was, the store unchanged (a write it failed to apply): as
        // many zones as the store's, at a lower sum. The next tenth round compares every zone.
        b.Zones.Publish([older], []);
        for (int round = 1; round < ZoneFollower.CompareAllEvery; round++)
            Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(older.Serial, b.Zones.Current.SerialOf(Zone));
        Assert.Equal(ResyncRound.All, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(1, b.Follower.BehindAtLastResync);
        Assert.Equal("one.example.net.", PtrOf(b.Zones.Current.Get(Zone), 1));

        // A write on a lands in the tenth round's listing of what was written, before the check.
        for (int round = 1; round < ZoneFollower.CompareAllEvery; round++)
            Assert.Equal(ResyncRound.Unchanged, await b.Follower.ResyncIfChangedAsync(default));
        await a.Writer.WriteAsync(SetPtr(2, "two.example.net."));
        Assert.Equal(ResyncRound.Checked, await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal("two.example.net.", PtrOf(b.Zones.Current.Get(Zone), 2));
    }

    private static readonly DnsName Other = DnsName.Parse("3.0.192.in-addr.arpa.");

    private static ResourceRecord SoaOf(DnsName zone, uint serial) =>
        new(zone, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), serial, 7200, 900, 1209600, 300));

    private static ZoneWrite CreateOther() =>
        new([], new WriteAudit("tester", "zone.create", Other.ToString()))
        {
            Creations = [new NewZone(Other, [SoaOf(Other, 1), new(Other, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray())])],
        };
    [Fact]
    public async Task A_round_reloads_the_settings_only_after_another_node_wrote_some_and_again_after_a_reload_that_failed()
    {
        var (a, b) = await TwoNodesAsync();
        var reloads = new List<string>();
        bool failPools = false;
        b.Follower.PoolsChanged = _ =>
        {
            reloads.Add("pools");
            return failPools ? throw new InvalidOperationException("the store went away") : Task.CompletedTask;
        };
        b.Follower.TsigKeysChanged = _ =>
        {
            reloads.Add("tsig");
            return Task.CompletedTask;
        };
        b.Follower.DnssecKeysChanged = (zone, _) =>
        {
            reloads.Add(zone is null ? "dnssec" : $"dnssec {zone}");
            return Task.CompletedTask;
        };
        string[] all = ["pools", "tsig", "dnssec"];

        // The first round reloads all (nothing was reloaded before); the next ones, with nothing written, nothing.
        Assert.True(await b.Follower.ResyncRoundAsync(default));
        Assert.Equal(all, reloads);
        reloads.Clear();
        Assert.False(await b.Follower.ResyncRoundAsync(default));
        Assert.False(await b.Follower.ResyncRoundAsync(default));
        Assert.Empty(reloads);

        // Zone data written on a is caught up by the zones' comparison, without reloading settings.
        await a.Writer.WriteAsync(Create());
        Assert.False(await b.Follower.ResyncRoundAsync(default));
        Assert.Empty(reloads);
        Assert.Equal(1u, b.Zones.Current.Get(Zone)?.Serial);

        // A TSIG key added on a (whose notice b missed): the next round reloads, once.
        await a.Store.AddTsigKeyAsync(new TsigKeyRecord("dhcp1.", "hmac-sha256", [1, 2, 3], null, "[]", DateTimeOffset.UnixEpoch),
            new AuditEntry("tester", "tsig-key.create", "dhcp1.", null));
        Assert.True(await b.Follower.ResyncRoundAsync(default));
        Assert.Equal(all, reloads);
        reloads.Clear();
        Assert.False(await b.Follower.ResyncRoundAsync(default));
        Assert.Empty(reloads);

        // A reload that fails is tried again by the next round, until one succeeds.
        Assert.True(await a.Store.DeleteTsigKeyAsync("dhcp1.", null, new AuditEntry("tester", "tsig-key.delete", "dhcp1.", null)));
        failPools = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.Follower.ResyncRoundAsync(default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.Follower.ResyncRoundAsync(default));
        failPools = false;
        reloads.Clear();
        Assert.True(await b.Follower.ResyncRoundAsync(default));
        Assert.Equal(all, reloads);
        reloads.Clear();
        Assert.False(await b.Follower.ResyncRoundAsync(default));
        Assert.Empty(reloads);
    }
}
