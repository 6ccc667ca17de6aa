namespace Rdns.Storage;

/// <summary>
/// An API key as stored: never the key itself, only its SHA-256 hash. Times are kept to the
/// microsecond (what PostgreSQL's timestamptz holds).
/// </summary>
public sealed record ApiKeyRecord(string Id, string Role, string? TenantId, byte[] Hash, DateTimeOffset CreatedAt, string? Label, DateTimeOffset? RevokedAt = null);

/// <summary>What a revocation did.</summary>
public enum KeyRevocation
{
    Revoked,
    /// <summary>Revoked before; nothing changed.</summary>
    AlreadyRevoked,
    /// <summary>No key with that id, role and tenant.</summary>
    NotFound,
    /// <summary>Refused: it is the only unrevoked operator key.</summary>
    LastAdminKey,
}

public interface IKeyStore
{
    /// <summary>Adds a key; <see cref="StoreConflictException"/> when its id or hash is taken.</summary>
    Task AddKeyAsync(ApiKeyRecord key, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>The unrevoked key with this hash, or null.</summary>
    Task<ApiKeyRecord?> FindKeyAsync(byte[] hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes the key with this id, role and tenant (null for operator keys). The last unrevoked
    /// operator key is never revoked (<see cref="KeyRevocation.LastAdminKey"/>), so a store cannot
    /// be locked out of its own API; that check and the revocation are one transaction.
    /// </summary>
    Task<KeyRevocation> RevokeKeyAsync(string id, string role, string? tenantId, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Keys of a role (and tenant, when given), revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string role, string? tenantId, CancellationToken cancellationToken = default);

    /// <summary>Unrevoked keys with this role (e.g. to tell whether an admin key must be created at first start).</summary>
    Task<int> CountKeysAsync(string role, CancellationToken cancellationToken = default);
}

/// <summary>Everything the product keeps: zones, journal, audit and keys, behind one connection.</summary>
public interface IRdnsStore : IZoneStore, IKeyStore, ITenantStore, ITsigKeyStore, IServerSecretStore, IDnssecStore, IViewStore
{
    /// <summary>"sqlite" or "postgresql", for logs and health output.</summary>
    string Kind { get; }

    /// <summary>
    /// Begins a write transaction for several requests at once, locking <paramref name="zones"/>
    /// (in name order, so two nodes cannot deadlock) against writers on other nodes until it ends.
    /// </summary>
    Task<IWriteBatch> BeginBatchAsync(IReadOnlyCollection<Protocol.Names.DnsName> zones, CancellationToken cancellationToken = default);

    /// <summary>As above, for zones of <paramref name="view"/>: everything the batch reads and writes is of that view.</summary>
    Task<IWriteBatch> BeginBatchAsync(string view, IReadOnlyCollection<Protocol.Names.DnsName> zones, CancellationToken cancellationToken = default);

    /// <summary>
    /// The random id the store was given when first used, or null for a store that has none yet
    /// (new, or made before stores had ids). Data directories remember it, so a store that was lost
    /// or replaced is noticed rather than silently started empty.
    /// </summary>
    Task<string?> GetIdentityAsync(CancellationToken cancellationToken = default);

    /// <summary>Gives the store <paramref name="proposed"/> as its id unless it has one; returns the id it has afterwards.</summary>
    Task<string> ClaimIdentityAsync(string proposed, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// A number that moves with every committed write of what a node reloads whole when another
    /// node changes it: address pools, TSIG keys, views, and DNSSEC policies and keys (an insert,
    /// update or delete of any of their rows), and with nothing else. A node's periodic resync
    /// reads it and reloads them only when it moved since the last reload that succeeded; one
    /// small query, however many rows they have. A write not yet committed never shows in it.
    /// </summary>
    Task<long> GetSettingsRevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>True when the store holds nothing: no zones, keys, tenants or pools (a new store).</summary>
    Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Begins a bulk load, such as the zone files imported at start before anything is served:
    /// until it completes, commits may skip the flush to disk each one would otherwise wait for
    /// (SQLite then flushes at its checkpoints), and completing it makes them all durable at once.
    /// A store whose every commit is cheap to make durable (PostgreSQL) changes nothing.
    /// </summary>
    Task<IBulkLoad> BeginBulkLoadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives back the memory the store's connections keep for pages they are not using now (the
    /// SQLite writer's page cache holds up to 64 MiB after a large write or an import). Called when
    /// the server trims its memory; the next write reads what it needs again.
    /// </summary>
    Task ReleaseMemoryAsync(CancellationToken cancellationToken = default);
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
