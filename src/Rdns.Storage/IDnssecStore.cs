namespace Rdns.Storage;

/// <summary>
/// A signed zone's policy as stored: the algorithm of its keys, whether it has a KSK/ZSK pair or
/// one combined key, and how it denies existence ("compact" or "nsec"). <see cref="Zone"/> is the
/// zone's key (lowercase presentation form with the trailing dot).
/// </summary>
public sealed record DnssecZoneRecord(string Zone, int Algorithm, bool SplitKeys, string Denial, DateTimeOffset EnabledAt);

/// <summary>
/// A DNSSEC key as stored: its DNSKEY RDATA, its private key sealed (encrypted by the nodes' seal
/// key, never readable from the store alone), its role ("csk", "ksk", "zsk"), where it is in its
/// life ("published", "active", "retired") and since when, and for keys a DS points at, where the
/// parent's DS is ("none", "submitted", "seen") and since when.
/// </summary>
public sealed record DnssecKeyRecord(string Id, string Zone, int Algorithm, int Flags, string Role, byte[] DnsKey, byte[] SealedPrivateKey,
    string State, DateTimeOffset CreatedAt, DateTimeOffset StateSince, string DsState, DateTimeOffset? DsSince);

/// <summary>A change to signing state, committed in the same transaction as the zone records it goes with (DNSKEY, CDS, CDNSKEY).</summary>
public abstract record DnssecWrite(string Zone);

/// <summary>Enables signing of a zone or changes its policy.</summary>
public sealed record PutDnssecZone(DnssecZoneRecord Policy) : DnssecWrite(Policy.Zone);

/// <summary>Stops signing a zone: its policy and every key go.</summary>
public sealed record DeleteDnssecZone(string Zone) : DnssecWrite(Zone);

public sealed record PutDnssecKey(DnssecKeyRecord Key) : DnssecWrite(Key.Zone);

/// <summary>
/// Moves a key on in its life, only if it is still where the writer saw it
/// (<see cref="ExpectedState"/>, <see cref="ExpectedDsState"/>); otherwise another node moved it
/// first and the write fails with <see cref="StoreConflictException"/>.
/// </summary>
public sealed record UpdateDnssecKey(string Zone, string Id, string ExpectedState, string ExpectedDsState,
    string State, DateTimeOffset StateSince, string DsState, DateTimeOffset? DsSince) : DnssecWrite(Zone);

public sealed record DeleteDnssecKey(string Zone, string Id) : DnssecWrite(Zone);

public interface IDnssecStore
{
    /// <summary>Every signed zone's policy.</summary>
    Task<IReadOnlyList<DnssecZoneRecord>> GetDnssecZonesAsync(CancellationToken cancellationToken = default);

    /// <summary>The keys of one zone (by its key), or of every zone when null, oldest first.</summary>
    Task<IReadOnlyList<DnssecKeyRecord>> GetDnssecKeysAsync(string? zone, CancellationToken cancellationToken = default);
}
