using Microsoft.Data.Sqlite;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage.Sqlite;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>
/// The SQLite bulk insert binds rows by calling straight into the native library; that must be the
/// very copy of SQLite that SQLitePCLRaw's provider loaded (handles of one copy handed to another
/// corrupt memory), and when it cannot be proved to be, the rows go through the provider's calls.
/// </summary>
public sealed class RowInserterProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rdns-provider-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_bulk_insert_stores_the_rows_exactly_when_the_provider_is_the_system_sqlite()
    {
        string output = await Program.RunAsync(OtherProviderImport.Verb, _directory);
        // The provider really was the system's library, not the bundled one.
        Assert.Contains("library sqlite3 ", output);
        Assert.Contains("rows same", output);
    }

    [Fact]
    public void The_bundled_library_is_called_directly_and_another_copy_of_sqlite_never()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Assert.Null(SqliteDirectCalls.Unavailable);
        Assert.Equal("e_sqlite3", SqliteDirectCalls.Current!.Library);
        // The system's libsqlite3 loads by its name, but it is not the copy the provider calls.
        var (calls, why) = SqliteDirectCalls.Resolve("sqlite3");
        Assert.Null(calls);
        Assert.Contains("not the copy of SQLite that SQLitePCLRaw's provider calls", why);
        Assert.Null(SqliteDirectCalls.Resolve("no-such-sqlite-library").Calls);
    }

    [Fact]
    public void Rows_bound_through_the_provider_are_the_rows_bound_directly()
    {
        var zone = N("5.0.192.in-addr.arpa.");
        var records = Zone(zone, 1, ptrs: 100);
        // An empty RDATA is a zero-length blob, not NULL.
        records.Add(new ResourceRecord(zone.Prepend("empty"), (RecordType)65280, 60, []));
        var rows = ZoneRows.From(records);
        Assert.Equal(Table(rows, SqliteDirectCalls.Current), Table(rows, null));
        Assert.Contains("X'' 65280", Table(rows, null));
    }

    /// <summary>The records table after a bulk insert of <paramref name="rows"/>, as text.</summary>
    private static string Table(ZoneRows rows, SqliteDirectCalls? calls)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE records (zone_id INTEGER, owner_key BLOB, owner BLOB, type INTEGER, class INTEGER, ttl INTEGER, rdata BLOB)";
            create.ExecuteNonQuery();
        }
        using (var inserter = new RowInserter(connection, calls))
            inserter.Insert(7, rows, null, CancellationToken.None);
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT quote(zone_id), quote(owner_key), quote(owner), quote(type), quote(class), quote(ttl), quote(rdata), type FROM records ORDER BY rowid";
        using var reader = select.ExecuteReader();
        var text = new System.Text.StringBuilder();
        while (reader.Read())
            text.AppendLine($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetString(2)} {reader.GetString(3)} {reader.GetString(4)} {reader.GetString(5)} {reader.GetString(6)} {reader.GetInt64(7)}");
        return text.ToString();
    }
}
