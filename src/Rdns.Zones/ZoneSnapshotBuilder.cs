using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>
/// Builds a <see cref="ZoneSnapshot"/> from records or from raw rows (as a store reads them). The
/// PTRs of plain address names in a reverse zone — nearly every record such a zone has — are
/// taken straight from the row's octets into one arena, without an object per record; everything
/// else is gathered by name and type. <see cref="Build"/> enforces what a zone must be.
/// </summary>
public sealed class ZoneSnapshotBuilder
{
    private readonly record struct Candidate(UInt128 Key, uint Ttl, int OwnerOffset, int OwnerLength, int TargetOffset, int TargetLength);

    private readonly DnsName _origin;
    private readonly Synthesis.ReverseZoneInfo? _info;
    private readonly int _width;
    private readonly Dictionary<byte[], Dictionary<RecordType, (uint Ttl, List<byte[]> Data)>> _sets = new(NameKeyComparer.Instance);
    private readonly Dictionary<byte[], byte[]> _names = new(NameKeyComparer.Instance);
    private readonly List<Candidate> _addressPtrs = [];
    private readonly MemoryStream _arena = new();
    private int _count;

    public ZoneSnapshotBuilder(DnsName origin)
    {
        _origin = origin;
        // A reverse zone's addresses; in any other zone, the member names of a catalog (RFC 9432),
        // which a catalog zone holds one per hosted zone.
        _info = Synthesis.ReverseZoneInfo.For(origin) ?? Synthesis.ReverseZoneInfo.ForCatalogMembers(origin);
        _width = _info?.Width ?? 0;
    }

    public DnsName Origin => _origin;

    /// <summary>How the names of the zone's compact table spell its keys (a reverse zone's addresses, or catalog member names); null when it can have none.</summary>
    internal Synthesis.ReverseZoneInfo? Layout => _info;

    /// <summary>A compact table read from a zone image, used as it is instead of one built from address PTRs.</summary>
    private CompactPtrTable? _prebuilt;

    /// <summary>Adds a record to the zone's nodes as it is: never to the compact table (a zone image's node records).</summary>
    internal void AddNodeRecord(ResourceRecord record)
    {
        Validate(_origin, record);
        _count += AddToSets(record);
    }

    /// <summary>Takes <paramref name="table"/> as the zone's compact table (from a zone image, made by a build like this one).</summary>
    internal void UseTable(CompactPtrTable table)
    {
        _prebuilt = table;
        _count += table.Count;
    }

    public void Add(ResourceRecord record)
    {
        if (TryAddAddressPtr(record.Owner.Wire, record.Type, record.Class, record.Ttl, record.Data))
            return;
        Validate(_origin, record);
        _count += AddToSets(record);
    }

