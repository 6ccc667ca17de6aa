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
/// The periodic resync of a node sharing its store with others (PostgreSQL): it compares every
/// zone only when the store's zones stamp moved (or every <see cref="ZoneFollower.CompareAllEvery"/>
/// rounds), so an idle node reads one row per round; what another node committed is caught up all the same.
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

    private async Task<(Node A, Node B)> TwoNodesAsync()
    {
        var db = Own(await PostgresDatabase.CreateAsync());
        return (await NodeAsync(db.ConnectionString), await NodeAsync(db.ConnectionString));
    }

    [Fact]
    public async Task An_idle_round_compares_nothing_and_a_commit_on_another_node_brings_a_comparison_that_catches_it_up()
    {
        var (a, b) = await TwoNodesAsync();
        await a.Writer.WriteAsync(Create());
        Assert.Null(b.Follower.LastResync);

        // The first round compares (nothing was compared before) and loads the zone b missed.
        Assert.True(await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(1u, b.Zones.Current.Get(Zone)?.Serial);
        Assert.Equal(1, b.Follower.BehindAtLastResync);
        var compared = b.Follower.LastResync;
        Assert.NotNull(compared);

        // Nothing committed since: the stamp alone, and b is still found in step.
        Assert.False(await b.Follower.ResyncIfChangedAsync(default));
        Assert.False(await b.Follower.ResyncIfChangedAsync(default));
        Assert.True(b.Follower.LastResync >= compared);

        // A change on a (whose notice b never got) moves the stamp: the next round compares and catches up.
        await a.Writer.WriteAsync(SetPtr(7, "seven.example.net."));
        Assert.True(await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(2u, b.Zones.Current.Get(Zone)?.Serial);
        Assert.Equal("seven.example.net.", PtrOf(b.Zones.Current.Get(Zone), 7));
        Assert.False(await b.Follower.ResyncIfChangedAsync(default));

        // b's own commit moves it too (one comparison, which finds b in step).
        await b.Writer.WriteAsync(SetPtr(8, "eight.example.net."));
        Assert.True(await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(0, b.Follower.BehindAtLastResync);
        Assert.False(await b.Follower.ResyncIfChangedAsync(default));

        // A zone deleted on a: the count moves, b drops it.
        await a.Writer.CatchUpAsync([Zone]);
        await a.Writer.WriteAsync(new ZoneWrite([], new WriteAudit("tester", "zone.delete", Zone.ToString())) { Deletions = [Zone] });
        Assert.True(await b.Follower.ResyncIfChangedAsync(default));
        Assert.Null(b.Zones.Current.Get(Zone));
    }

    [Fact]
    public async Task A_zone_a_node_failed_to_apply_is_repaired_by_the_comparison_every_tenth_round_though_the_store_is_unchanged()
    {
        var (a, b) = await TwoNodesAsync();
        await a.Writer.WriteAsync(Create());
        await a.Writer.WriteAsync(SetPtr(1, "one.example.net."));
        Assert.True(await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal("one.example.net.", PtrOf(b.Zones.Current.Get(Zone), 1));

        // b loses the zone without the store changing (as when applying a catch-up threw).
        b.Zones.Publish([], [Zone]);
        for (int round = 1; round < ZoneFollower.CompareAllEvery; round++)
        {
            Assert.False(await b.Follower.ResyncIfChangedAsync(default));
            Assert.Null(b.Zones.Current.Get(Zone));
        }
        Assert.True(await b.Follower.ResyncIfChangedAsync(default));
        Assert.Equal(1, b.Follower.BehindAtLastResync);
        Assert.Equal("one.example.net.", PtrOf(b.Zones.Current.Get(Zone), 1));
        Assert.False(await b.Follower.ResyncIfChangedAsync(default));
    }
}
