using Npgsql;

namespace Rdns.TestSupport;

/// <summary>
/// A fresh database of its own on the test PostgreSQL server (RDNS_TEST_POSTGRES, which ./test.sh
/// starts), dropped on dispose. The variable unset is a failure, not a skip: a green run must
/// have exercised PostgreSQL.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private PostgresDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>A connection string for this database (what <c>--store</c> takes).</summary>
    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("RDNS_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("RDNS_TEST_POSTGRES is not set; run ./test.sh, which starts a PostgreSQL server for the tests");

    public static async Task<PostgresDatabase> CreateAsync()
    {
        string name = "rdns_test_" + Guid.NewGuid().ToString("N");
        await using (var server = await OpenServerAsync())
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", server))
            await create.ExecuteNonQueryAsync();
        return new PostgresDatabase(name, new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString);
    }

    /// <summary>A connection to the server's maintenance database, outside any pool.</summary>
    public static async Task<NpgsqlConnection> OpenServerAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs SQL against this database (outside the code under test).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Ends the sessions of the store watches (application name <c>rdns-watch</c>) on this database
    /// while it refuses new connections, so no watch listens again until the outage is disposed;
    /// sessions already open (the stores' pooled connections) stay.
    /// </summary>
    public async Task<WatchOutage> CutWatchesAsync()
    {
        await AllowConnectionsAsync(false);
        try
        {
            await using var server = await OpenServerAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND application_name = 'rdns-watch'", server);
            kill.Parameters.AddWithValue("db", Name);
            return new WatchOutage(this, (int)(long)(await kill.ExecuteScalarAsync())!);
        }
        catch
        {
            await AllowConnectionsAsync(true);
            throw;
        }
    }

    /// <summary>An outage of the store watches (<see cref="CutWatchesAsync"/>): disposed, the database takes connections again.</summary>
    public sealed class WatchOutage(PostgresDatabase db, int ended) : IAsyncDisposable
    {
        /// <summary>Watch sessions ended.</summary>
        public int Ended => ended;

        public async ValueTask DisposeAsync() => await db.AllowConnectionsAsync(true);
    }

    private async Task AllowConnectionsAsync(bool allowed)
    {
        await using var server = await OpenServerAsync();
        await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{Name}\" ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", server);
        await alter.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = await OpenServerAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
