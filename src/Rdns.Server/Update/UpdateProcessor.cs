using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Writes;

using Rdns.Zones.Updates;

namespace Rdns.Server.Update;

/// <summary>
/// The semantics of RFC 2136 on a zone snapshot, without I/O: the prerequisite checks of §3.2, the
/// prescan of §3.4.1 and the update rules of §3.4.2, turned into record edits for the write path.
/// The write path calls these at commit time, on the zone exactly as it is then, so a
/// prerequisite cannot be true when checked and false when applied.
/// </summary>
public static class UpdateProcessor
{
    /// <summary>§3.2: each prerequisite in order; the first that fails decides the RCODE.</summary>
    public static UpdateOutcome CheckPrerequisites(ZoneSnapshot zone, RecordClass zoneClass, IReadOnlyList<UpdateRecord> prerequisites)
    {
        var valueDependent = new List<UpdateRecord>();
        foreach (var rr in prerequisites)
        {
            if (rr.Ttl != 0)
                return new(Rcode.FormErr, $"prerequisite {rr}: TTL must be 0 (RFC 2136 §3.2.1)");
            if (!rr.Owner.IsSubdomainOf(zone.Origin))
                return new(Rcode.NotZone, $"prerequisite {rr}: {rr.Owner} is not in zone {zone.Origin} (RFC 2136 §3.2.1)");
            if (rr.Class == RecordClass.ANY)
            {
                if (rr.Data.Length != 0)
                    return new(Rcode.FormErr, $"prerequisite {rr}: class ANY carries no RDATA (RFC 2136 §2.4.1)");
                if (rr.Type == RecordType.ANY)
                {
                    if (!NameInUse(zone, rr.Owner))
                        return new(Rcode.NXDomain, $"prerequisite 'name is in use' failed: {rr.Owner} has no records (RFC 2136 §2.4.4)");
                }
                else if (zone.GetRRset(rr.Owner.Wire, rr.Type) is null)
                {
                    return new(Rcode.NXRRSet, $"prerequisite 'RRset exists' failed: {rr.Owner} has no {RecordTypeText.ToText(rr.Type)} (RFC 2136 §2.4.1)");
                }
            }
            else if (rr.Class == RecordClass.NONE)
            {
                if (rr.Data.Length != 0)
                    return new(Rcode.FormErr, $"prerequisite {rr}: class NONE carries no RDATA (RFC 2136 §2.4.3)");
                if (rr.Type == RecordType.ANY)
                {
                    if (NameInUse(zone, rr.Owner))
                        return new(Rcode.YXDomain, $"prerequisite 'name is not in use' failed: {rr.Owner} has records (RFC 2136 §2.4.5)");
                }
                else if (zone.GetRRset(rr.Owner.Wire, rr.Type) is not null)
                {
                    return new(Rcode.YXRRSet, $"prerequisite 'RRset does not exist' failed: {rr.Owner} has {RecordTypeText.ToText(rr.Type)} (RFC 2136 §2.4.3)");
                }
            }
            else if (rr.Class == zoneClass)
            {
                valueDependent.Add(rr);
            }
            else
            {
                return new(Rcode.FormErr, $"prerequisite {rr}: class {RecordTypeText.ClassToText(rr.Class)} is neither the zone's, ANY nor NONE (RFC 2136 §3.2.3)");
            }
        }
        // §2.4.2 and §3.2.3: each RRset named must exist and be exactly these records (TTLs aside).
        foreach (var group in valueDependent.GroupBy(r => (r.Owner, r.Type)))
        {
            var expected = new List<byte[]>();
            foreach (var rr in group)
            {
                if (!expected.Exists(d => Rdata.Equal(rr.Type, d, rr.Data)))
                    expected.Add(rr.Data);
            }
            var have = zone.GetRRset(group.Key.Owner.Wire, group.Key.Type);
            if (have is null || have.Count != expected.Count || !expected.TrueForAll(e => have.Data.Any(d => Rdata.Equal(group.Key.Type, d, e))))
                return new(Rcode.NXRRSet, $"prerequisite 'RRset exists (value dependent)' failed: {group.Key.Owner} {RecordTypeText.ToText(group.Key.Type)} differs (RFC 2136 §2.4.2)");
        }
        return UpdateOutcome.Ok;
    }

