using Npgsql;
using Rdns.Protocol.Names;
using Rdns.TestSupport;
using Xunit.Abstractions;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>
/// The contract against a real PostgreSQL server (RDNS_TEST_POSTGRES, which ./test.sh provides),
/// each test in a database of its own; plus what only a shared store does: notify the other nodes.
/// </summary>
public sealed class PostgresStoreTests(ITestOutputHelper output) : StoreContractTests(output)
{
    private PostgresDatabase? _db;

    private string DatabaseName => _db!.Name;

    protected override IRdnsStore OpenStore(int journalLimit = JournalLimit) =>
        StoreFactory.Open(new StoreOptions { Connection = _db!.ConnectionString, JournalLimit = journalLimit }, "unused");

    protected override async Task CreateDatabaseAsync() => _db = await PostgresDatabase.CreateAsync();

    protected override async Task DropDatabaseAsync()
    {
        if (_db is not null)
            await _db.DisposeAsync();
        _db = null;
    }

    private static Task<NpgsqlConnection> OpenServerAsync() => PostgresDatabase.OpenServerAsync();

    [Fact]
    public async Task Migrations_from_several_nodes_at_once_do_not_collide()
    {
        // A second fresh database, migrated by four nodes starting together.
        await DropDatabaseAsync();
        await CreateDatabaseAsync();
        var nodes = Enumerable.Range(0, 4).Select(_ => OpenStore()).ToList();
        await Task.WhenAll(nodes.Select(n => Task.Run(() => n.MigrateAsync())));
        await nodes[1].CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        Assert.Equal(1u, await nodes[3].GetSerialAsync(Zone2));
        foreach (var n in nodes)
            await n.DisposeAsync();
        Assert.Equal("postgresql", Store.Kind);
    }

