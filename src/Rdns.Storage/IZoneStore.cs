using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Storage;

/// <summary>A zone as the store holds it: its records (SOA included) and current serial.</summary>
public sealed record StoredZone(DnsName Name, uint Serial, DateTimeOffset CreatedAt, IReadOnlyList<ResourceRecord> Records);

/// <summary>Receives zones and their record rows; spans are valid only during the call.</summary>
public interface IZoneRowReader
{
    void Zone(long id, DnsName name, uint serial);

    /// <summary>A zone of a view; readers that know only the public view get the public view's zones.</summary>
    void Zone(long id, string view, DnsName name, uint serial)
    {
        if (Addressing.ViewName.IsPublic(view))
            Zone(id, name, serial);
    }

    /// <summary>
    /// A zone with its revision (a number the store gives the zone anew with every write of its
    /// data, never reused by any zone); returns whether the zone's rows are wanted. A reader that
    /// holds a copy of the zone at that revision answers false, and gets no rows of that zone.
    /// </summary>
    bool Zone(long id, string view, DnsName name, uint serial, long revision)
    {
        Zone(id, view, name, serial);
        return true;
    }

    void Row(long zoneId, ReadOnlySpan<byte> owner, Protocol.Wire.RecordType type, Protocol.Wire.RecordClass cls, uint ttl, ReadOnlySpan<byte> data);
}

/// <summary>
/// What the store's zones are at one moment, in every view: how many there are and the highest
/// zone revision. Every write of a zone's data gives it a revision never given before (and
/// higher), and a zone deleted lowers the count, so two equal stamps mean no zone was created,
/// written or deleted between them: a node that was in step with the store at the first is still.
/// </summary>
public readonly record struct ZonesStamp(long Count, long Revision);

/// <summary>
/// How many zones the store holds in every view and the sum of their serials: a node holding every
/// zone at the store's serial has the same two. Every write raises a zone's serial, so a zone a node
/// failed to apply, or holds and the store deleted, shows in one of them.
/// </summary>
public readonly record struct ZonesChecksum(long Count, long SerialSum);

/// <summary>A zone of <see cref="IZoneStore.ListZonesWrittenAsync"/>: its view, name, serial and the revision it was written at.</summary>
public readonly record struct ZoneWritten(string View, DnsName Name, uint Serial, long Revision);

