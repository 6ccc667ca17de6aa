using Npgsql;
using Xunit.Abstractions;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>
/// The contract against a real PostgreSQL server (RDNS_TEST_POSTGRES, which ./test.sh provides),
/// each test in a database of its own; plus what only a shared store does: notify the other nodes.
/// </summary>
public sealed class PostgresStoreTests(ITestOutputHelper output) : StoreContractTests(output)
{
    private readonly string _database = "rdns_test_" + Guid.NewGuid().ToString("N");
    private string? _connectionString;

    /// <summary>Unset is a failure, not a skip: a green run must have exercised PostgreSQL.</summary>
    private static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("RDNS_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("RDNS_TEST_POSTGRES is not set; run ./test.sh, which starts a PostgreSQL server for the tests");

    protected override IRdnsStore OpenStore(int journalLimit = JournalLimit) =>
        StoreFactory.Open(new StoreOptions { Connection = _connectionString, JournalLimit = journalLimit }, "unused");

    protected override async Task CreateDatabaseAsync()
    {
        await using (var server = await OpenServerAsync())
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {_database}", server))
            await create.ExecuteNonQueryAsync();
        _connectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _database }.ConnectionString;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_connectionString is null)
            return;
        await using var server = await OpenServerAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> OpenServerAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

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
    public async Task A_commit_through_one_node_is_noticed_by_another_within_a_second()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await using var other = OpenStore();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var notices = other.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var next = notices.MoveNextAsync().AsTask();
        await WaitForListenerAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("commit", "zone"));
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(1)));
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
    public async Task The_watcher_reconnects_after_its_connection_is_killed_and_reports_current_serials()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var notices = Store.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var next = notices.MoveNextAsync().AsTask();
        await WaitForListenerAsync();

        // Kill the listening session; the commit made while it is down is reported once it is back.
        await using (var server = await OpenServerAsync())
        await using (var kill = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @db AND application_name = 'rdns-watch'", server))
        {
            kill.Parameters.AddWithValue("db", _database);
            await kill.ExecuteNonQueryAsync();
        }
        await Store.CommitAsync([Change(Zone2, 1, 2)], Audit("commit", "zone"));

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        var notice = notices.Current;
        while (notice.Serial != 2)
        {
            Assert.True(await notices.MoveNextAsync());
            notice = notices.Current;
        }
        Assert.Equal(new ChangeNotice(Zone2, 2, ChangeKind.Changed), notice);
    }

    /// <summary>LISTEN is issued by the watcher's own connection; wait until the server shows it, so no commit can come before it.</summary>
    private async Task WaitForListenerAsync()
    {
        await using var server = await OpenServerAsync();
        for (int i = 0; i < 200; i++)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @db AND application_name = 'rdns-watch' AND query LIKE 'LISTEN%'", server);
            cmd.Parameters.AddWithValue("db", _database);
            if ((long)(await cmd.ExecuteScalarAsync())! > 0)
                return;
            await Task.Delay(25);
        }
        Assert.Fail("the watcher never started listening");
    }
}