    [Fact]
    public async Task A_batch_on_one_node_holds_its_zones_until_it_ends_and_another_node_then_sees_its_serials()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await using var other = OpenStore();
        var first = await Store.BeginBatchAsync([Zone2]);
        await first.ApplyAsync(new StoreWrite(Audit("first", "zone")) { Commits = [Change(Zone2, 1, 2)] });
        // The other node's batch for the same zone waits for the lock...
        var second = Task.Run(async () =>
        {
            await using var batch = await other.BeginBatchAsync([Zone2]);
            var serial = await batch.GetSerialAsync(Zone2);
            await batch.ApplyAsync(new StoreWrite(Audit("second", "zone")) { Commits = [Change(Zone2, serial!.Value, serial.Value + 1)] });
            await batch.CommitAsync();
            return serial;
        });
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        // ...and, once the first commits, reads the serial it left: its own change applies on top.
        await first.CommitAsync();
        await first.DisposeAsync();
        Assert.Equal(2u, await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3u, await Store.GetSerialAsync(Zone2));
    }

    [Fact]
    public async Task A_database_that_refuses_connections_is_unavailable_not_an_internal_error()
    {
        await using var closed = StoreFactory.Open(new StoreOptions { Connection = "Host=127.0.0.1;Port=1;Timeout=2" }, "unused");
        await Assert.ThrowsAsync<StoreUnavailableException>(() => closed.BeginBatchAsync([Zone2]));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => closed.GetSerialAsync(Zone2));
    }

    [Fact]
    public async Task A_commit_through_one_node_is_pushed_to_another()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await using var other = OpenStore();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var notices = other.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        await ListeningAsync(notices);

        var next = notices.MoveNextAsync().AsTask();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("commit", "zone"));
        // Pushed by LISTEN/NOTIFY: the listener's only other way, its idle check, waits 30 s. How
        // fast the push is goes to the output, not into an assertion a loaded machine could fail.
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Output.WriteLine($"notice after {clock.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(new ChangeNotice(Zone2, 2, ChangeKind.Changed), notices.Current);

        await Store.CreateZoneAsync(Zone3, Zone(Zone3, 7), false, Audit("create", "zone"));
        Assert.True(await notices.MoveNextAsync());
        Assert.Equal(new ChangeNotice(Zone3, 7, ChangeKind.Created), notices.Current);

        // A commit that fails notifies nobody; the next one does.
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.CommitAsync([Change(Zone2, 1, 5)], Audit("commit", "stale")));
        await Store.DeleteZoneAsync(Zone3, Audit("delete", "zone"));
        Assert.True(await notices.MoveNextAsync());
        Assert.Equal(new ChangeNotice(Zone3, 7, ChangeKind.Deleted), notices.Current);
    }

    [Fact]
    public async Task Notices_of_views_and_of_zones_in_views_name_the_view()
    {
        await using var other = OpenStore();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var notices = other.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        await ListeningAsync(notices);

        var next = notices.MoveNextAsync().AsTask();
        await Store.AddViewAsync(new StoredView("office", 0, ["10.0.0.0/8"], [], [], null, default, default), Audit("view.create", "office"));
        Assert.True(await next);
        Assert.Equal((ChangeKind.Views, "office"), (notices.Current.Kind, notices.Current.View));

        await using (var batch = await Store.BeginBatchAsync("office", [Zone2]))
        {
            await batch.ApplyAsync(new StoreWrite(Audit("create", "office")) { Creations = [new ZoneCreation(Zone2, Zone(Zone2, 4), false)] });
            await batch.CommitAsync();
        }
        Assert.True(await notices.MoveNextAsync());
        Assert.Equal(new ChangeNotice(Zone2, 4, ChangeKind.Created) { View = "office" }, notices.Current);

        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "public"));
        Assert.True(await notices.MoveNextAsync());
        Assert.Equal(new ChangeNotice(Zone2, 1, ChangeKind.Created), notices.Current);
    }

    [Fact]
    public async Task The_watcher_reconnects_after_its_connection_is_killed_and_says_it_listens_again_without_a_report_of_every_zone()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var notices = Store.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        await ListeningAsync(notices);

        var next = notices.MoveNextAsync().AsTask();
        // The listening session is killed while the database refuses new connections, so the
        // commit below (on the store's pooled connection, which stays) is made while nobody listens.
        await using (await _db!.CutWatchesAsync())
        {
            await Store.CommitAsync([Change(Zone2, 1, 2)], Audit("commit", "zone"));
            // The watcher retries meanwhile and is refused; the commit's notification went to nobody.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.False(next.IsCompleted, $"a notice arrived while the watcher could not listen: {(next.IsCompleted ? notices.Current : null)}");
        }

        // Back, its first notice says it listens again (and its LISTEN has taken effect): the
        // consumer compares with the store then. No zone is reported one by one, which on a
        // store of a million zones was a store read per zone on every node after each outage.
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(new ChangeNotice(DnsName.Root, 0, ChangeKind.Listening), notices.Current);
        Assert.True(await ListenerShownAsync(), "the watch said it was listening again before its LISTEN took effect");

        // And it hears what is committed from then on.
        await Store.CommitAsync([Change(Zone2, 2, 3)], Audit("commit", "zone"));
        Assert.True(await notices.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(new ChangeNotice(Zone2, 3, ChangeKind.Changed), notices.Current);
    }

    /// <summary>
    /// The watch's first notice says it is listening, and is not given before LISTEN has taken
    /// effect: a commit made after it cannot be missed.
    /// </summary>
    private async Task ListeningAsync(IAsyncEnumerator<ChangeNotice> notices)
    {
        Assert.True(await notices.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(new ChangeNotice(DnsName.Root, 0, ChangeKind.Listening), notices.Current);
        Assert.True(await ListenerShownAsync(), "the watch said it was listening before its LISTEN took effect");
    }

    /// <summary>Whether the server shows the watcher's own connection as having issued LISTEN.</summary>
    private async Task<bool> ListenerShownAsync()
    {
        await using var server = await OpenServerAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @db AND application_name = 'rdns-watch' AND query LIKE 'LISTEN%'", server);
        cmd.Parameters.AddWithValue("db", DatabaseName);
        return (long)(await cmd.ExecuteScalarAsync())! > 0;
    }
}