    /// <summary>Adds a record given as octets; nothing is allocated for a plain address PTR.</summary>
    public void Add(ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
    {
        if (TryAddAddressPtr(owner, type, cls, ttl, data))
            return;
        if (!DnsName.TryFromWire(owner, out var name))
            throw new ZoneDataException($"{_origin}: a stored owner name is malformed");
        var record = new ResourceRecord(name, type, cls, ttl, data.ToArray());
        Validate(_origin, record);
        _count += AddToSets(record);
    }

    private bool TryAddAddressPtr(ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
    {
        if (_info is null || type != RecordType.PTR || cls != RecordClass.IN)
            return false;
        if (!_info.TryRead(owner, out var key, out int bits) || bits != _width)
            return false;
        // TryRead reads the labels below the apex; the rest must be the apex itself.
        int apexAt = WireName.SkipLabels(owner, WireName.CountLabels(owner) - _origin.LabelCount);
        if (!WireName.EqualsIgnoreCase(owner[apexAt..], _origin.Wire) || !Rdata.IsValid(RecordType.PTR, data) || !_info.IsCanonical(key, owner, _origin.Wire))
            return false;
        int ownerOffset = (int)_arena.Length;
        _arena.Write(owner);
        int targetOffset = (int)_arena.Length;
        _arena.Write(data);
        _addressPtrs.Add(new Candidate(key, ttl, ownerOffset, owner.Length, targetOffset, data.Length));
        return true;
    }

    /// <summary>
    /// Sorts by address, equal addresses in the order added. The sort moves small keys, not the
    /// candidates: when the addresses span less than 2^40 (any IPv4 zone, dense IPv6) each key is
    /// one number, the address above the position, so equal addresses keep their order for free;
    /// otherwise addresses and positions are sorted side by side and runs of one address put back
    /// in order. The candidates are then gathered once.
    /// </summary>
    private static void SortByAddress(List<Candidate> candidates)
    {
        var items = CollectionsMarshal.AsSpan(candidates);
        int n = items.Length;
        var order = new int[n];
        UInt128 min = UInt128.MaxValue, max = UInt128.MinValue;
        foreach (var c in items)
        {
            min = UInt128.Min(min, c.Key);
            max = UInt128.Max(max, c.Key);
        }
        if (n < 1 << 24 && max - min < (UInt128)1 << 40)
        {
            var packed = new ulong[n];
            for (int i = 0; i < n; i++)
                packed[i] = (ulong)(items[i].Key - min) << 24 | (uint)i;
            Array.Sort(packed);
            for (int i = 0; i < n; i++)
                order[i] = (int)(packed[i] & 0xFFFFFF);
        }
        else
        {
            var keys = new UInt128[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = items[i].Key;
                order[i] = i;
            }
            Array.Sort(keys, order);
            for (int i = 0; i < n;)
            {
                int j = i + 1;
                while (j < n && keys[j] == keys[i])
                    j++;
                if (j - i > 1)
                    Array.Sort(order, i, j - i);
                i = j;
            }
        }
        var sorted = new Candidate[n];
        for (int i = 0; i < n; i++)
            sorted[i] = items[order[i]];
        sorted.CopyTo(items);
    }

    private ReadOnlySpan<byte> Owner(Candidate c) => _arena.GetBuffer().AsSpan(c.OwnerOffset, c.OwnerLength);

    private ReadOnlySpan<byte> Target(Candidate c) => _arena.GetBuffer().AsSpan(c.TargetOffset, c.TargetLength);

    private ResourceRecord ToRecord(Candidate c) =>
        new(DnsName.FromWire(Owner(c)), RecordType.PTR, RecordClass.IN, c.Ttl, Target(c).ToArray());

    public ZoneSnapshot Build()
    {
        var origin = _origin;
        // Addresses with one PTR become compact candidates; the rest join the general sets.
        var candidates = new List<Candidate>();
        if (_addressPtrs.Count > 0)
        {
            // By address, then in the order added (the arena offset grows), so an address with
            // several PTRs gets its records, and its TTL, from the first one as any RRset does.
            SortByAddress(_addressPtrs);
            for (int i = 0; i < _addressPtrs.Count;)
            {
                int j = i + 1;
                while (j < _addressPtrs.Count && _addressPtrs[j].Key == _addressPtrs[i].Key)
                    j++;
                bool single = true;
                for (int k = i + 1; k < j && single; k++)
                    single = Rdata.Equal(RecordType.PTR, Target(_addressPtrs[i]), Target(_addressPtrs[k]));
                if (single)
                {
                    candidates.Add(_addressPtrs[i]);
                    _count++;
                }
                else
                {
                    for (int k = i; k < j; k++)
                        _count += AddToSets(ToRecord(_addressPtrs[k]));
                }
                i = j;
            }
        }
        var sets = _sets;
        var names = _names;
        int count = _count;

        var apexKey = origin.ToLowerWire();
        if (!sets.TryGetValue(apexKey, out var apexSets) || !apexSets.ContainsKey(RecordType.SOA))
            throw new ZoneDataException($"{origin}: the zone has no SOA record at its apex");
        if (!apexSets.ContainsKey(RecordType.NS))
            throw new ZoneDataException($"{origin}: the zone has no NS records at its apex");
        if (apexSets.ContainsKey(RecordType.CNAME))
            throw new ZoneDataException($"{origin}: CNAME is not allowed at the apex");

        var compact = _prebuilt ?? Compact(candidates);

        var nodes = new Dictionary<byte[], ZoneNode>(sets.Count * 2, NameKeyComparer.Instance);
        bool hasWildcards = false;
        bool hasDnames = false;
        foreach (var (key, byType) in sets)
        {
            if (byType.ContainsKey(RecordType.CNAME) && byType.Count > 1)
                throw new ZoneDataException($"{DnsName.FromWire(names[key])}: CNAME and other data at the same name");
            if (byType.TryGetValue(RecordType.CNAME, out var cname) && cname.Data.Count > 1)
                throw new ZoneDataException($"{DnsName.FromWire(names[key])}: more than one CNAME record");
            if (byType.TryGetValue(RecordType.DNAME, out var dname))
            {
                // RFC 6672 §2.4: one DNAME per name, and none beside a CNAME (covered above).
                if (dname.Data.Count > 1)
                    throw new ZoneDataException($"{DnsName.FromWire(names[key])}: more than one DNAME record");
                hasDnames = true;
            }
            var arr = byType.OrderBy(kv => (ushort)kv.Key)
                .Select(kv => new RRset(kv.Key, kv.Value.Ttl, [.. kv.Value.Data]))
                .ToArray();
            if (key.AsSpan().SequenceEqual(apexKey))
            {
                for (int i = 0; i < arr.Length; i++)
                    arr[i] = SharedRRsets.Share(arr[i]);
                arr = SharedRRsets.ShareSets(arr);
            }
            int labels = WireName.CountLabels(key);
            // A name already in lower case is its own key: one array for both.
            var name = names[key];
            nodes[key] = new ZoneNode(name.AsSpan().SequenceEqual(key) ? key : name, labels, arr);
            if (key.Length > 2 && key[0] == 1 && key[1] == (byte)'*')
                hasWildcards = true;
        }

        // Empty non-terminals: every ancestor between a node and the apex exists (RFC 8020).
        int apexLabels = origin.LabelCount;
        foreach (var node in nodes.Values.ToArray())
        {
            int pos = 0;
            for (int labels = node.LabelCount; labels > apexLabels + 1; labels--)
            {
                pos += 1 + node.Name[pos];
                var ancestor = node.Name.AsSpan(pos);
                var lookup = nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
                if (lookup.ContainsKey(ancestor))
                    break;
                var key = ancestor.ToArray();
                WireName.LowerInPlace(key);
                nodes[key] = new ZoneNode(ancestor.SequenceEqual(key) ? key : ancestor.ToArray(), labels - 1, null);
            }
        }

        // Zone cuts: mark every node at or below a delegation with its highest cut.
        var apex = nodes[apexKey];
        bool hasCuts = false;
        var byDepth = nodes.Values.OrderBy(n => n.LabelCount).ToArray();
        var altLookup = nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (var node in byDepth)
        {
            if (ReferenceEquals(node, apex))
                continue;
            var parentName = node.Name.AsSpan(1 + node.Name[0]);
            var parent = altLookup[parentName];
            if (parent.Cut is not null)
                node.Cut = parent.Cut;
            else if (node.Ns is not null)
            {
                node.Cut = node;
                hasCuts = true;
            }
        }

        // Every node but the apex counts as a child of its parent, so a change can tell when an
        // empty non-terminal has nothing left below it.
        foreach (var node in nodes.Values)
        {
            if (!ReferenceEquals(node, apex))
                altLookup[node.Name.AsSpan(1 + node.Name[0])].Children++;
        }

        var soa = apex.Find(RecordType.SOA)!;
        var map = NameMap<ZoneNode>.From(nodes.Select(kv => (kv.Key, kv.Value)).ToList());
        var compactPtrs = compact is null ? null : CompactPtrs.Of(compact, AddressSpace.Of(_info!));
        // A reverse zone keeps its layout; a zone without catalog members in a table keeps none.
        var layout = _info is { IsReverse: true } || compact is not null ? _info : null;
        // The origin over the apex node's own name: one array for both (and for the zone set's key, see ZoneSnapshot.OriginKey).
        return ZoneSnapshot.Create(DnsName.FromWireArray(apex.Name), map, apex, soa, hasWildcards, hasCuts, hasDnames, count, compactPtrs, layout);
    }

    /// <summary>
    /// Builds the compact table from the address PTR candidates. A candidate qualifies when it is
    /// the only record of its name, is not below a zone cut, has no names below it, and the zone
    /// has no wildcards (a compact name could be the closest encloser of a wildcard match, RFC 4592
    /// §3.3.1, which the node walk must see); the others go back into the general sets.
    /// </summary>
    private CompactPtrTable? Compact(List<Candidate> candidates)
    {
        if (_info is null || candidates.Count == 0)
            return null;
        // Catalog member names are written back over the origin as spelled here: only when the
        // apex is spelled the same way.
        if (!_info.IsReverse && !_names[_origin.ToLowerWire()].AsSpan().SequenceEqual(_origin.Wire))
        {
            foreach (var c in candidates)
                AddToSets(ToRecord(c));
            return null;
        }
        int apexLabels = _origin.LabelCount;
        var cuts = new HashSet<byte[]>(NameKeyComparer.Instance);
        bool wildcards = false;
        int fullLabels = WireName.CountLabels(Owner(candidates[0]));
        var keep = new HashSet<byte[]>(NameKeyComparer.Instance);
        // Whether any other name has as many labels as the addresses: if none, no candidate shares its name.
        bool setsAtDepth = false;
        foreach (var (key, byType) in _sets)
        {
            // A DNAME redirects whole subtrees: names under it must go through the node walk, as with wildcards.
            if ((key.Length > 2 && key[0] == 1 && key[1] == (byte)'*') || byType.ContainsKey(RecordType.DNAME))
                wildcards = true;
            int labels = WireName.CountLabels(key);
            if (byType.ContainsKey(RecordType.NS) && labels > apexLabels)
                cuts.Add(key);
            if (labels > fullLabels)
                keep.Add(key.AsSpan(WireName.SkipLabels(key, labels - fullLabels)).ToArray());
            else if (labels == fullLabels)
                setsAtDepth = true;
        }
        var sets = _sets.GetAlternateLookup<ReadOnlySpan<byte>>();
        var kept = keep.GetAlternateLookup<ReadOnlySpan<byte>>();
        var entries = new List<(UInt128 Key, uint Ttl, int Offset, int Length)>(candidates.Count);
        var back = new List<Candidate>();
        foreach (var c in candidates)
        {
            // A candidate stays a node when another record shares its name, when it lies below a
            // zone cut, when names exist below it, or when the zone has wildcards.
            var owner = Owner(c);
            if (wildcards || (setsAtDepth && sets.ContainsKey(owner)) || (keep.Count > 0 && kept.Contains(owner)) ||
                (cuts.Count > 0 && BelowAny(owner, cuts, apexLabels)))
            {
                back.Add(c);
                continue;
            }
            entries.Add((c.Key, c.Ttl, c.TargetOffset, c.TargetLength));
        }
        var table = entries.Count == 0 ? null : CompactPtrTable.Build(AddressSpace.Of(_info), entries, _arena.GetBuffer());
        foreach (var c in table is null ? candidates : back)
            AddToSets(ToRecord(c));
        return table;
    }

    internal static void Validate(DnsName origin, ResourceRecord r)
    {
        if (r.Class != RecordClass.IN)
            throw new ZoneDataException($"{r.Owner} {RecordTypeText.ToText(r.Type)}: class {RecordTypeText.ClassToText(r.Class)} is not served; only IN");
        if (!r.Owner.IsSubdomainOf(origin))
            throw new ZoneDataException($"{r.Owner} {RecordTypeText.ToText(r.Type)}: out of zone {origin}");
        if (r.Type is RecordType.OPT or RecordType.TSIG or RecordType.TKEY or RecordType.ANY or RecordType.AXFR or RecordType.IXFR)
            throw new ZoneDataException($"{r.Owner}: type {RecordTypeText.ToText(r.Type)} cannot be zone data");
        if (!Rdata.IsValid(r.Type, r.Data))
            throw new ZoneDataException($"{r.Owner} {RecordTypeText.ToText(r.Type)}: malformed RDATA");
        if (r.Type == RecordType.SOA && !r.Owner.Equals(origin))
            throw new ZoneDataException($"{r.Owner}: SOA is only allowed at the apex {origin}");
    }

    /// <summary>Adds a record to its owner's RRsets; returns 1, or 0 for a duplicate.</summary>
    private int AddToSets(ResourceRecord r)
    {
        var sets = _sets;
        var names = _names;
        var key = r.Owner.ToLowerWire();
        if (!sets.TryGetValue(key, out var byType))
        {
            byType = [];
            sets.Add(key, byType);
            names.Add(key, r.Owner.Wire.ToArray());
        }
        if (!byType.TryGetValue(r.Type, out var set))
        {
            set = (r.Ttl, []);
            byType.Add(r.Type, set);
        }
        if (r.Type == RecordType.SOA && set.Data.Count > 0)
            throw new ZoneDataException($"{r.Owner}: more than one SOA record");
        foreach (var existing in set.Data)
        {
            if (Rdata.Equal(r.Type, existing, r.Data))
                return 0;
        }
        set.Data.Add(r.Data);
        return 1;
    }

    private static bool BelowAny(ReadOnlySpan<byte> name, HashSet<byte[]> ancestors, int apexLabels)
    {
        var lookup = ancestors.GetAlternateLookup<ReadOnlySpan<byte>>();
        int labels = WireName.CountLabels(name);
        int pos = 0;
        for (int l = labels; l > apexLabels; l--)
        {
            if (lookup.Contains(name[pos..]))
                return true;
            pos += 1 + name[pos];
        }
        return false;
    }
}
