namespace Rdns.Storage.Tests;

/// <summary>
/// The store's process-wide SQLite setting (<see cref="Sqlite.SqliteLibrary"/>): taken when the
/// store is the first to use SQLite in its process, as in the server. Checked in a process of its
/// own, since the test runner's process has opened connections long before.
/// </summary>
public sealed class SqliteLibraryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rdns-library-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_store_first_in_its_process_turns_off_memory_statistics_and_keeps_the_connection_mutex()
    {
        string output = await Program.RunAsync(LibrarySettings.Verb, _directory);
        // SQLITE_OK (0).
        Assert.Contains("config 0\n", output.ReplaceLineEndings("\n"));
        // A zone written, yet SQLite counted no memory: the counting (and its mutex) is off.
        Assert.Contains("memory used 0\n", output.ReplaceLineEndings("\n"));
        // The serialized mode stays: a statement finalized on the finalizer thread needs it.
        Assert.Contains("connection mutex some", output);
    }

    [Fact]
    public async Task In_a_process_where_sqlite_started_before_the_store_the_setting_is_refused_and_the_store_still_works()
    {
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:"))
            connection.Open();
        await using var store = StoreFactory.Open(new StoreOptions(), _directory);
        await store.MigrateAsync();
        // Either this process configured SQLite before its first connection (a store opened
        // earlier in the run) or SQLite refused with SQLITE_MISUSE (21); never anything else.
        Assert.Contains(Sqlite.SqliteLibrary.Configure(), (int[])[0, 21]);
        var zone = TestZones.N("6.0.192.in-addr.arpa.");
        var records = TestZones.Zone(zone, 1, ptrs: 10);
        await store.CreateZoneAsync(zone, records, false, TestZones.Audit("create", "settings"));
        Assert.Equal(TestZones.Dump(records), TestZones.Dump((await store.LoadAsync(zone))!.Records));
    }
}
