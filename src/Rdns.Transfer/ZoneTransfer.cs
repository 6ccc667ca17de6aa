using Rdns.Protocol.Records;

namespace Rdns.Transfer;

/// <summary>
/// What a transfer gave: the whole zone (AXFR, or an IXFR the primary answered in full), the
/// changesets from our serial to the primary's (IXFR, RFC 1995 §4), or nothing newer. Always
/// carries the primary's SOA and the cost of the exchange.
/// </summary>
public abstract record ZoneTransfer(ResourceRecord Soa, long Bytes, int Messages)
{
    public uint Serial => Rdata.SoaSerial(Soa.Data);
}

/// <summary>Every record of the zone, the SOA first (RFC 5936 §2.2); the closing SOA is not repeated.</summary>
public sealed record FullTransfer(ResourceRecord Soa, IReadOnlyList<ResourceRecord> Records, long Bytes, int Messages)
    : ZoneTransfer(Soa, Bytes, Messages);

/// <summary>The primary's changesets, in order; the first starts at the serial we sent, the last ends at <see cref="ZoneTransfer.Serial"/>.</summary>
public sealed record IncrementalTransfer(ResourceRecord Soa, IReadOnlyList<Changeset> Changes, long Bytes, int Messages)
    : ZoneTransfer(Soa, Bytes, Messages);

/// <summary>The primary answered its SOA alone: we are current (RFC 1995 §2), or it has nothing incremental to give.</summary>
public sealed record NoNewerVersion(ResourceRecord Soa, long Bytes, int Messages)
    : ZoneTransfer(Soa, Bytes, Messages);
