using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Control.Zones;

/// <summary>
/// Turns RRset replacements into the changeset that performs them (remove set, add set, SOA
/// serial bumped per RFC 1982) and the snapshot that results, which also validates the outcome.
/// </summary>
public static class ZoneChangePlanner
{
    public static (Changeset Changeset, ZoneSnapshot Snapshot)? Plan(ZoneSnapshot current, IReadOnlyList<RRsetChange> changes)
    {
        var removed = new List<ResourceRecord>();
        var added = new List<ResourceRecord>();
        byte[]? soaTemplate = null;
        uint soaTtl = current.Soa.Ttl;

        // A later change to the same RRset in one request wins.
        var last = new Dictionary<(Protocol.Names.DnsName, RecordType), RRsetChange>();
        foreach (var change in changes)
        {
            if (!change.Owner.IsSubdomainOf(current.Origin))
                throw new ZoneDataException($"{change.Owner}: out of zone {current.Origin}");
            last[(change.Owner, change.Type)] = change;
        }

        foreach (var change in last.Values)
        {
            if (change.Type == RecordType.SOA)
            {
                if (change.IsDelete || change.Data.Count != 1 || !change.Owner.Equals(current.Origin))
                    throw new ZoneDataException($"{change.Owner}: the SOA can be replaced (one record, at the apex) but not removed");
                // Replacing the SOA with itself (whatever serial it carries) is no change: the
                // serial is ours to manage (RFC 1982), so it is ignored in the comparison.
                if (change.Ttl == current.Soa.Ttl &&
                    Rdata.WithSoaSerial(change.Data[0], current.Serial).AsSpan().SequenceEqual(current.Soa.Data[0]))
                    continue;
                soaTemplate = change.Data[0];
                soaTtl = change.Ttl;
                continue;
            }
            var existing = current.GetRRset(change.Owner.Wire, change.Type);
            if (existing is not null && SameSet(existing, change))
                continue;
            if (existing is not null)
            {
                // The owner as stored (its case), so the store's exact match finds the rows.
                var node = current.Find(change.Owner.Wire);
                var owner = node is null ? change.Owner : Protocol.Names.DnsName.FromWire(node.Name);
                foreach (var data in existing.Data)
                    removed.Add(new ResourceRecord(owner, change.Type, RecordClass.IN, existing.Ttl, data));
            }
            foreach (var data in change.Data)
                added.Add(new ResourceRecord(change.Owner, change.Type, RecordClass.IN, change.Ttl, data));
        }

        if (removed.Count == 0 && added.Count == 0 && soaTemplate is null)
            return null;

        var oldSoaData = current.Soa.Data[0];
        uint serial = SerialNumber.Next(current.Serial);
        var newSoaData = Rdata.WithSoaSerial(soaTemplate ?? oldSoaData, serial);
        var apex = current.Origin;
        removed.Add(new ResourceRecord(apex, RecordType.SOA, RecordClass.IN, current.Soa.Ttl, oldSoaData));
        added.Add(new ResourceRecord(apex, RecordType.SOA, RecordClass.IN, soaTtl, newSoaData));

        var changeset = new Changeset(current.Serial, serial, removed, added);
        return (changeset, current.Apply(changeset));
    }

    private static bool SameSet(RRset existing, RRsetChange change)
    {
        if (existing.Ttl != change.Ttl || existing.Count != change.Data.Count)
            return false;
        foreach (var data in change.Data)
        {
            bool found = false;
            foreach (var have in existing.Data)
            {
                if (have.AsSpan().SequenceEqual(data))
                {
                    found = true;
                    break;
                }
            }
            if (!found)
                return false;
        }
        return true;
    }
}
