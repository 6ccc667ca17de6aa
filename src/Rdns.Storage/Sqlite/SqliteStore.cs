using System.Data.Common;
using Microsoft.Data.Sqlite;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using SQLitePCL;

namespace Rdns.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Readers each take a pooled connection and see a
/// snapshot while the single writer commits; writes are serialized in-process by a semaphore (SQLite
/// allows one writer at a time anyway, and waiting on a semaphore is cheaper and fairer than
/// retrying on SQLITE_BUSY).
/// </summary>
internal sealed class SqliteStore : SqlStore
{
    /// <summary>
    /// Connection setup run on every connection we open. synchronous=FULL makes a WAL commit fsync
    /// before it returns, so an acknowledged write survives kill -9 and power loss (NORMAL would
    /// only survive a process crash). The busy timeout covers another process holding the file.
    /// </summary>
    private const string ConnectionPragmas = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;";

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private SqliteConnection? _writeConnection;
    private StatementCache? _statements;
    private RowInserter? _inserter;
    private bool _disposed;
    private volatile bool _fileReady;

    public SqliteStore(string connectionString, StoreOptions options, TimeProvider time)
        : base(options, time)
    {
        SqliteLibrary.Configure();
        _connectionString = connectionString;
    }

    public override string Kind => "sqlite";

    protected override IReadOnlyList<string> Migrations => SqliteSchema.Migrations;