/// <summary>A zone in a listing, without its records.</summary>
public sealed record ZoneSummary(DnsName Name, uint Serial, int RecordCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One change to one zone inside a commit: the changeset goes from the stored serial to the next.</summary>
public sealed record ZoneCommit(DnsName Zone, Changeset Changeset);

/// <summary>
/// Who did what, from where; written in the same transaction as the change it describes. <see cref="Before"/>
/// and <see cref="After"/> hold the value the change replaced and the one it set (a PTR's name, a
/// tenant's name, a pool's template), when there is one.
/// </summary>
public sealed record AuditEntry(string Actor, string Action, string Target, string? Detail = null, string? RemoteAddress = null, string? Before = null, string? After = null);

/// <summary>An audit row as read back.</summary>
public sealed record AuditRecord(long Id, DateTimeOffset At, string Actor, string Action, string Target, string? Detail, string? RemoteAddress, string? Before = null, string? After = null);

/// <summary>Another node committed a change to a zone (or created or deleted it).</summary>
public sealed record ChangeNotice(DnsName Zone, uint Serial, ChangeKind Kind)
{
    /// <summary>The view the zone belongs to (<see cref="ChangeKind.Views"/>: the view that changed).</summary>
    public string View { get; init; } = Addressing.ViewName.Public;
}

public enum ChangeKind
{
    Changed,
    Created,
    Deleted,

    /// <summary>The address pools changed (the zone is the root); default names must be rebuilt.</summary>
    Pools,

    /// <summary>TSIG keys for DNS UPDATE were added or deleted (the zone is the root); key rings must be reloaded.</summary>
    TsigKeys,
    /// <summary>The zone's DNSSEC keys or policy changed; its signer must be rebuilt.</summary>
    DnssecKeys,

    /// <summary>A view was created, changed or deleted (the zone is the root); match rules must be reloaded.</summary>
    Views,

    /// <summary>
    /// The watch is listening, for the first time or again after its connection was lost (the zone
    /// is the root): what was committed before cannot have been reported, so a consumer compares
    /// with the store now rather than at its next periodic round.
    /// </summary>
    Listening,
}

/// <summary>
/// The store's state was not the one the change was made from: someone else changed the zone first,
/// the zone does not exist (any more), or a zone or key with that name or hash already exists.
/// </summary>
public sealed class StoreConflictException : Exception
{
    public StoreConflictException(string message)
        : base(message)
    {
    }

    public StoreConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The store: zones and their records (each zone in one view; methods without a view mean the
/// public one), the journal of changesets (for IXFR and for other nodes to
/// catch up), and the audit log. Every method that changes something does so in one transaction
/// that is durable before it returns; on failure nothing of it remains.
/// </summary>
public interface IZoneStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema; safe to run at every start and from several nodes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredZone>> LoadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Every zone and its records, from one consistent snapshot of the store, as raw rows: for
    /// loading at start without an object per record. Rows arrive in storage order, zones interleaved;
    /// only those of the zones the reader wants (see <see cref="IZoneRowReader.Zone(long, string, DnsName, uint, long)"/>).
    /// </summary>
    Task LoadAllAsync(IZoneRowReader rows, CancellationToken cancellationToken = default);

    Task<StoredZone?> LoadAsync(DnsName zone, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="LoadAsync(DnsName, CancellationToken)"/>, for the zone of that name in <paramref name="view"/>.</summary>
    Task<StoredZone?> LoadAsync(string view, DnsName zone, CancellationToken cancellationToken = default);

    Task<uint?> GetSerialAsync(DnsName zone, CancellationToken cancellationToken = default);

    Task<uint?> GetSerialAsync(string view, DnsName zone, CancellationToken cancellationToken = default);

    /// <summary>The zones' count and highest revision (see <see cref="ZonesStamp"/>): one small query, however many zones.</summary>
    Task<ZonesStamp> GetZonesStampAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The zones' count and the sum of their serials (see <see cref="ZonesChecksum"/>): one scan of
    /// the zones' rows in the database, nothing listed.
    /// </summary>
    Task<ZonesChecksum> GetZonesChecksumAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The zones of every view written (created, changed or replaced) at a revision above
    /// <paramref name="afterRevision"/>, at most <paramref name="limit"/>, in revision order: page
    /// on with the last one's <see cref="ZoneWritten.Revision"/>. Deleted zones are not listed
    /// (the <see cref="ZonesStamp"/>'s count tells of them). Uses an index: costs the zones listed.
    /// </summary>
    Task<IReadOnlyList<ZoneWritten>> ListZonesWrittenAsync(long afterRevision, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Zones after <paramref name="after"/> (exclusive), at most <paramref name="limit"/>, ordered by
    /// their key: the lowercased presentation form (ordinal), which is stable for paging.
    /// </summary>
    Task<IReadOnlyList<ZoneSummary>> ListZonesAsync(int limit, DnsName? after = null, CancellationToken cancellationToken = default);

    /// <summary>As above, the zones of <paramref name="view"/>.</summary>
    Task<IReadOnlyList<ZoneSummary>> ListZonesAsync(string view, int limit, DnsName? after = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a zone with <paramref name="records"/> (one SOA among them; its serial becomes the
    /// zone's). If the zone exists: with <paramref name="replace"/> its records and journal are
    /// replaced in the same transaction, else <see cref="StoreConflictException"/>.
    /// </summary>
    Task CreateZoneAsync(DnsName zone, IReadOnlyList<ResourceRecord> records, bool replace, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Deletes a zone with its records and journal; false when it did not exist.</summary>
    Task<bool> DeleteZoneAsync(DnsName zone, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies changesets to one or more zones atomically. For each, the stored serial must equal
    /// its <see cref="Changeset.FromSerial"/> (else <see cref="StoreConflictException"/> and nothing
    /// is written; a zone that does not exist is a conflict too); removed records are matched exactly
    /// on owner (ignoring case), type and RDATA bytes, except the SOA, which is matched on owner and
    /// type alone as <c>ZoneSnapshot.Apply</c> does (a zone has one); removals that match nothing are
    /// ignored; the journal gains the changeset (trimmed to <see cref="StoreOptions.JournalLimit"/>);
    /// the serial becomes <see cref="Changeset.ToSerial"/>.
    /// </summary>
    Task CommitAsync(IReadOnlyList<ZoneCommit> commits, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The changesets of a zone from <paramref name="fromSerial"/> to its current serial, in order;
    /// empty when current; null when the journal does not reach back that far.
    /// </summary>
    Task<IReadOnlyList<Changeset>?> GetJournalAsync(DnsName zone, uint fromSerial, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Changeset>?> GetJournalAsync(string view, DnsName zone, uint fromSerial, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditRecord>> GetAuditAsync(int limit, long? beforeId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> rows matching <paramref name="query"/>, newest first, older than
    /// <paramref name="beforeId"/>: the database filters and pages (keyset on the row id).
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditAsync(AuditQuery query, int limit, long? beforeId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes committed by any node (this one included), as they happen. A store that only one
    /// process can open (SQLite) completes without yielding. A replaced zone is reported as
    /// <see cref="ChangeKind.Created"/> (reload it whole). Notices sent while the watcher was
    /// disconnected are lost. Each time it starts listening, the first time and after every
    /// reconnection, it reports <see cref="ChangeKind.Listening"/> once it can no longer miss a
    /// commit: the consumer then compares with the store what may have been missed before.
    /// Ends when the store is disposed.
    /// </summary>
    IAsyncEnumerable<ChangeNotice> WatchAsync(CancellationToken cancellationToken = default);
}
