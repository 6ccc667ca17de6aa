using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>Why a set of records cannot be a zone; the message names the record and the rule.</summary>
public sealed class ZoneDataException(string message) : Exception(message);

/// <summary>
/// An immutable zone: every node by name, ready for lookups. A change never edits a snapshot; it
/// builds the next one (<see cref="Apply"/>), which is swapped in whole while readers finish with
/// the old one.
/// </summary>
public sealed class ZoneSnapshot
{
    private static readonly byte[] WildcardLabel = [1, (byte)'*'];

    private readonly Dictionary<byte[], ZoneNode> _nodes;
    private readonly Dictionary<byte[], ZoneNode>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    private readonly CompactPtrTable? _compact;

    private ZoneSnapshot(DnsName origin, Dictionary<byte[], ZoneNode> nodes, ZoneNode apex, RRset soa, bool hasWildcards, bool hasCuts, int recordCount, CompactPtrTable? compact)
    {
        _compact = compact;
        Origin = origin;
        _nodes = nodes;
        _lookup = nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
        Apex = apex;
        Soa = soa;
        HasWildcards = hasWildcards;
        HasCuts = hasCuts;
        RecordCount = recordCount;
        Serial = Rdata.SoaSerial(soa.Data[0]);
        Reverse = Synthesis.ReverseZoneInfo.For(origin);
    }

    /// <summary>For a reverse zone, the addresses it covers and how its names spell them; else null.</summary>
    public Synthesis.ReverseZoneInfo? Reverse { get; }

    public DnsName Origin { get; }

    public ZoneNode Apex { get; }

    public RRset Soa { get; }

    public uint Serial { get; }

    public bool HasWildcards { get; }

    public bool HasCuts { get; }

    public int RecordCount { get; }

    public int NodeCount => _nodes.Count;

    /// <summary>
    /// How many recent changesets a snapshot remembers, so IXFR (even over UDP) can be answered
    /// from memory for secondaries that are only a little behind.
    /// </summary>
    public const int HistoryLength = 64;

    /// <summary>The changesets that led to this snapshot, oldest first; the last ends at <see cref="Serial"/>.</summary>
    public IReadOnlyList<Changeset> History { get; private init; } = [];

    /// <summary>
    /// The changesets from <paramref name="fromSerial"/> to this snapshot's serial if memory holds
    /// the whole chain; empty when already current; null when it does not reach back that far.
    /// </summary>
    public IReadOnlyList<Changeset>? ChangesSince(uint fromSerial)
    {
        if (fromSerial == Serial)
            return [];
        for (int i = History.Count - 1; i >= 0; i--)
        {
            if (History[i].FromSerial == fromSerial)
                return History.Skip(i).ToArray();
        }
        return null;
    }

    /// <summary>Every node, empty non-terminals included, in no particular order.</summary>
    public IEnumerable<ZoneNode> Nodes => _nodes.Values;

    /// <summary>The negative-caching TTL: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3, §5).</summary>
    public uint NegativeTtl => Math.Min(Soa.Ttl, Rdata.SoaMinimum(Soa.Data[0]));

    /// <summary>The node with exactly this (uncompressed wire) name, ignoring case; null when absent.</summary>
    public ZoneNode? Find(ReadOnlySpan<byte> name) => _lookup.TryGetValue(name, out var node) ? node : null;

    /// <summary>Records held in the compact address table rather than as nodes.</summary>
    public int CompactCount => _compact?.Count ?? 0;

    /// <summary>What a name is in the compact address table.</summary>
    public enum CompactMatch : byte
    {
        None,
        /// <summary>A full address with a PTR in the table.</summary>
        Ptr,
        /// <summary>A partial reverse name with table entries below it: an empty non-terminal (RFC 8020).</summary>
        EmptyNonTerminal,
    }

