using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Storage.Postgres;

/// <summary>
/// The shared store: several rdns nodes on one PostgreSQL database. Writers are kept apart by the
/// database itself (the serial check's row lock), and every commit NOTIFYs the others so they apply
/// the same changeset (see <see cref="PostgresChangeListener"/>).
/// </summary>
internal sealed class PostgresStore : SqlStore
{
    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _listenSource;
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;

    public PostgresStore(string connectionString, StoreOptions options, TimeProvider time)
        : base(options, time)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
            builder.ApplicationName = "rdns";
        _source = NpgsqlDataSource.Create(builder.ConnectionString);

        // LISTEN belongs to a session, and a pooled connection is reset when returned, so the
        // watcher gets its own unpooled connection, named so operators can see it in pg_stat_activity.
        builder.Pooling = false;
        builder.ApplicationName += "-watch";
        _listenSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override string Kind => "postgresql";

    protected override IReadOnlyList<string> Migrations => PostgresSchema.Migrations;

    protected override string ForUpdate => " FOR UPDATE";

    protected override Task<StoreSession> BeginReadAsync(CancellationToken cancellationToken) =>
        BeginAsync(IsolationLevel.RepeatableRead, cancellationToken);

    /// <summary>Read committed is enough: each write claims its zone row with a conditional UPDATE.</summary>
    protected override Task<StoreSession> BeginWriteAsync(CancellationToken cancellationToken) =>
        BeginAsync(IsolationLevel.ReadCommitted, cancellationToken);

