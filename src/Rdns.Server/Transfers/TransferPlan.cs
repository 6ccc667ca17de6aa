using Rdns.Zones;

namespace Rdns.Server.Transfers;

/// <summary>
/// What a transfer sends, in order: <see cref="Records"/>, then the zone's compact PTR records
/// read through <see cref="Compact"/> (none when null), then <see cref="Closing"/>.
/// </summary>
public sealed record TransferPlan(IEnumerable<TransferRecord> Records, CompactRecordCursor? Compact = null, IReadOnlyList<TransferRecord>? Closing = null)
{
    /// <summary>AXFR (RFC 5936 §2.2): SOA, the records held in nodes, the compact PTR records, SOA again.</summary>
    public static TransferPlan Axfr(ZoneSnapshot zone) =>
        new(TransferRecords.AxfrHead(zone), zone.OpenCompactRecords(), [TransferRecords.Soa(zone)]);
}