    /// <summary>Looks a name up in the compact address table (only for names that are not nodes).</summary>
    public CompactMatch FindCompact(ReadOnlySpan<byte> name, out uint ttl, Span<byte> target, out int targetLength)
    {
        ttl = 0;
        targetLength = 0;
        if (_compact is null || Reverse is null || !Reverse.TryRead(name, out var value, out int bits))
            return CompactMatch.None;
        int width = Reverse.Prefix.Network.BitLength;
        if (bits == width)
            return _compact.TryFind(value, out ttl, target, out targetLength) ? CompactMatch.Ptr : CompactMatch.None;
        UInt128 hostMask = bits == 0 ? UInt128.MaxValue >> (128 - width) : (((UInt128)1 << (width - bits)) - 1);
        return _compact.AnyInRange(value, value | hostMask) ? CompactMatch.EmptyNonTerminal : CompactMatch.None;
    }

    /// <summary>The RRset of a name and type wherever it is kept (nodes or the compact table); for the control plane.</summary>
    public RRset? GetRRset(ReadOnlySpan<byte> name, RecordType type)
    {
        var node = Find(name);
        if (node is not null)
            return node.Find(type);
        Span<byte> target = stackalloc byte[DnsName.MaxLength];
        if (type == RecordType.PTR && FindCompact(name, out uint ttl, target, out int length) == CompactMatch.Ptr)
            return new RRset(RecordType.PTR, ttl, [target[..length].ToArray()]);
        return null;
    }

    /// <summary>The node <c>*.parent</c> when the zone has one.</summary>
    public ZoneNode? FindWildcard(ZoneNode parent)
    {
        if (!HasWildcards)
            return null;
        Span<byte> name = stackalloc byte[DnsName.MaxLength + 2];
        if (parent.Name.Length + 2 > DnsName.MaxLength)
            return null;
        WildcardLabel.CopyTo(name);
        parent.Name.CopyTo(name[2..]);
        return Find(name[..(parent.Name.Length + 2)]);
    }

    /// <summary>Every record, SOA first, the rest grouped by node (AXFR order, RFC 5936 §2.2).</summary>
    public IEnumerable<ResourceRecord> Records()
    {
        var apexName = DnsName.FromWire(Apex.Name);
        yield return new ResourceRecord(apexName, RecordType.SOA, RecordClass.IN, Soa.Ttl, Soa.Data[0]);
        foreach (var node in _nodes.Values.OrderBy(n => DnsName.FromWire(n.Name)))
        {
            DnsName? owner = null;
            foreach (var set in node.Sets)
            {
                if (set.Type == RecordType.SOA && ReferenceEquals(node, Apex))
                    continue;
                owner ??= DnsName.FromWire(node.Name);
                foreach (var data in set.Data)
                    yield return new ResourceRecord(owner, set.Type, RecordClass.IN, set.Ttl, data);
            }
        }
        foreach (var (owner, ttl, target) in CompactRecords())
            yield return new ResourceRecord(DnsName.FromWire(owner), RecordType.PTR, RecordClass.IN, ttl, target);
    }

    /// <summary>The compact table's records: owner wire name, TTL, target wire name.</summary>
    public IEnumerable<(byte[] Owner, uint Ttl, byte[] Target)> CompactRecords()
    {
        if (_compact is null || Reverse is null)
            yield break;
        foreach (var (key, ttl, target) in _compact.Entries())
            yield return (Reverse.NameOf(key, Origin), ttl, target);
    }

    /// <summary>A new snapshot with <paramref name="changeset"/> applied (removals first, then additions).</summary>
    public ZoneSnapshot Apply(Changeset changeset)
    {
        var records = new List<ResourceRecord>(RecordCount + changeset.Added.Count);
        var removed = new HashSet<(DnsName, RecordType, string)>();
        foreach (var r in changeset.Removed)
            removed.Add(Key(r));
        foreach (var r in Records())
        {
            if (!removed.Contains(Key(r)))
                records.Add(r);
        }
        records.AddRange(changeset.Added);
        var next = Build(Origin, records);
        if (next.Serial != changeset.ToSerial || Serial != changeset.FromSerial)
            return next;
        var history = History.Count < HistoryLength ? History : History.Skip(History.Count - HistoryLength + 1);
        return next.WithHistory([.. history, changeset]);

        static (DnsName, RecordType, string) Key(ResourceRecord r) =>
            (r.Owner, r.Type, r.Type == RecordType.SOA ? "" : Convert.ToHexString(Canonical(r)));

        static byte[] Canonical(ResourceRecord r)
        {
            if (Rdata.NameLayout(r.Type).Names == 0)
                return r.Data;
            var lowered = (byte[])r.Data.Clone();
            WireName.LowerInPlace(lowered);
            return lowered;
        }
    }