    /// <summary>§3.4.1.3: every update is checked before any is applied.</summary>
    public static UpdateOutcome Prescan(DnsName zone, RecordClass zoneClass, IReadOnlyList<UpdateRecord> updates)
    {
        foreach (var rr in updates)
        {
            if (!rr.Owner.IsSubdomainOf(zone))
                return new(Rcode.NotZone, $"update {rr}: {rr.Owner} is not in zone {zone} (RFC 2136 §3.4.1.3)");
            if (rr.Class == zoneClass)
            {
                if (IsMeta(rr.Type) || rr.Type == RecordType.ANY)
                    return new(Rcode.FormErr, $"update {rr}: {RecordTypeText.ToText(rr.Type)} cannot be added (RFC 2136 §3.4.1.3)");
                if (!Rdata.IsValid(rr.Type, rr.Data))
                    return new(Rcode.FormErr, $"update {rr}: malformed RDATA");
            }
            else if (rr.Class == RecordClass.ANY)
            {
                if (rr.Ttl != 0 || rr.Data.Length != 0 || IsMeta(rr.Type))
                    return new(Rcode.FormErr, $"update {rr}: deleting an RRset or a name takes TTL 0, no RDATA and a data type or ANY (RFC 2136 §2.5.2)");
            }
            else if (rr.Class == RecordClass.NONE)
            {
                if (rr.Ttl != 0 || IsMeta(rr.Type) || rr.Type == RecordType.ANY)
                    return new(Rcode.FormErr, $"update {rr}: deleting one RR takes TTL 0 and a data type (RFC 2136 §2.5.4)");
                if (!Rdata.IsValid(rr.Type, rr.Data))
                    return new(Rcode.FormErr, $"update {rr}: malformed RDATA");
            }
            else
            {
                return new(Rcode.FormErr, $"update {rr}: class {RecordTypeText.ClassToText(rr.Class)} is neither the zone's, ANY nor NONE (RFC 2136 §3.4.1.3)");
            }
        }
        return UpdateOutcome.Ok;
    }

    /// <summary>
    /// The (owner, type) pairs the updates would touch, judged on <paramref name="zone"/>: a
    /// delete of every RRset at a name (§2.5.3) touches each type the name holds (at the apex all
    /// but SOA and NS, which it keeps, §3.4.2.3). Policies decide on these.
    /// </summary>
    public static IReadOnlyList<(DnsName Owner, RecordType Type)> Touched(ZoneSnapshot zone, IReadOnlyList<UpdateRecord> updates)
    {
        var touched = new List<(DnsName, RecordType)>();
        foreach (var rr in updates)
        {
            if (rr.Class == RecordClass.ANY && rr.Type == RecordType.ANY)
            {
                bool apex = rr.Owner.Equals(zone.Origin);
                foreach (var type in zone.TypesAt(rr.Owner.Wire))
                {
                    if (!(apex && type is RecordType.SOA or RecordType.NS))
                        touched.Add((rr.Owner, type));
                }
            }
            else
            {
                touched.Add((rr.Owner, rr.Type));
            }
        }
        return touched;
    }

    /// <summary>
    /// §3.4.2: the updates in order, as edits of the RRsets they change. Adds that RFC 2136 says
    /// to ignore are ignored silently, as the RFC wants: a CNAME beside other data or data beside
    /// a CNAME (§3.4.2.2), an SOA whose serial is not newer, a delete of the SOA, of the apex NS
    /// RRset or of its last record (§3.4.2.3, §3.4.2.4). A duplicate RR replaces the one there
    /// (its TTL becomes the RRset's, RFC 2181 §5.2).
    /// </summary>
    public static IReadOnlyList<RecordEdit> Apply(ZoneSnapshot zone, RecordClass zoneClass, IReadOnlyList<UpdateRecord> updates)
    {
        var work = new WorkingZone(zone);
        foreach (var rr in updates)
        {
            bool apex = rr.Owner.Equals(zone.Origin);
            if (rr.Class == zoneClass)
                Add(work, rr, apex);
            else if (rr.Class == RecordClass.ANY)
            {
                if (rr.Type == RecordType.ANY)
                {
                    foreach (var type in work.TypesAt(rr.Owner))
                    {
                        if (!(apex && type is RecordType.SOA or RecordType.NS))
                            work.Get(rr.Owner, type).Data.Clear();
                    }
                }
                else if (!(apex && rr.Type is RecordType.SOA or RecordType.NS))
                {
                    work.Get(rr.Owner, rr.Type).Data.Clear();
                }
            }
            else if (rr.Class == RecordClass.NONE && rr.Type != RecordType.SOA)
            {
                var set = work.Get(rr.Owner, rr.Type);
                int index = set.Data.FindIndex(d => Rdata.Equal(rr.Type, d, rr.Data));
                if (index < 0)
                    continue;
                if (apex && rr.Type == RecordType.NS && set.Data.Count == 1)
                    continue;
                set.Data.RemoveAt(index);
            }
        }
        return work.Edits();
    }

