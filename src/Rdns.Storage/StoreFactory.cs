using Microsoft.Data.Sqlite;
using Rdns.Storage.Postgres;
using Rdns.Storage.Sqlite;

namespace Rdns.Storage;

/// <summary>Opens the store that <see cref="StoreOptions.Connection"/> names.</summary>
public static class StoreFactory
{
    /// <summary>
    /// A connection string containing <c>Host=</c> opens PostgreSQL; anything else is a SQLite file
    /// (a path, or a <c>Data Source=</c> connection string), by default <c>rdns.db</c> in
    /// <paramref name="dataDirectory"/>. Nothing is read or written until the first call, and the
    /// caller runs <see cref="IZoneStore.MigrateAsync"/> before using the store.
    /// </summary>
    public static IRdnsStore Open(StoreOptions options, string dataDirectory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        string? connection = options.Connection;
        if (!string.IsNullOrWhiteSpace(connection) && IsPostgres(connection))
            return new PostgresStore(connection, options, time);

        var builder = SqliteBuilder(connection, dataDirectory);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        return new SqliteStore(builder.ConnectionString, options, time);
    }

    /// <summary>
    /// Why SQLite bulk inserts (imports, zone creation) bind their rows through SQLitePCLRaw's
    /// ordinary calls, which copy every blob, rather than directly into the native library its
    /// provider loaded; null when they bind directly. Ask once a SQLite store has been opened.
    /// </summary>
    public static string? SqliteBulkBindingFallback() => SqliteDirectCalls.Unavailable;

    /// <summary>The full path of the SQLite file <paramref name="options"/> name, or null for PostgreSQL.</summary>
    public static string? SqlitePath(StoreOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? connection = options.Connection;
        return !string.IsNullOrWhiteSpace(connection) && IsPostgres(connection) ? null : SqliteBuilder(connection, dataDirectory).DataSource;
    }

    /// <summary>The store for messages: the SQLite file, or the PostgreSQL host and database (never the password).</summary>
    public static string Describe(StoreOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (SqlitePath(options, dataDirectory) is { } path)
            return path;
        var pg = new Npgsql.NpgsqlConnectionStringBuilder(options.Connection);
        return $"PostgreSQL database '{pg.Database ?? pg.Username}' on {pg.Host}:{pg.Port}";
    }

    private static SqliteConnectionStringBuilder SqliteBuilder(string? connection, string dataDirectory)
    {
        SqliteConnectionStringBuilder builder;
        if (string.IsNullOrWhiteSpace(connection))
            builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "rdns.db") };
        else if (connection.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
            builder = new SqliteConnectionStringBuilder(connection);
        else
            builder = new SqliteConnectionStringBuilder { DataSource = connection };
        builder.DataSource = Path.GetFullPath(builder.DataSource);
        return builder;
    }

    private static bool IsPostgres(string connection) =>
        connection.Contains("Host=", StringComparison.OrdinalIgnoreCase) ||
        connection.Contains("Host =", StringComparison.OrdinalIgnoreCase);
}
