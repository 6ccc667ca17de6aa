using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Storage;

/// <summary>
/// One write transaction that several requests share (group commit): each request is applied
/// under its own savepoint, so one that fails leaves nothing behind and the others still commit
/// together, with one durable flush for all of them. The zones named when the batch began are
/// locked against other nodes until it ends, so serials read inside it stay true until commit.
/// Disposing without <see cref="CommitAsync"/> rolls everything back.
/// </summary>
public interface IWriteBatch : IAsyncDisposable
{
    /// <summary>The zone's stored serial as this transaction sees it; null when the zone does not exist.</summary>
    Task<uint?> GetSerialAsync(DnsName zone, CancellationToken cancellationToken = default);

    /// <summary>
    /// The stored serials of <paramref name="zones"/> as this transaction sees them, read together
    /// (a batch of changes to many zones asks once, not once per zone); a zone that does not exist
    /// is missing from the result. Keys are the names as given.
    /// </summary>
    Task<IReadOnlyDictionary<DnsName, uint>> GetSerialsAsync(IReadOnlyCollection<DnsName> zones, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="IZoneStore.GetJournalAsync"/>, inside this transaction.</summary>
    Task<IReadOnlyList<Changeset>?> GetJournalAsync(DnsName zone, uint fromSerial, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="IZoneStore.LoadAsync"/>, inside this transaction.</summary>
    Task<StoredZone?> LoadAsync(DnsName zone, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies one request's zone changesets, zone creations and deletions, tenant writes and audit
    /// row (the rules of <see cref="IZoneStore.CommitAsync"/>, <see cref="IZoneStore.CreateZoneAsync"/>
    /// and <see cref="IZoneStore.DeleteZoneAsync"/>). On failure nothing of the request remains,
    /// the exception propagates, and the batch can go on with the next request.
    /// </summary>
    Task ApplyAsync(StoreWrite write, CancellationToken cancellationToken = default);

    /// <summary>
    /// Begins a group of requests under one savepoint, until <see cref="EndGroupAsync"/>: inside
    /// it <see cref="ApplyAsync"/> takes no savepoint of its own, so a request that fails may leave
    /// part of itself, and the caller must then end the group without keeping it (and apply its
    /// requests again one by one, each under its own savepoint, if it wants the others). A
    /// savepoint per request copies every page the request changes before changing it; a group
    /// copies each page once for all its requests.
    /// </summary>
    Task BeginGroupAsync(CancellationToken cancellationToken = default);

    /// <summary>Ends the group: keeps everything applied in it, or undoes all of it, the batch's other work untouched.</summary>
    Task EndGroupAsync(bool keep, CancellationToken cancellationToken = default);

    /// <summary>Commits every request applied so far; durable when it returns.</summary>
    Task CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>A new zone's records (one SOA among them); <see cref="Replace"/> replaces a zone of that name with its journal.</summary>
public sealed record ZoneCreation(DnsName Zone, IReadOnlyList<ResourceRecord> Records, bool Replace);

/// <summary>Everything one request writes, in one savepoint of a batch.</summary>
public sealed record StoreWrite(AuditEntry Audit)
{
    public IReadOnlyList<ZoneCommit> Commits { get; init; } = [];

    public IReadOnlyList<ZoneCreation> Creations { get; init; } = [];

    public IReadOnlyList<DnsName> Deletions { get; init; } = [];

    public IReadOnlyList<TenantWrite> TenantWrites { get; init; } = [];

    /// <summary>DNSSEC policy and key rows, committed with the DNSKEY, CDS and CDNSKEY records they publish.</summary>
    public IReadOnlyList<DnssecWrite> DnssecWrites { get; init; } = [];

    /// <summary>
    /// Awaited after the request's rows are written and before its savepoint is released: work
    /// done meanwhile elsewhere (a large zone built while its rows are inserted) that can still
    /// refuse the request. When it throws, everything the request wrote is undone.
    /// </summary>
    public Func<CancellationToken, Task>? Verify { get; init; }

    public bool IsEmpty => Commits.Count == 0 && Creations.Count == 0 && Deletions.Count == 0 && TenantWrites.Count == 0 && DnssecWrites.Count == 0;
}

/// <summary>
/// The store cannot be reached or cannot write (the database is down, the disk is full or read-only):
/// nothing was written; the request may be retried later.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The cause is a full disk (or database quota), which waiting will not cure: someone must free space.</summary>
    public bool Full { get; init; }
}