    private static void Add(WorkingZone work, UpdateRecord rr, bool apex)
    {
        if (rr.Type == RecordType.SOA)
        {
            if (!apex)
                return;
            var soa = work.Get(rr.Owner, RecordType.SOA);
            // §3.4.2.2: an SOA whose serial is not newer than the zone's is ignored.
            if (!SerialNumber.GreaterThan(Rdata.SoaSerial(rr.Data), Rdata.SoaSerial(soa.Data[0])))
                return;
            soa.Data[0] = rr.Data;
            soa.Ttl = rr.Ttl;
            work.SoaChanged = true;
            return;
        }
        if (!IsDnssec(rr.Type))
        {
            var types = work.TypesAt(rr.Owner);
            if (rr.Type == RecordType.CNAME ? types.Any(t => t != RecordType.CNAME && !IsDnssec(t)) : types.Contains(RecordType.CNAME))
                return;
        }
        var set = work.Get(rr.Owner, rr.Type);
        if (rr.Type == RecordType.CNAME)
            set.Data.Clear();
        int index = set.Data.FindIndex(d => Rdata.Equal(rr.Type, d, rr.Data));
        if (index >= 0)
            set.Data[index] = rr.Data;
        else
            set.Data.Add(rr.Data);
        set.Ttl = rr.Ttl;
    }

    /// <summary>§2.4.4: a name is in use when it owns at least one RR (an empty non-terminal does not).</summary>
    private static bool NameInUse(ZoneSnapshot zone, DnsName name) => zone.TypesAt(name.Wire).Count > 0;

    private static bool IsMeta(RecordType type) =>
        type is RecordType.AXFR or RecordType.IXFR or RecordType.OPT or RecordType.TSIG or RecordType.TKEY
            or (RecordType)253 or (RecordType)254; // MAILB, MAILA

    private static bool IsDnssec(RecordType type) => type is RecordType.RRSIG or RecordType.NSEC or (RecordType)50;

    /// <summary>The RRsets the updates touch, as they leave them.</summary>
    private sealed class WorkingZone(ZoneSnapshot zone)
    {
        private readonly Dictionary<(DnsName, RecordType), WorkingSet> _sets = [];
        private readonly List<(DnsName Owner, RecordType Type)> _order = [];

        public bool SoaChanged { get; set; }

        public WorkingSet Get(DnsName owner, RecordType type)
        {
            if (!_sets.TryGetValue((owner, type), out var set))
            {
                var existing = zone.GetRRset(owner.Wire, type);
                set = new WorkingSet(existing?.Ttl ?? 0, existing is null ? [] : [.. existing.Data]);
                _sets[(owner, type)] = set;
                _order.Add((owner, type));
            }
            return set;
        }

        public List<RecordType> TypesAt(DnsName owner)
        {
            var types = new List<RecordType>();
            foreach (var type in zone.TypesAt(owner.Wire))
            {
                if (!_sets.TryGetValue((owner, type), out var set) || set.Data.Count > 0)
                    types.Add(type);
            }
            foreach (var (key, set) in _sets)
            {
                if (key.Item1.Equals(owner) && set.Data.Count > 0 && !types.Contains(key.Item2))
                    types.Add(key.Item2);
            }
            return types;
        }

        public IReadOnlyList<RecordEdit> Edits()
        {
            var edits = new List<RecordEdit>();
            foreach (var (owner, type) in _order)
            {
                var set = _sets[(owner, type)];
                if (type == RecordType.SOA)
                {
                    if (SoaChanged)
                        edits.Add(new AddRecord(zone.Origin, RecordType.SOA, set.Ttl, set.Data[0]));
                    continue;
                }
                edits.Add(new RRsetChange(owner, type, set.Ttl, set.Data));
            }
            return edits;
        }
    }

    private sealed class WorkingSet(uint ttl, List<byte[]> data)
    {
        public uint Ttl { get; set; } = ttl;

        public List<byte[]> Data { get; } = data;
    }
}