    private ZoneSnapshot WithHistory(Changeset[] history) =>
        new(Origin, _nodes, Apex, Soa, HasWildcards, HasCuts, RecordCount, _compact) { History = history };

    /// <summary>
    /// Builds a snapshot, enforcing what a zone must be: every owner inside the origin, exactly one
    /// SOA at the apex, NS at the apex, no CNAME beside other data (RFC 1034 §3.6.2, RFC 2181 §10.1),
    /// class IN. Duplicate records collapse; an RRset takes the TTL of its first record (RFC 2181 §5.2).
    /// </summary>
    public static ZoneSnapshot Build(DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var sets = new Dictionary<byte[], Dictionary<RecordType, (uint Ttl, List<byte[]> Data)>>(NameKeyComparer.Instance);
        var names = new Dictionary<byte[], byte[]>(NameKeyComparer.Instance);
        int count = 0;
        // A reverse zone's PTRs at plain address names (nearly all its records) skip the
        // per-name dictionaries: they are gathered by address and sorted once.
        var info = Synthesis.ReverseZoneInfo.For(origin);
        int width = info?.Prefix.Network.BitLength ?? 0;
        var addressPtrs = info is null ? null : new List<(UInt128 Key, ResourceRecord Record)>();
        foreach (var r in records)
        {
            Validate(origin, r);
            if (addressPtrs is not null && r.Type == RecordType.PTR && info!.TryRead(r.Owner.Wire, out var value, out int bits) && bits == width)
            {
                addressPtrs.Add((value, r));
                continue;
            }
            count += AddToSets(sets, names, r);
        }

        // Addresses with one PTR become compact candidates; the rest join the general sets.
        var candidates = new List<(UInt128 Key, uint Ttl, byte[] Target, ResourceRecord Record)>();
        if (addressPtrs is { Count: > 0 })
        {
            addressPtrs.Sort((a, b) => a.Key.CompareTo(b.Key));
            for (int i = 0; i < addressPtrs.Count;)
            {
                int j = i + 1;
                while (j < addressPtrs.Count && addressPtrs[j].Key == addressPtrs[i].Key)
                    j++;
                bool single = true;
                for (int k = i + 1; k < j && single; k++)
                    single = Rdata.Equal(RecordType.PTR, addressPtrs[i].Record.Data, addressPtrs[k].Record.Data);
                if (single)
                {
                    var first = addressPtrs[i].Record;
                    candidates.Add((addressPtrs[i].Key, first.Ttl, first.Data, first));
                    count++;
                }
                else
                {
                    for (int k = i; k < j; k++)
                        count += AddToSets(sets, names, addressPtrs[k].Record);
                }
                i = j;
            }
        }

        var apexKey = origin.ToLowerWire();
        if (!sets.TryGetValue(apexKey, out var apexSets) || !apexSets.ContainsKey(RecordType.SOA))
            throw new ZoneDataException($"{origin}: the zone has no SOA record at its apex");
        if (!apexSets.ContainsKey(RecordType.NS))
            throw new ZoneDataException($"{origin}: the zone has no NS records at its apex");
        if (apexSets.ContainsKey(RecordType.CNAME))
            throw new ZoneDataException($"{origin}: CNAME is not allowed at the apex");

        var compact = Compact(origin, info, sets, names, candidates);

        var nodes = new Dictionary<byte[], ZoneNode>(sets.Count * 2, NameKeyComparer.Instance);
        bool hasWildcards = false;
        foreach (var (key, byType) in sets)
        {
            if (byType.ContainsKey(RecordType.CNAME) && byType.Count > 1)
                throw new ZoneDataException($"{DnsName.FromWire(names[key])}: CNAME and other data at the same name");
            if (byType.TryGetValue(RecordType.CNAME, out var cname) && cname.Data.Count > 1)
                throw new ZoneDataException($"{DnsName.FromWire(names[key])}: more than one CNAME record");
            var arr = byType.OrderBy(kv => (ushort)kv.Key)
                .Select(kv => new RRset(kv.Key, kv.Value.Ttl, [.. kv.Value.Data]))
                .ToArray();
            int labels = WireName.CountLabels(key);
            nodes[key] = new ZoneNode(names[key], labels, arr);
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
                nodes[key] = new ZoneNode(ancestor.ToArray(), labels - 1, null);
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

        var soa = apex.Find(RecordType.SOA)!;
        return new ZoneSnapshot(DnsName.FromWire(apex.Name), nodes, apex, soa, hasWildcards, hasCuts, count, compact);
    }

    private static void Validate(DnsName origin, ResourceRecord r)
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
    private static int AddToSets(Dictionary<byte[], Dictionary<RecordType, (uint Ttl, List<byte[]> Data)>> sets, Dictionary<byte[], byte[]> names, ResourceRecord r)
    {
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

    /// <summary>
    /// Builds the compact table from the address PTR candidates. A candidate qualifies when it is
    /// the only record of its name, is not below a zone cut, has no names below it, and the zone
    /// has no wildcards (a compact name could be the closest encloser of a wildcard match, RFC 4592
    /// §3.3.1, which the node walk must see); the others go back into <paramref name="sets"/>.
    /// </summary>
    private static CompactPtrTable? Compact(DnsName origin, Synthesis.ReverseZoneInfo? info,
        Dictionary<byte[], Dictionary<RecordType, (uint Ttl, List<byte[]> Data)>> sets, Dictionary<byte[], byte[]> names,
        List<(UInt128 Key, uint Ttl, byte[] Target, ResourceRecord Record)> candidates)
    {
        if (info is null || candidates.Count == 0)
            return null;
        int apexLabels = origin.LabelCount;
        var cuts = new HashSet<byte[]>(NameKeyComparer.Instance);
        bool wildcards = false;
        int fullLabels = candidates[0].Record.Owner.LabelCount;
        var deeper = new List<byte[]>();
        foreach (var (key, byType) in sets)
        {
            if (key.Length > 2 && key[0] == 1 && key[1] == (byte)'*')
                wildcards = true;
            int labels = WireName.CountLabels(key);
            if (byType.ContainsKey(RecordType.NS) && labels > apexLabels)
                cuts.Add(key);
            if (labels > fullLabels)
                deeper.Add(key.AsSpan(WireName.SkipLabels(key, labels - fullLabels)).ToArray());
        }
        var keep = new HashSet<byte[]>(deeper, NameKeyComparer.Instance);
        var entries = new List<(UInt128 Key, uint Ttl, byte[] Target)>(candidates.Count);
        var back = new List<ResourceRecord>();
        foreach (var c in candidates)
        {
            // A candidate stays a node when another record shares its name, when it lies below a
            // zone cut, when names exist below it, or when the zone has wildcards.
            var owner = c.Record.Owner.Wire;
            if (wildcards || sets.GetAlternateLookup<ReadOnlySpan<byte>>().ContainsKey(owner) ||
                (keep.Count > 0 && keep.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(owner)) ||
                (cuts.Count > 0 && BelowAny(c.Record.Owner.ToLowerWire(), cuts, apexLabels)))
            {
                back.Add(c.Record);
                continue;
            }
            entries.Add((c.Key, c.Ttl, c.Target));
        }
        var table = entries.Count == 0 ? null : CompactPtrTable.Build(info.Prefix.Family == Addressing.IpFamily.V4, entries);
        if (table is null)
        {
            foreach (var c in candidates)
                AddToSets(sets, names, c.Record);
            return null;
        }
        foreach (var r in back)
            AddToSets(sets, names, r);
        return table;
    }

    private static bool BelowAny(byte[] name, HashSet<byte[]> ancestors, int apexLabels)
    {
        var lookup = ancestors.GetAlternateLookup<ReadOnlySpan<byte>>();
        int labels = WireName.CountLabels(name);
        int pos = 0;
        for (int l = labels; l > apexLabels; l--)
        {
            if (lookup.Contains(name.AsSpan(pos)))
                return true;
            pos += 1 + name[pos];
        }
        return false;
    }
}