    private async Task<StoreSession> BeginAsync(IsolationLevel isolation, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        NpgsqlConnection connection;
        try
        {
            connection = await _source.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (IsUnavailable(e))
        {
            throw new StoreUnavailableException($"PostgreSQL cannot be reached: {e.Message}", e);
        }
        try
        {
            var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken);
            return new StoreSession(connection, transaction, connection.DisposeAsync);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Taken inside the migration transaction, so it is released at commit: a second node starting
    /// at the same moment waits, then finds the schema current. Without it, two concurrent
    /// <c>CREATE TABLE IF NOT EXISTS</c> can still collide in the catalog.
    /// </summary>
    protected override async Task LockSchemaAsync(StoreSession session, CancellationToken cancellationToken)
    {
        await using var cmd = session.Command("SELECT pg_advisory_xact_lock(@key)");
        cmd.With("@key", PostgresSchema.MigrationLock);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Allocation and pool checks read then insert; a transaction-scoped advisory lock keeps two
    /// nodes from both finding a range free and both taking it.
    /// </summary>
    protected override async Task LockAllocationsAsync(StoreSession session, CancellationToken cancellationToken)
    {
        await using var cmd = session.Command("SELECT pg_advisory_xact_lock(@key)");
        cmd.With("@key", PostgresSchema.MigrationLock + 1);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// One transaction-scoped advisory lock per zone, in the class of zone locks ('RDNS'), released
    /// at commit or rollback: a writer on another node waits for this batch, then sees its serials.
    /// </summary>
    protected override async Task LockZonesAsync(StoreSession session, IReadOnlyList<string> zoneKeys, CancellationToken cancellationToken)
    {
        await using var cmd = session.Command("SELECT pg_advisory_xact_lock(1380208211, hashtext(@zone))");
        var zone = cmd.With("@zone", "");
        foreach (var key in zoneKeys)
        {
            zone.Value = key;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Connection failures, a server shutting down or refusing connections, and a full disk: the
    /// write did not happen and may be retried (SQLSTATE classes 08, 53 and 57P0x).
    /// </summary>
    protected override bool IsUnavailable(DbException exception) => exception switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("53", StringComparison.Ordinal) ||
                               p.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>
    /// pg_notify inside the transaction: PostgreSQL delivers it only if the transaction commits,
    /// and only after, so a listener never hears of a change it cannot yet read.
    /// </summary>
    protected override async Task PublishAsync(StoreSession session, CancellationToken cancellationToken)
    {
        foreach (var notice in session.Notices)
        {
            await using var cmd = session.Command("SELECT pg_notify(@channel, @payload)");
            cmd.With("@channel", PostgresChangeListener.Channel);
            cmd.With("@payload", ChangeNoticeText.Format(notice));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Npgsql writes timestamptz only from UTC values; both databases keep microseconds.</summary>
    protected override object DbTime(DateTimeOffset time) => StoreTime.ToMicroseconds(time);

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    protected override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    protected override async Task ReadRecordsAsync(StoreSession session, long? zoneId, ZoneRecordSink sink, CancellationToken cancellationToken)
    {
        await using var cmd = session.Command(
            "SELECT zone_id, owner, type, class, ttl, rdata FROM records" + (zoneId is null ? "" : " WHERE zone_id = @zone"));
        if (zoneId is not null)
            cmd.With("@zone", zoneId.Value);
        await using var reader = (NpgsqlDataReader)await cmd.ExecuteReaderAsync(cancellationToken);
        var owner = new byte[Protocol.Names.DnsName.MaxLength];
        while (await reader.ReadAsync(cancellationToken))
        {
            // The owner is copied out of Npgsql's row buffer into one reused array; only a new name keeps a copy.
            int ownerLength = (int)reader.GetBytes(1, 0, owner, 0, owner.Length);
            sink.Add(reader.GetInt64(0), new ResourceRecord(sink.Owner(owner.AsSpan(0, ownerLength)),
                (RecordType)reader.GetInt32(2), (RecordClass)reader.GetInt32(3), (uint)reader.GetInt64(4),
                reader.GetFieldValue<byte[]>(5)));
        }
    }

    protected override async Task ReadRowsAsync(StoreSession session, IZoneRowReader rows, ZoneRowFilter? only, CancellationToken cancellationToken)
    {
        await using var cmd = session.Command("SELECT zone_id, owner, type, class, ttl, rdata FROM records" + (only is null ? "" : " WHERE zone_id = ANY(@zones)"));
        if (only is not null)
            cmd.With("@zones", only.Zones.ToArray());
        await using var reader = (NpgsqlDataReader)await cmd.ExecuteReaderAsync(cancellationToken);
        var owner = new byte[Protocol.Names.DnsName.MaxLength];
        var data = new byte[ushort.MaxValue];
        while (await reader.ReadAsync(cancellationToken))
        {
            // Both copied into reused arrays: nothing is allocated per row.
            int ownerLength = (int)reader.GetBytes(1, 0, owner, 0, owner.Length);
            int dataLength = (int)reader.GetBytes(5, 0, data, 0, data.Length);
            rows.Row(reader.GetInt64(0), owner.AsSpan(0, ownerLength), (RecordType)reader.GetInt32(2), (RecordClass)reader.GetInt32(3),
                (uint)reader.GetInt64(4), data.AsSpan(0, dataLength));
        }
    }

    /// <summary>COPY in binary: one round trip for any number of rows, which matters for a zone of a million PTRs.</summary>
    protected override async Task InsertRecordsAsync(StoreSession session, long zoneId, IReadOnlyList<ResourceRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
            return;
        var connection = (NpgsqlConnection)session.Connection;
        await using var import = await connection.BeginBinaryImportAsync(
            "COPY records (zone_id, owner_key, owner, type, class, ttl, rdata) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var r in records)
        {
            var (key, owner, type, cls, ttl) = RecordColumns(r);
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(zoneId, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(key, NpgsqlDbType.Bytea, cancellationToken);
            await import.WriteAsync(owner, NpgsqlDbType.Bytea, cancellationToken);
            await import.WriteAsync(type, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(cls, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(ttl, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(r.Data, NpgsqlDbType.Bytea, cancellationToken);
        }
        await import.CompleteAsync(cancellationToken);
    }

    /// <summary>All exact removals in one statement (arrays joined with unnest) instead of a round trip per record.</summary>
    protected override async Task<int> RemoveRecordsAsync(StoreSession session, long zoneId, IReadOnlyList<ResourceRecord> records, CancellationToken cancellationToken)
    {
        int removed = 0;
        var keys = new List<byte[]>(records.Count);
        var types = new List<int>(records.Count);
        var rdatas = new List<byte[]>(records.Count);
        foreach (var r in records)
        {
            if (r.Type == RecordType.SOA)
            {
                removed += await RemoveSoaAsync(session, zoneId, r, cancellationToken);
                continue;
            }
            keys.Add(r.Owner.ToLowerWire());
            types.Add((ushort)r.Type);
            rdatas.Add(r.Data);
        }
        if (keys.Count == 0)
            return removed;
        await using var cmd = (NpgsqlCommand)session.Command(
            "DELETE FROM records r USING unnest(@keys, @types, @rdatas) AS x (owner_key, type, rdata) " +
            "WHERE r.zone_id = @zone AND r.owner_key = x.owner_key AND r.type = x.type AND r.rdata = x.rdata");
        cmd.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = keys });
        cmd.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = types });
        cmd.Parameters.Add(new NpgsqlParameter("rdatas", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rdatas });
        cmd.Parameters.Add(new NpgsqlParameter("zone", NpgsqlDbType.Bigint) { Value = zoneId });
        return removed + await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async IAsyncEnumerable<ChangeNotice> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var notices = Channel.CreateUnbounded<ChangeNotice>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var listener = new PostgresChangeListener(_listenSource, Time);
        var running = listener.RunAsync(notices.Writer, stop.Token);
        try
        {
            // The channel completes when the store is disposed; the caller's token ends the loop by throwing.
            await foreach (var notice in notices.Reader.ReadAllAsync(cancellationToken))
                yield return notice;
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _disposing.CancelAsync();
        await _listenSource.DisposeAsync();
        await _source.DisposeAsync();
    }
}
