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

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = await OpenServerAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
