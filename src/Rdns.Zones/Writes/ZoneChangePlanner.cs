using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Writes;

/// <summary>
/// Turns a list of edits into the changeset that performs them (remove set, add set, SOA serial
/// bumped per RFC 1982) and the snapshot that results, which also validates the outcome. Edits
/// apply in order to a working copy of each RRset they touch; only RRsets that end up different
/// from the zone's are in the changeset, and a request that changes nothing plans nothing.
/// </summary>
public static class ZoneChangePlanner
{
    /// <summary>An RRset as the edits leave it.</summary>
    private sealed class Working(DnsName owner, RecordType type, uint ttl, List<byte[]> data)
    {
        public DnsName Owner { get; } = owner;
        public RecordType Type { get; } = type;
        public uint Ttl { get; set; } = ttl;
        public List<byte[]> Data { get; } = data;
    }

    public static (Changeset Changeset, ZoneSnapshot Snapshot)? Plan(ZoneSnapshot current, IReadOnlyList<RecordEdit> edits)
    {
        byte[]? soaTemplate = null;
        uint soaTtl = current.Soa.Ttl;
        // An SOA added by RFC 2136 UPDATE brings its own serial, kept when newer (§3.4.2.2, §3.6).
        bool keepSerial = false;
        var working = new Dictionary<(DnsName, RecordType), Working>();

        Working Of(DnsName owner, RecordType type)
        {
            if (!working.TryGetValue((owner, type), out var w))
            {
                var existing = current.GetRRset(owner.Wire, type);
                w = new Working(owner, type, existing?.Ttl ?? 0, existing is null ? [] : [.. existing.Data]);
                working[(owner, type)] = w;
            }
            return w;
        }

        foreach (var edit in edits)
        {
            if (!edit.Owner.IsSubdomainOf(current.Origin))
                throw new ZoneDataException($"{edit.Owner}: out of zone {current.Origin}");
            switch (edit)
            {
                case RRsetChange { Type: RecordType.SOA } change:
                    if (change.IsDelete || change.Data.Count != 1 || !change.Owner.Equals(current.Origin))
                        throw new ZoneDataException($"{change.Owner}: the SOA can be replaced (one record, at the apex) but not removed");
                    // Replacing the SOA with itself (whatever serial it carries) is no change: the
                    // serial is ours to manage (RFC 1982), so it is ignored in the comparison.
                    if (change.Ttl == current.Soa.Ttl &&
                        Rdata.WithSoaSerial(change.Data[0], current.Serial).AsSpan().SequenceEqual(current.Soa.Data[0]))
                    {
                        soaTemplate = null;
                        soaTtl = current.Soa.Ttl;
                        continue;
                    }
                    soaTemplate = change.Data[0];
                    soaTtl = change.Ttl;
                    keepSerial = false;
                    break;
                case AddRecord { Type: RecordType.SOA } add:
                    if (!add.Owner.Equals(current.Origin))
                        throw new ZoneDataException($"{add.Owner}: SOA is only allowed at the apex {current.Origin}");
                    soaTemplate = add.Data;
                    soaTtl = add.Ttl;
                    keepSerial = true;
                    break;
                case DeleteRecord { Type: RecordType.SOA }:
                    throw new ZoneDataException($"{edit.Owner}: the SOA can be replaced but not removed");
                case RRsetChange change:
                    {
                        var w = Of(change.Owner, change.Type);
                        w.Data.Clear();
                        w.Data.AddRange(change.Data);
                        w.Ttl = change.Ttl;
                        break;
                    }
                case AddRecord add:
                    {
                        var w = Of(add.Owner, add.Type);
                        if (!w.Data.Exists(d => Rdata.Equal(add.Type, d, add.Data)))
                            w.Data.Add(add.Data);
                        // One TTL per RRset (RFC 2181 §5.2): the newest record's applies to all.
                        w.Ttl = add.Ttl;
                        break;
                    }
                case DeleteRecord delete:
                    {
                        var w = Of(delete.Owner, delete.Type);
                        w.Data.RemoveAll(d => Rdata.Equal(delete.Type, d, delete.Data));
                        break;
                    }
                case DeleteName name:
                    {
                        bool apex = name.Owner.Equals(current.Origin);
                        var types = current.TypesAt(name.Owner.Wire).Concat(working.Keys.Where(k => k.Item1.Equals(name.Owner)).Select(k => k.Item2)).Distinct().ToList();
                        foreach (var type in types)
                        {
                            if (type == RecordType.SOA || (apex && type == RecordType.NS))
                                continue;
                            Of(name.Owner, type).Data.Clear();
                        }
                        break;
                    }
                default:
                    throw new ArgumentException($"unknown edit {edit.GetType().Name}", nameof(edits));
            }
        }

        var removed = new List<ResourceRecord>();
        var added = new List<ResourceRecord>();
        foreach (var w in working.Values)
        {
            var existing = current.GetRRset(w.Owner.Wire, w.Type);
            if (existing is null ? w.Data.Count == 0 : SameSet(existing, w))
                continue;
            if (existing is not null)
            {
                // The owner as stored (its case), so the store's exact match finds the rows.
                var node = current.Find(w.Owner.Wire);
                var owner = node is null ? w.Owner : DnsName.FromWire(node.Name);
                foreach (var data in existing.Data)
                    removed.Add(new ResourceRecord(owner, w.Type, RecordClass.IN, existing.Ttl, data));
            }
            foreach (var data in w.Data)
                added.Add(new ResourceRecord(w.Owner, w.Type, RecordClass.IN, w.Ttl, data));
        }

        if (removed.Count == 0 && added.Count == 0 && soaTemplate is null)
            return null;

        var oldSoaData = current.Soa.Data[0];
        uint serial = SerialNumber.Next(current.Serial);
        if (keepSerial && soaTemplate is not null && SerialNumber.GreaterThan(Rdata.SoaSerial(soaTemplate), current.Serial))
            serial = Rdata.SoaSerial(soaTemplate);
        var newSoaData = Rdata.WithSoaSerial(soaTemplate ?? oldSoaData, serial);
        var apexName = current.Origin;
        removed.Add(new ResourceRecord(apexName, RecordType.SOA, RecordClass.IN, current.Soa.Ttl, oldSoaData));
        added.Add(new ResourceRecord(apexName, RecordType.SOA, RecordClass.IN, soaTtl, newSoaData));

        var changeset = new Changeset(current.Serial, serial, removed, added);
        return (changeset, current.Apply(changeset));
    }

    private static bool SameSet(RRset existing, Working w)
    {
        if (existing.Ttl != w.Ttl || existing.Count != w.Data.Count)
            return false;
        foreach (var data in w.Data)
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
