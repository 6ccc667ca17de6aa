using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Server.Transfers;

/// <summary>One record to send in a transfer, referring to the snapshot's own arrays (nothing copied).</summary>
public readonly record struct TransferRecord(byte[] Owner, RecordType Type, uint Ttl, byte[] Data);

/// <summary>The record sequences of AXFR (RFC 5936 §2.2) and IXFR (RFC 1995 §4) responses.</summary>
public static class TransferRecords
{
    /// <summary>The zone's SOA record.</summary>
    public static TransferRecord Soa(ZoneSnapshot zone) => new(zone.Apex.Name, RecordType.SOA, zone.Soa.Ttl, zone.Soa.Data[0]);

    /// <summary>The SOA and every record held in nodes: an AXFR without its compact PTR records and closing SOA.</summary>
    public static IEnumerable<TransferRecord> AxfrHead(ZoneSnapshot zone)
    {
        yield return Soa(zone);
        foreach (var node in zone.Nodes)
        {
            foreach (var set in node.Sets)
            {
                if (set.Type == RecordType.SOA)
                    continue;
                foreach (var data in set.Data)
                    yield return new TransferRecord(node.Name, set.Type, set.Ttl, data);
            }
        }
    }

    /// <summary>
    /// A signed zone: SOA, every record with the RRSIGs and NSEC chain of
    /// <see cref="Zones.Dnssec.SignedZone"/>, SOA again.
    /// </summary>
    public static IEnumerable<TransferRecord> SignedAxfr(ZoneSnapshot zone, Zones.Dnssec.ZoneSigner signer)
    {
        foreach (var (owner, type, ttl, data) in Zones.Dnssec.SignedZone.Records(zone, signer))
            yield return new TransferRecord(owner, type, ttl, data);
        yield return Soa(zone);
    }

    /// <summary>
    /// The incremental form: current SOA, then per changeset the old SOA, the removed records,
    /// the new SOA and the added records, and the current SOA to close.
    /// </summary>
    public static IEnumerable<TransferRecord> Ixfr(ZoneSnapshot zone, IReadOnlyList<Changeset> changes)
    {
        var soa = Soa(zone);
        yield return soa;
        foreach (var change in changes)
        {
            foreach (var r in OrderedSoaFirst(change.Removed))
                yield return r;
            foreach (var r in OrderedSoaFirst(change.Added))
                yield return r;
        }
        yield return soa;
    }

    private static IEnumerable<TransferRecord> OrderedSoaFirst(IReadOnlyList<ResourceRecord> records)
    {
        foreach (var r in records)
        {
            if (r.Type == RecordType.SOA)
                yield return new TransferRecord(r.Owner.Wire.ToArray(), r.Type, r.Ttl, r.Data);
        }
        foreach (var r in records)
        {
            if (r.Type != RecordType.SOA)
                yield return new TransferRecord(r.Owner.Wire.ToArray(), r.Type, r.Ttl, r.Data);
        }
    }
}
