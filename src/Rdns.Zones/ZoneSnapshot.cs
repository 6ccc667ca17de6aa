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

    private ZoneSnapshot(DnsName origin, Dictionary<byte[], ZoneNode> nodes, ZoneNode apex, RRset soa, bool hasWildcards, bool hasCuts, int recordCount)
    {
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
        new(Origin, _nodes, Apex, Soa, HasWildcards, HasCuts, RecordCount) { History = history };

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
        foreach (var r in records)
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
            bool duplicate = false;
            foreach (var existing in set.Data)
            {
                if (Rdata.Equal(r.Type, existing, r.Data))
                {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate)
            {
                set.Data.Add(r.Data);
                count++;
            }
        }

        var apexKey = origin.ToLowerWire();
        if (!sets.TryGetValue(apexKey, out var apexSets) || !apexSets.ContainsKey(RecordType.SOA))
            throw new ZoneDataException($"{origin}: the zone has no SOA record at its apex");
        if (!apexSets.ContainsKey(RecordType.NS))
            throw new ZoneDataException($"{origin}: the zone has no NS records at its apex");
        if (apexSets.ContainsKey(RecordType.CNAME))
            throw new ZoneDataException($"{origin}: CNAME is not allowed at the apex");

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
        return new ZoneSnapshot(DnsName.FromWire(apex.Name), nodes, apex, soa, hasWildcards, hasCuts, count);
    }
}
