using Microsoft.Data.Sqlite;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>The contract against SQLite in a temporary directory, plus what only an embedded file can promise.</summary>
public sealed class SqliteStoreTests(ITestOutputHelper output) : StoreContractTests(output)
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rdns-store-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "rdns.db");

    protected override IRdnsStore OpenStore(int journalLimit = JournalLimit) =>
        StoreFactory.Open(new StoreOptions { JournalLimit = journalLimit }, _directory);

    protected override Task CreateDatabaseAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    protected override Task DropDatabaseAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_database_is_a_wal_file_under_the_data_directory()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        Assert.Equal("sqlite", Store.Kind);
        Assert.True(File.Exists(DatabasePath));
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
        cmd.CommandText = "SELECT MAX(version) FROM schema_version";
        Assert.Equal(12L, cmd.ExecuteScalar()); // zones, records, journal, audit, keys; then tenant tables; then the store's id; then TSIG keys; then shared secrets; then DNSSEC zones and keys; then views; then audit values and tenant deletion; then audit search keys; then zone revisions; then zones by revision; then the settings revision
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('tenants', 'pools', 'allocations', 'custom_reverses', 'domains')";
        Assert.Equal(5L, cmd.ExecuteScalar());
    }

    [Fact]
    public async Task Audit_rows_written_without_search_keys_get_them_at_the_next_start()
    {
        await Store.AppendAuditAsync([new AuditEntry("admin:key_a", "ptr.set", "192.0.2.1", null)]);
        await Store.DisposeAsync();
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            // What an older rdns wrote: the row without its keys.
            cmd.CommandText = "INSERT INTO audit (at, actor, action, target, detail) VALUES (0, 'tenant:ten_old:key_o', 'reverse.set', '192.0.2.7', 'old.example. (confirmed)')";
            cmd.ExecuteNonQuery();
        }
        Store = OpenStore();
        await Store.MigrateAsync();
        var found = Assert.Single(await Store.GetAuditAsync(new AuditQuery(Tenant: "ten_old", Ip: System.Net.IPAddress.Parse("192.0.2.7")), 10));
        Assert.Equal("old.example. (confirmed)", found.Detail);
    }

    [Fact]
    public async Task Released_memory_empties_the_writers_page_cache_and_the_next_write_reads_what_it_needs()
    {
        var sqlite = (Sqlite.SqliteStore)Store;
        var zone = N("10.10.in-addr.arpa.");
        var records = new List<ResourceRecord> { Soa(zone, 1), Ns(zone) };
        for (int i = 0; i < 30_000; i++)
            records.Add(new ResourceRecord(N($"{i & 255}.{i >> 8}.10.10.in-addr.arpa."), RecordType.PTR, 3600, Rdata.Ptr(N($"customer-{i}.example.com."))));
        await Store.CreateZoneAsync(zone, records, false, Audit("create", "zone"));
        long written = await sqlite.WriterCacheUsedAsync();
        Assert.True(written > 1 << 20, $"{written} octets cached after writing 30,000 records");

        await Store.ReleaseMemoryAsync();
        long released = await sqlite.WriterCacheUsedAsync();
        Assert.True(released < written / 8, $"{released} octets cached after the release, {written} before");

        await Store.CommitAsync([Change(zone, 1, 2, added: [new ResourceRecord(N("1.200.10.10.in-addr.arpa."), RecordType.PTR, 3600, Rdata.Ptr(N("after.example.com.")))])], Audit("change", "zone"));
        var stored = (await Store.LoadAsync(zone))!;
        Assert.Equal(2u, stored.Serial);
        Assert.Equal(records.Count + 1, stored.Records.Count);
    }

    [Fact]
    public async Task A_bulk_load_defers_the_flush_of_each_commit_and_ends_with_every_commit_durable()
    {
        var sqlite = (Sqlite.SqliteStore)Store;
        Assert.Equal(2, await sqlite.WriterSynchronousAsync()); // FULL: each commit waits for the disk
        var bulk = await Store.BeginBulkLoadAsync();
        await using (bulk)
        {
            Assert.Equal(1, await sqlite.WriterSynchronousAsync()); // NORMAL: flushed at checkpoints
            await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
            await bulk.CompleteAsync();
            Assert.Equal(2, await sqlite.WriterSynchronousAsync());
        }
        // Everything is in the database file itself: the completion checkpointed the whole WAL.
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            using var result = cmd.ExecuteReader();
            Assert.True(result.Read());
            Assert.Equal(0, result.GetInt64(0));
            Assert.Equal(result.GetInt64(1), result.GetInt64(2));
        }

        // Ended without completing (a failed import): later commits are durable again, and what
        // was committed stays.
        var failed = await Store.BeginBulkLoadAsync();
        await Store.CreateZoneAsync(Zone3, Zone(Zone3, 1), false, Audit("create", "zone"));
        await failed.DisposeAsync();
        Assert.Equal(2, await sqlite.WriterSynchronousAsync());
        string before = await StateAsync(Store);
        await Store.DisposeAsync();
        await using var reopened = OpenStore();
        await reopened.MigrateAsync();
        Assert.Equal(before, await StateAsync(reopened));
    }

    [Fact]
    public async Task Data_survives_reopening()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1), false, Audit("create", "zone"));
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 9)])], Audit("commit", "zone"));
        await Store.AddKeyAsync(new ApiKeyRecord("k", "admin", null, [1], DateTimeOffset.UnixEpoch, null), Audit("key.add", "k"));
        string before = await StateAsync(Store);
        await Store.DisposeAsync();

        await using var reopened = OpenStore();
        await reopened.MigrateAsync();
        Assert.Equal(before, await StateAsync(reopened));
        Assert.NotNull(await reopened.FindKeyAsync([1]));
    }

    [Fact]
    public async Task Watching_a_sqlite_store_completes_without_notices()
    {
        await foreach (var notice in Store.WatchAsync())
            Assert.Fail($"unexpected notice {notice}");
    }

    /// <summary>
    /// A writer process is killed with SIGKILL in the middle of committing: every commit it had
    /// acknowledged (printed after CommitAsync returned) must be there when the store is reopened,
    /// journal included, and the store must open cleanly.
    /// </summary>
    [Fact]
    public async Task Every_acknowledged_commit_survives_a_kill_9_of_the_writer()
    {
        await Store.DisposeAsync();
        using var writer = Program.Start(CrashWriter.Verb, _directory);
        var stderr = writer.StandardError.ReadToEndAsync();
        uint acknowledged = 0;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (acknowledged < 40)
            {
                string? line = await writer.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                    Assert.Fail("writer exited early: " + await stderr);
                acknowledged = Acknowledged(line, acknowledged);
            }
        }
        finally
        {
            writer.Kill(); // SIGKILL on Unix: no finalizers, no dispose, no WAL checkpoint
            await writer.WaitForExitAsync();
        }
        Assert.Equal(137, writer.ExitCode);
        // The writer runs ahead of our reading: everything it printed before it died was acknowledged.
        // Only whole lines count; the kill may have cut the last one.
        string rest = await writer.StandardOutput.ReadToEndAsync();
        foreach (var line in rest.Split('\n')[..^1])
            acknowledged = Acknowledged(line, acknowledged);

        await using var reopened = OpenStore(journalLimit: CrashWriter.JournalLimit);
        await reopened.MigrateAsync();
        uint serial = (await reopened.GetSerialAsync(CrashWriter.Zone))!.Value;
        Output.WriteLine($"acknowledged {acknowledged}, found {serial}");
        Assert.True(serial >= acknowledged, $"serial {serial} is behind the acknowledged {acknowledged}");
        var zone = (await reopened.LoadAsync(CrashWriter.Zone))!;
        for (int host = 2; host <= acknowledged; host++)
            Assert.Contains(Ptr(CrashWriter.Zone, host), zone.Records);
        Assert.Equal((int)serial - 1, (await reopened.GetJournalAsync(CrashWriter.Zone, 1))!.Count);
    }

    private static uint Acknowledged(string line, uint previous) =>
        line.StartsWith("acked ", StringComparison.Ordinal) ? uint.Parse(line[6..], System.Globalization.CultureInfo.InvariantCulture) : previous;
}
