using Microsoft.Data.Sqlite;
using Npgsql;

namespace Rdns.Storage.Tests;

/// <summary>
/// A full disk is told apart from a bug: the API answers "store full" for it instead of "internal
/// error". SQLite's is produced for real (a database capped at a few pages reports SQLITE_FULL just
/// as a full disk does); PostgreSQL's disk_full (53100) cannot be provoked on a shared test server,
/// so its exception is built with the server's code.
/// </summary>
public sealed class StoreFailureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rdns-full-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Sqlite_reporting_a_full_database_is_a_full_store()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "full.db")};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA max_page_count = 8; CREATE TABLE t (b BLOB)";
        cmd.ExecuteNonQuery();
        cmd.CommandText = "INSERT INTO t VALUES (zeroblob(4096))";
        var full = Assert.Throws<SqliteException>(() =>
        {
            for (int i = 0; i < 100; i++)
                cmd.ExecuteNonQuery();
        });
        Assert.Equal(StoreFailureKind.Full, StoreFailure.Classify(full));
        Assert.Equal(StoreFailureKind.Full, StoreFailure.Classify(new InvalidOperationException("wrapped", full)));
        Assert.Contains("full", StoreFailure.Explain(StoreFailureKind.Full, full));

    }

    [Fact]
    public void A_broken_rule_is_not_a_store_failure()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "rules.db")};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "CREATE TABLE u (k INTEGER PRIMARY KEY); INSERT INTO u VALUES (1); INSERT INTO u VALUES (1)";
        var duplicate = Assert.Throws<SqliteException>(() => cmd.ExecuteNonQuery());
        Assert.Null(StoreFailure.Classify(duplicate));
    }

    [Fact]
    public void Sqlite_that_cannot_open_its_file_is_an_unavailable_store()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "missing", "x.db")};Mode=ReadWrite;Pooling=False");
        var e = Assert.Throws<SqliteException>(() => connection.Open());
        Assert.Equal(StoreFailureKind.Unavailable, StoreFailure.Classify(e));
    }

    [Fact]
    public void Postgresql_disk_full_is_a_full_store_and_a_lost_connection_an_unavailable_one()
    {
        var diskFull = new PostgresException("could not extend file \"base/16384/16385\": No space left on device", "ERROR", "ERROR", PostgresErrorCodes.DiskFull);
        Assert.Equal(StoreFailureKind.Full, StoreFailure.Classify(diskFull));
        Assert.Equal(StoreFailureKind.Unavailable, StoreFailure.Classify(new NpgsqlException("Exception while reading from stream")));
        Assert.Null(StoreFailure.Classify(new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.Null(StoreFailure.Classify(new InvalidOperationException("a bug")));
    }
}
