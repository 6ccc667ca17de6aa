namespace Rdns.Storage;

/// <summary>
/// An API key as stored: never the key itself, only its SHA-256 hash. Times are kept to the
/// microsecond (what PostgreSQL's timestamptz holds).
/// </summary>
public sealed record ApiKeyRecord(string Id, string Role, string? TenantId, byte[] Hash, DateTimeOffset CreatedAt, string? Label, DateTimeOffset? RevokedAt = null);

public interface IKeyStore
{
    /// <summary>Adds a key; <see cref="StoreConflictException"/> when its id or hash is taken.</summary>
    Task AddKeyAsync(ApiKeyRecord key, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>The unrevoked key with this hash, or null.</summary>
    Task<ApiKeyRecord?> FindKeyAsync(byte[] hash, CancellationToken cancellationToken = default);

    /// <summary>Marks the key revoked; false when there is no such unrevoked key.</summary>
    Task<bool> RevokeKeyAsync(string id, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Unrevoked keys with this role (e.g. to tell whether an admin key must be created at first start).</summary>
    Task<int> CountKeysAsync(string role, CancellationToken cancellationToken = default);
}

/// <summary>Everything the product keeps: zones, journal, audit and keys, behind one connection.</summary>
public interface IRdnsStore : IZoneStore, IKeyStore, ITenantStore
{
    /// <summary>"sqlite" or "postgresql", for logs and health output.</summary>
    string Kind { get; }

    /// <summary>
    /// Begins a write transaction for several requests at once, locking <paramref name="zones"/>
    /// (in name order, so two nodes cannot deadlock) against writers on other nodes until it ends.
    /// </summary>
    Task<IWriteBatch> BeginBatchAsync(IReadOnlyCollection<Protocol.Names.DnsName> zones, CancellationToken cancellationToken = default);
}

/// <summary>Store settings.</summary>
public sealed class StoreOptions
{
    /// <summary>
    /// A PostgreSQL connection string (recognized by <c>Host=</c>) or a SQLite database path.
    /// Default: <c>rdns.db</c> in the data directory.
    /// </summary>
    public string? Connection { get; set; }

    /// <summary>
    /// 1000 changesets per zone: enough for secondaries that were down for a while to catch up
    /// by IXFR; beyond that they get a full transfer (RFC 1995 §4).
    /// </summary>
    public int JournalLimit { get; set; } = 1000;
}
