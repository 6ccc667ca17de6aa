namespace Rdns.Zones.Writes;

/// <summary>Who did what, from where: the audit row written in the same transaction as the change.</summary>
public sealed record WriteAudit(string Actor, string Action, string Target, string? Detail = null, string? RemoteAddress = null)
{
    /// <summary>The value the change replaced (a PTR's name, say), when there is one.</summary>
    public string? Before { get; init; }

    /// <summary>The value the change set, when there is one.</summary>
    public string? After { get; init; }

    /// <summary>
    /// When set, the detail is written from the changesets the write made, known only at commit time
    /// (a DNS UPDATE's effect depends on the zone then); <see cref="Detail"/> is the fallback.
    /// </summary>
    public Func<IReadOnlyList<Protocol.Records.Changeset>, string?>? Describe { get; init; }
}

/// <summary>
/// One atomic request to the write path: edits to one or more zones, plus whatever else the caller's
/// layer must commit in the same transaction (<see cref="Attachment"/>: tenant rows, say, which
/// only the implementation knows how to store), and its audit row.
/// </summary>
public sealed record ZoneWrite(IReadOnlyList<ZoneEdit> Edits, WriteAudit Audit)
{
    /// <summary>Opaque to this layer; the writer's implementation commits it with the edits.</summary>
    public object? Attachment { get; init; }

    /// <summary>Zones to create (or, with <see cref="NewZone.Replace"/>, replace whole) in the same transaction.</summary>
    public IReadOnlyList<NewZone> Creations { get; init; } = [];

    /// <summary>Zones to delete, records and journal, in the same transaction.</summary>
    public IReadOnlyList<Protocol.Names.DnsName> Deletions { get; init; } = [];

    /// <summary>
    /// A primary's changesets, applied as given, serials and all (a secondary keeps its primary's
    /// serials, so that its own secondaries can follow it by IXFR); journaled like any change.
    /// </summary>
    public IReadOnlyList<TransferredChanges> Transferred { get; init; } = [];

    /// <summary>
    /// Made on behalf of the primary this node follows. A node in secondary mode takes only these;
    /// everything else is refused until the node is promoted.
    /// </summary>
    public bool FromPrimary { get; init; }

    /// <summary>
    /// When false, a change may hold any record type (an operator's zone files, RFC 3597); when
    /// true (API and tenants), reverse zones take only the types that belong there.
    /// </summary>
    public bool EnforcePolicy { get; init; } = true;

    /// <summary>
    /// Write the audit row even when nothing changes (a DNS UPDATE whose every record was a no-op
    /// was still accepted, and the audit log says so).
    /// </summary>
    public bool AuditAlways { get; init; }

    /// <summary>
    /// Signers to publish in the same swap as the write's zones (a key change takes effect in DNS
    /// with the DNSKEY RRset that announces it, never before or after).
    /// </summary>
    public IReadOnlyList<SignerChange> Signers { get; init; } = [];
}

/// <summary>A zone's new signer (null: the zone is no longer signed).</summary>
public sealed record SignerChange(Protocol.Names.DnsName Zone, Dnssec.ZoneSigner? Signer);

/// <summary>A zone made from its records (one SOA among them); <see cref="Replace"/> replaces a zone of that name, journal and all.</summary>
public sealed record NewZone(Protocol.Names.DnsName Zone, IReadOnlyList<Protocol.Records.ResourceRecord> Records, bool Replace = false)
{
    /// <summary>The zone already built from <see cref="Records"/> (an import validates it first); built by the writer when null.</summary>
    public ZoneSnapshot? Built { get; init; }

    /// <summary>
    /// The zone being built from <see cref="Records"/> on another thread while the writer stores
    /// the records (a large import); the write is undone if the build fails. Used when <see cref="Built"/> is null.
    /// </summary>
    public Task<ZoneSnapshot>? Building { get; init; }
}

/// <summary>
/// Changesets of one zone as its primary made them, in order: the first starts at the zone's current
/// serial, each next one where the previous ended (RFC 1995 §4).
/// </summary>
public sealed record TransferredChanges(Protocol.Names.DnsName Zone, IReadOnlyList<Protocol.Records.Changeset> Changes);

/// <summary>What a write changed: the new snapshots of the zones it changed or created (none when it changed nothing), and the zones it deleted.</summary>
public sealed record ZoneWriteResult(IReadOnlyList<ZoneSnapshot> Changed, IReadOnlyList<Protocol.Names.DnsName> Deleted)
{
    public static readonly ZoneWriteResult Nothing = new([], []);
}

/// <summary>
/// The one way zones change: validate, plan against the current zone, commit durably (concurrent
/// writes share one transaction), publish, notify. Implemented once, used by the API, the tenant
/// service and DNS UPDATE alike. A returned task completes only after the change is durable and
/// visible in DNS; a failure leaves the store and the served zones as they were.
/// </summary>
public interface IZoneWriter
{
    Task<ZoneWriteResult> WriteAsync(ZoneWrite write, CancellationToken cancellationToken = default);
}
