using System.Data.Common;
using System.Runtime.CompilerServices;
using Rdns.Protocol.Records;

namespace Rdns.Storage;

/// <summary>
/// The store logic both databases share: the schema is the same and the SQL is the common subset
/// (named parameters, <c>RETURNING</c>), so each operation is written once here and a dialect
/// supplies only what really differs — connections and locking, time columns, error codes, bulk
/// paths and change notification.
/// </summary>
internal abstract partial class SqlStore : IRdnsStore
{
    protected SqlStore(StoreOptions options, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.JournalLimit, 1);
        Options = options;
        Time = time;
    }

    public abstract string Kind { get; }

    /// <summary>The role of operator keys, as the API stores it; the last of them is never revoked.</summary>
    private const string AdminRole = "admin";

    protected StoreOptions Options { get; }

    protected TimeProvider Time { get; }

    /// <summary>Migration scripts in order; script i brings the schema to version i + 1.</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>Row locking for read-then-write within a write transaction ("" where the writer lock already serializes).</summary>
    protected virtual string ForUpdate => "";

    /// <summary>A transaction that sees one consistent snapshot of the database.</summary>
    protected abstract Task<StoreSession> BeginReadAsync(CancellationToken cancellationToken);

    /// <summary>A write transaction; the dialect decides how writers are kept apart.</summary>
    protected abstract Task<StoreSession> BeginWriteAsync(CancellationToken cancellationToken);

    protected abstract object DbTime(DateTimeOffset time);

    protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    protected abstract bool IsUniqueViolation(DbException exception);

    /// <summary>True when the database could not do the work at all (down, disk full, read-only), as opposed to refusing it.</summary>
    protected abstract bool IsUnavailable(DbException exception);

    /// <summary>The exception callers see for a database failure: <see cref="StoreUnavailableException"/> when it is one of availability.</summary>
    internal Exception Translate(DbException exception) =>
        IsUnavailable(exception)
            ? new StoreUnavailableException($"the {Kind} store cannot write: {exception.Message}", exception) { Full = StoreFailure.Classify(exception) == StoreFailureKind.Full }
            : exception;

    /// <summary>Streams every record row (or those of the zones <paramref name="only"/> names), as octets, to the reader.</summary>
    protected abstract Task ReadRowsAsync(StoreSession session, IZoneRowReader rows, ZoneRowFilter? only, CancellationToken cancellationToken);

    /// <summary>Streams record rows (of one zone, or of all when null) into the sink.</summary>
    protected abstract Task ReadRecordsAsync(StoreSession session, long? zoneId, ZoneRecordSink sink, CancellationToken cancellationToken);

    /// <summary>Serializes migrations between nodes that start at once (no-op where one process owns the file).</summary>
    protected virtual Task LockSchemaAsync(StoreSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Tells other nodes about <see cref="StoreSession.Notices"/>, as part of the transaction.</summary>
    protected virtual Task PublishAsync(StoreSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual async IAsyncEnumerable<ChangeNotice> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public abstract ValueTask DisposeAsync();

    public virtual Task<IBulkLoad> BeginBulkLoadAsync(CancellationToken cancellationToken = default) => Task.FromResult<IBulkLoad>(DurableAlready.Instance);

    /// <summary>Nothing by default: a store whose connections cache little (PostgreSQL keeps its pages in the server).</summary>
    public virtual Task ReleaseMemoryAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>The bulk load of a store whose commits are durable as they are made: nothing to do.</summary>
    private sealed class DurableAlready : IBulkLoad
    {
        public static readonly DurableAlready Instance = new();

        public Task CompleteAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Now, to the microsecond: the precision both databases keep, so what is read back equals what was written.</summary>
    protected DateTimeOffset Now() => StoreTime.ToMicroseconds(Time.GetUtcNow());

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        await LockSchemaAsync(s, cancellationToken);
        await using (var create = s.Command("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
            await create.ExecuteNonQueryAsync(cancellationToken);
        long current;
        await using (var read = s.Command("SELECT MAX(version) FROM schema_version"))
            current = await read.ScalarInt64Async(cancellationToken) ?? 0;
        if (current > Migrations.Count)
            throw new InvalidOperationException($"the store's schema is version {current}, newer than this rdns knows ({Migrations.Count}); upgrade rdns");
        for (int version = (int)current + 1; version <= Migrations.Count; version++)
        {
            await using (var step = s.Command(Migrations[version - 1]))
                await step.ExecuteNonQueryAsync(cancellationToken);
            await using var record = s.Command("INSERT INTO schema_version (version) VALUES (@v)");
            record.With("@v", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await KeyOlderAuditRowsAsync(s, cancellationToken);
        await s.CommitAsync(cancellationToken);
    }

    public async Task AddKeyAsync(ApiKeyRecord key, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        await using var cmd = s.Command(
            "INSERT INTO api_keys (id, role, tenant_id, hash, created_at, label, revoked_at) " +
            "VALUES (@id, @role, @tenant, @hash, @created, @label, @revoked)");
        cmd.With("@id", key.Id);
        cmd.With("@role", key.Role);
        cmd.With("@tenant", key.TenantId);
        cmd.With("@hash", key.Hash);
        cmd.With("@created", DbTime(key.CreatedAt));
        cmd.With("@label", key.Label);
        cmd.With("@revoked", key.RevokedAt is { } revoked ? DbTime(revoked) : null);
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new StoreConflictException($"an API key with id {key.Id} or the same hash already exists", e);
        }
        await AuditAsync(s, audit, cancellationToken);
        await s.CommitAsync(cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindKeyAsync(byte[] hash, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command(
            "SELECT id, role, tenant_id, hash, created_at, label FROM api_keys WHERE hash = @hash AND revoked_at IS NULL");
        cmd.With("@hash", hash);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new ApiKeyRecord(reader.GetString(0), reader.GetString(1), NullableString(reader, 2),
            reader.GetFieldValue<byte[]>(3), ReadTime(reader, 4), NullableString(reader, 5));
    }

    public async Task<KeyRevocation> RevokeKeyAsync(string id, string role, string? tenantId, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginWriteAsync(cancellationToken);
        bool revoked;
        await using (var find = s.Command("SELECT revoked_at FROM api_keys WHERE id = @id AND role = @role AND " +
                                          (tenantId is null ? "tenant_id IS NULL" : "tenant_id = @tenant") + ForUpdate))
        {
            find.With("@id", id);
            find.With("@role", role);
            if (tenantId is not null)
                find.With("@tenant", tenantId);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
                return KeyRevocation.NotFound;
            revoked = !reader.IsDBNull(0);
        }
        if (revoked)
            return KeyRevocation.AlreadyRevoked;
        if (role == AdminRole)
        {
            // Every unrevoked operator key row is locked (PostgreSQL), so two nodes revoking the last
            // two at once cannot both find another one left.
            int others = 0;
            await using var admins = s.Command("SELECT id FROM api_keys WHERE role = @role AND revoked_at IS NULL" + ForUpdate);
            admins.With("@role", AdminRole);
            await using (var reader = await admins.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    others += reader.GetString(0) == id ? 0 : 1;
            }
            if (others == 0)
                return KeyRevocation.LastAdminKey;
        }
        await using (var cmd = s.Command("UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL"))
        {
            cmd.With("@now", DbTime(Now()));
            cmd.With("@id", id);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await AuditAsync(s, audit, cancellationToken);
        await s.CommitAsync(cancellationToken);
        return KeyRevocation.Revoked;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string role, string? tenantId, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT id, role, tenant_id, hash, created_at, label, revoked_at FROM api_keys WHERE role = @role" +
                                        (tenantId is null ? "" : " AND tenant_id = @tenant") + " ORDER BY created_at, id");
        cmd.With("@role", role);
        if (tenantId is not null)
            cmd.With("@tenant", tenantId);
        var keys = new List<ApiKeyRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKeyRecord(reader.GetString(0), reader.GetString(1), NullableString(reader, 2), reader.GetFieldValue<byte[]>(3),
                ReadTime(reader, 4), NullableString(reader, 5), reader.IsDBNull(6) ? null : ReadTime(reader, 6)));
        }
        return keys;
    }

    public async Task<int> CountKeysAsync(string role, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT COUNT(*) FROM api_keys WHERE role = @role AND revoked_at IS NULL");
        cmd.With("@role", role);
        return (int)(await cmd.ScalarInt64Async(cancellationToken) ?? 0);
    }

    protected static string? NullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>The columns a record row is written with (shared by both insert paths).</summary>
    protected static (byte[] OwnerKey, byte[] Owner, int Type, int Class, long Ttl) RecordColumns(ResourceRecord r) =>
        (r.Owner.ToLowerWire(), r.Owner.Wire.ToArray(), (ushort)r.Type, (ushort)r.Class, r.Ttl);
}
