using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Writes;

/// <summary>
/// One operation on a zone's records, as the API, tenants and DNS UPDATE ask for them: replace (or
/// delete) an RRset, or the record-level forms of RFC 2136 §2.5. A list of them is applied in order.
/// </summary>
public abstract record RecordEdit(DnsName Owner);

/// <summary>Replace one RRset (or delete it, when <see cref="Data"/> is empty).</summary>
public sealed record RRsetChange(DnsName Owner, RecordType Type, uint Ttl, IReadOnlyList<byte[]> Data) : RecordEdit(Owner)
{
    public bool IsDelete => Data.Count == 0;
}

/// <summary>
/// Add one record to its RRset (RFC 2136 §2.5.1); a duplicate changes nothing, a new TTL applies to the whole RRset.
/// An SOA replaces the zone's, and its serial becomes the zone's when it is newer than the current one.
/// </summary>
public sealed record AddRecord(DnsName Owner, RecordType Type, uint Ttl, byte[] Data) : RecordEdit(Owner);

/// <summary>Delete one record from its RRset (RFC 2136 §2.5.4); absent records are ignored.</summary>
public sealed record DeleteRecord(DnsName Owner, RecordType Type, byte[] Data) : RecordEdit(Owner);

/// <summary>Delete every RRset of a name (RFC 2136 §2.5.3); at the apex the SOA and NS stay (§3.4.2.3).</summary>
public sealed record DeleteName(DnsName Owner) : RecordEdit(Owner);

/// <summary>Changes to one zone inside an atomic request.</summary>
public sealed record ZoneEdit(DnsName Zone, IReadOnlyList<RecordEdit> Changes)
{
    /// <summary>
    /// When set, the changes are decided at commit time from the zone as it is then (RFC 2136
    /// prerequisites are checked against the zone the update applies to); it may throw a
    /// <see cref="WriteException"/> to refuse. <see cref="Changes"/> is then ignored. It may be
    /// called more than once for one write (a batch whose group was undone is applied again one
    /// request at a time), each time on the zone as it is then: only what it returns or throws
    /// may depend on a call, nothing it keeps.
    /// </summary>
    public Func<ZoneSnapshot, IReadOnlyList<RecordEdit>>? Decide { get; init; }
}