    private SqliteConnection Open()
    {
        if (!_fileReady)
            CreateFileOwnerOnly();
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = ConnectionPragmas;
        cmd.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// The database holds every key hash and every tenant's data: it is created readable by its
    /// owner only (0600), and so is an empty file SQLite is about to make a database of. SQLite
    /// gives the -wal and -shm files it creates beside it the database file's mode, so they are
    /// 0600 too. A database that already has content keeps the mode its operator gave it.
    /// </summary>
    private void CreateFileOwnerOnly()
    {
        var path = new SqliteConnectionStringBuilder(_connectionString).DataSource;
        if (OperatingSystem.IsWindows() || path == ":memory:")
        {
            _fileReady = true;
            return;
        }
        var file = new FileInfo(path);
        if (file.Exists && file.Length == 0)
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (!file.Exists)
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created by someone else meanwhile; SQLite opens it as it is.
            }
        }
        _fileReady = true;
    }

    protected override Task<StoreSession> BeginReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = Open();
        try
        {
            // Deferred: the snapshot is taken at the first read and held to the end.
            var transaction = connection.BeginTransaction(deferred: true);
            return Task.FromResult(new StoreSession(connection, transaction, connection.DisposeAsync));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override async Task<StoreSession> BeginWriteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var connection = WriteConnection();
            // IMMEDIATE takes the write lock now, so another process cannot slip in between our
            // read of a serial and our write of the next one.
            var transaction = connection.BeginTransaction(deferred: false);
            return new StoreSession(connection, transaction, Release) { Statements = _statements!.Command };
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    /// <summary>The writer's connection, opened on first use; only under the writer lock.</summary>
    private SqliteConnection WriteConnection()
    {
        // A writer that queued behind DisposeAsync must not reopen the file.
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writeConnection is null)
        {
            var connection = Open();
            // WAL is a property of the file; setting it once per process is enough. The writer
            // gets a 64 MiB page cache (2 MiB by default), so the record index of a large zone
            // being written stays in memory instead of being read back page by page.
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL; PRAGMA cache_size = -65536";
                wal.ExecuteNonQuery();
            }
            _writeConnection = connection;
            _statements = new StatementCache(connection);
        }
        return _writeConnection;
    }

    /// <summary>
    /// A bulk load on SQLite: the writer commits with <c>synchronous = NORMAL</c>, so a commit
    /// writes the WAL without waiting for the disk, which is flushed at each checkpoint instead,
    /// and checkpoints come every 64 MiB of WAL rather than every 4 MiB. Completing restores
    /// <c>synchronous = FULL</c> and checkpoints the whole WAL, flushing it and the database file.
    /// A crash of the process loses nothing meanwhile (the WAL is in the system's page cache); a
    /// power failure may lose the commits since the last checkpoint, never consistency.
    /// </summary>
    public override async Task<IBulkLoad> BeginBulkLoadAsync(CancellationToken cancellationToken = default)
    {
        await OnWriterAsync(c => Pragmas(c, "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384"), cancellationToken);
        return new SqliteBulkLoad(
            ct => OnWriterAsync(Durable, ct),
            () => OnWriterAsync(c => Pragmas(c, DurablePragmas), CancellationToken.None));
    }

    /// <summary>
    /// The writer's page cache emptied of the pages no transaction uses (all of them between
    /// transactions): <c>PRAGMA shrink_memory</c> frees them to the C heap, which the trimmer then
    /// gives back to the system. The readers' pooled connections are closed, each with its cache;
    /// the next read opens one.
    /// </summary>
    public override async Task ReleaseMemoryAsync(CancellationToken cancellationToken = default)
    {
        if (_writeConnection is not null)
            await OnWriterAsync(c => Pragmas(c, "PRAGMA shrink_memory"), cancellationToken);
        using var pooled = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(pooled);
    }

    private const string DurablePragmas = "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000";

    private static void Durable(SqliteConnection connection)
    {
        Pragmas(connection, DurablePragmas);
        using var checkpoint = connection.CreateCommand();
        // FULL waits (up to the busy timeout) for readers of older snapshots, then copies every
        // frame of the WAL into the database file: the WAL is flushed first, the file after.
        checkpoint.CommandText = "PRAGMA wal_checkpoint(FULL)";
        using var result = checkpoint.ExecuteReader();
        if (!result.Read() || result.GetInt64(0) != 0)
            throw new StoreUnavailableException("the sqlite store could not flush the bulk load to disk: readers held the write-ahead log past the busy timeout");
    }

    private static void Pragmas(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The writer's <c>PRAGMA synchronous</c> (1 NORMAL, 2 FULL): what its commits wait for.</summary>
    internal async Task<long> WriterSynchronousAsync()
    {
        long value = 0;
        await OnWriterAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            value = (long)command.ExecuteScalar()!;
        }, CancellationToken.None);
        return value;
    }

    /// <summary>Octets the writer's page cache holds now (<c>SQLITE_DBSTATUS_CACHE_USED</c>).</summary>
    internal async Task<long> WriterCacheUsedAsync()
    {
        int used = 0;
        await OnWriterAsync(c => Check(c.Handle!, raw.sqlite3_db_status(c.Handle!, raw.SQLITE_DBSTATUS_CACHE_USED, out used, out _, 0)), CancellationToken.None);
        return used;
    }

    /// <summary>Runs <paramref name="action"/> on the writer's connection between transactions.</summary>
    private async Task OnWriterAsync(Action<SqliteConnection> action, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            action(WriteConnection());
        }
        finally
        {
            _writer.Release();
        }
    }

    private ValueTask Release()
    {
        _writer.Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Microseconds since the Unix epoch: compact, ordered, and the precision PostgreSQL keeps too.</summary>
    protected override object DbTime(DateTimeOffset time) => (StoreTime.ToMicroseconds(time).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + reader.GetInt64(ordinal) * 10, TimeSpan.Zero);

    protected override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: raw.SQLITE_CONSTRAINT };

    /// <summary>A full disk, an I/O error, a file that became read-only or cannot be opened: nothing was written.</summary>
    protected override bool IsUnavailable(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: raw.SQLITE_FULL or raw.SQLITE_IOERR or raw.SQLITE_READONLY or raw.SQLITE_CANTOPEN or raw.SQLITE_BUSY };

    /// <summary>
    /// The load path at start, where a million rows must stream in seconds: statements go straight
    /// to SQLite so each column is read from SQLite's own row buffer (a span), and the only
    /// allocations per row are the ones the result keeps (the record, its RDATA, a new owner name).
    /// </summary>
    protected override Task ReadRecordsAsync(StoreSession session, long? zoneId, ZoneRecordSink sink, CancellationToken cancellationToken)
    {
        var db = ((SqliteConnection)session.Connection).Handle!;
        string sql = "SELECT zone_id, owner, type, class, ttl, rdata FROM records" + (zoneId is null ? "" : " WHERE zone_id = ?1");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt statement));
        using (statement)
        {
            if (zoneId is not null)
                Check(db, raw.sqlite3_bind_int64(statement, 1, zoneId.Value));
            int rc, rows = 0;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if ((++rows & 0xFFFF) == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                long zone = raw.sqlite3_column_int64(statement, 0);
                var owner = sink.Owner(raw.sqlite3_column_blob(statement, 1));
                var record = new ResourceRecord(owner,
                    (RecordType)raw.sqlite3_column_int(statement, 2),
                    (RecordClass)raw.sqlite3_column_int(statement, 3),
                    (uint)raw.sqlite3_column_int64(statement, 4),
                    raw.sqlite3_column_blob(statement, 5).ToArray());
                sink.Add(zone, record);
            }
            if (rc != raw.SQLITE_DONE)
                Check(db, rc);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The bulk path of imports and zone creation (<see cref="RowInserter"/>): rows read from a
    /// zone file come as octets already; a list of records is copied into rows once. Rows go in
    /// the index's order (<see cref="IndexOrder"/>), which matters when a zone of a million PTRs is
    /// written in one transaction.
    /// </summary>
    protected override Task InsertRecordsAsync(StoreSession session, long zoneId, IReadOnlyList<ResourceRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
            return Task.CompletedTask;
        var rows = ZoneRows.From(records);
        var order = IndexOrder.Of(rows);
        var connection = (SqliteConnection)session.Connection;
        if (ReferenceEquals(connection, _writeConnection))
        {
            _inserter ??= new RowInserter(connection);
            _inserter.Insert(zoneId, rows, order, cancellationToken);
        }
        else
        {
            using var inserter = new RowInserter(connection);
            inserter.Insert(zoneId, rows, order, cancellationToken);
        }
        return Task.CompletedTask;
    }

    protected override Task ReadRowsAsync(StoreSession session, IZoneRowReader rows, ZoneRowFilter? only, CancellationToken cancellationToken)
    {
        // Straight from SQLite's row buffers: nothing is copied or allocated per row here.
        var db = ((SqliteConnection)session.Connection).Handle!;
        if (only is { ByIndex: true })
        {
            foreach (long zone in only.Zones)
                ReadRows(db, rows, "SELECT zone_id, owner, type, class, ttl, rdata FROM records WHERE zone_id = ?1", zone, null, cancellationToken);
        }
        else
            ReadRows(db, rows, "SELECT zone_id, owner, type, class, ttl, rdata FROM records", null, only?.Zones, cancellationToken);
        return Task.CompletedTask;
    }

    private static void ReadRows(sqlite3 db, IZoneRowReader rows, string sql, long? zoneId, HashSet<long>? only, CancellationToken cancellationToken)
    {
        Check(db, raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt statement));
        using (statement)
        {
            if (zoneId is not null)
                Check(db, raw.sqlite3_bind_int64(statement, 1, zoneId.Value));
            int rc, count = 0;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if ((++count & 0xFFFF) == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                long zone = raw.sqlite3_column_int64(statement, 0);
                if (only is not null && !only.Contains(zone))
                    continue;
                rows.Row(zone, raw.sqlite3_column_blob(statement, 1),
                    (RecordType)raw.sqlite3_column_int(statement, 2), (RecordClass)raw.sqlite3_column_int(statement, 3),
                    (uint)raw.sqlite3_column_int64(statement, 4), raw.sqlite3_column_blob(statement, 5));
            }
            if (rc != raw.SQLITE_DONE)
                Check(db, rc);
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
            throw new SqliteException($"SQLite Error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        // Wait for a write in flight, then close: the last connection to close checkpoints the WAL.
        await _writer.WaitAsync();
        _disposed = true;
        if (_writeConnection is not null)
        {
            _statements?.Dispose();
            _statements = null;
            _inserter?.Dispose();
            _inserter = null;
            await _writeConnection.DisposeAsync();
            _writeConnection = null;
        }
        // Pooled reader connections would keep the file open after the store is gone.
        using var forPool = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(forPool);
        _writer.Release();
    }
}
