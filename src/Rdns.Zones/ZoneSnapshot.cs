using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>Why a set of records cannot be a zone; the message names the record and the rule.</summary>
public sealed class ZoneDataException(string message) : Exception(message);

/// <summary>
/// An immutable zone: every node by name, ready for lookups. A change never edits a snapshot; it
/// makes the next one (<see cref="Apply"/>), which shares everything the change did not touch, and
/// is swapped in whole while readers finish with the old one.
/// </summary>
public sealed partial class ZoneSnapshot
{
    private static readonly byte[] WildcardLabel = [1, (byte)'*'];

    /// <summary>Every node by name; null when the apex is the only one (most small reverse zones), which is then found by comparing names.</summary>
    private readonly NameMap<ZoneNode>? _nodes;

    /// <summary>The compact address PTRs when a patch lies over their table; null otherwise.</summary>
    private readonly CompactPtrs? _compact;

    /// <summary>
    /// The compact table itself when nothing is patched over it (the usual case): a query reads it
    /// here, one object fewer to wait on, and no <see cref="CompactPtrs"/> is kept per zone for it
    /// (<see cref="Compact"/> makes one when a change or a transfer needs it).
    /// </summary>
    private readonly CompactPtrTable? _unpatched;

    /// <summary>
    /// How the compact table's names spell its keys: a reverse zone's addresses (then also
    /// <see cref="Reverse"/>), or a catalog zone's member names (only while it holds a table, see
    /// <see cref="Synthesis.ReverseZoneInfo.ForCatalogMembers"/>); null otherwise.
    /// </summary>
    private readonly Synthesis.ReverseZoneInfo? _layout;

    private ZoneSnapshot(DnsName origin, NameMap<ZoneNode> nodes, ZoneNode apex, RRset soa, bool hasWildcards, bool hasCuts, int recordCount, CompactPtrs? compact,
        Synthesis.ReverseZoneInfo? layout)
    {
        _unpatched = compact is { PatchCount: 0 } ? compact.Table : null;
        // Unpatched, the table stands alone; unpatched and empty, there is nothing to keep.
        _compact = compact is { PatchCount: > 0 } ? compact : null;
        Origin = origin;
        _nodes = nodes.Count == 1 && ReferenceEquals(nodes.Get(apex.Name), apex) ? null : nodes;
        Apex = apex;
        Soa = soa;
        HasWildcards = hasWildcards;
        HasCuts = hasCuts;
        RecordCount = recordCount;
        _layout = layout;
    }

    /// <summary>For a reverse zone, the addresses it covers and how its names spell them; else null.</summary>
    public Synthesis.ReverseZoneInfo? Reverse => _layout is { IsReverse: true } layout ? layout : null;

    /// <summary>How the compact table's names spell its keys (see <see cref="_layout"/>).</summary>
    internal Synthesis.ReverseZoneInfo? Layout => _layout;

    public DnsName Origin { get; }

    /// <summary>Whether a locally served zone lies below the apex: 0 not yet asked, 1 none, 2 one does (see <see cref="NoLocallyServedZoneBelow"/>).</summary>
    private byte _locallyServedBelow;

    /// <summary>
    /// True when none of <see cref="LocallyServedZones.All"/> (RFC 6303, RFC 7793) lies below this
    /// zone's apex, so no set of them changes its answers: found on the first question and kept,
    /// as neither the apex nor the list ever changes.
    /// </summary>
    internal bool NoLocallyServedZoneBelow
    {
        get
        {
            byte known = _locallyServedBelow;
            if (known == 0)
                _locallyServedBelow = known = LocallyServedZones.All.HasZoneBelow(Origin.Wire) ? (byte)2 : (byte)1;
            return known == 1;
        }
    }

    /// <summary>
    /// The origin in lower-case wire form, as maps of zones are keyed: the apex node's own name when
    /// that is lower case already (as the origin is made over it, one array serves all three).
    /// </summary>
    internal byte[] OriginKey => Apex.Name.AsSpan().ContainsAnyInRange((byte)'A', (byte)'Z') ? Origin.ToLowerWire() : Apex.Name;

    public ZoneNode Apex { get; }

    public RRset Soa { get; }

    public uint Serial => Rdata.SoaSerial(Soa.Data[0]);

    public bool HasWildcards { get; }

    public bool HasCuts { get; }

    /// <summary>Some name holds a DNAME (RFC 6672): lookups check the names above the one asked for.</summary>
    public bool HasDnames { get; private init; }

    public int RecordCount { get; }

    public int NodeCount => _nodes?.Count ?? 1;

    /// <summary>The node map, made for a zone of the apex alone (for a change or a rebuilt snapshot).</summary>
    private NameMap<ZoneNode> NodeMap => _nodes ?? NameMap<ZoneNode>.Empty.SetItem(OriginKey, Apex);

    /// <summary>
    /// A secondary's copy that has not been refreshed from its primary for longer than the SOA
    /// EXPIRE: no longer authoritative (RFC 1034 §4.3.5), so queries get SERVFAIL and transfers
    /// are refused until a refresh succeeds. The data stays, ready to be served again.
    /// </summary>
    public bool Expired { get; private init; }

    /// <summary>The compact address PTRs, patched or not; null when the zone has none.</summary>
    private CompactPtrs? Compact => _compact ?? (_unpatched is { } table ? CompactPtrs.Of(table, table.Space) : null);

    /// <summary>This snapshot marked expired (or fresh again); everything else shared.</summary>
    public ZoneSnapshot WithExpired(bool expired) =>
        expired == Expired ? this : new(Origin, NodeMap, Apex, Soa, HasWildcards, HasCuts, RecordCount, Compact, _layout) { History = History, HasDnames = HasDnames, Expired = expired };

    /// <summary>
    /// How many recent changesets a snapshot remembers, so IXFR (even over UDP) can be answered
    /// from memory for secondaries that are only a little behind.
    /// </summary>
    public const int HistoryLength = 64;

    /// <summary>
    /// How many records (removed and added) the remembered changesets may hold in all: a few
    /// hundred kilobytes per zone at most, where a large change kept whole would hold every record
    /// it touched as objects for as long as the zone lives.
    /// </summary>
    public const int HistoryRecords = 4096;

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
    public IEnumerable<ZoneNode> Nodes => _nodes?.Values ?? [Apex];

    /// <summary>The compact table when nothing is patched over it; whether the zone has compact records at all.</summary>
    internal (CompactPtrTable? Table, bool HasCompact) CompactState => (_unpatched, CompactCount > 0);

    /// <summary>Address PTRs changed since the compact table was last built (merged away in the background).</summary>
    public int CompactPatchCount => _compact?.PatchCount ?? 0;

    /// <summary>The negative-caching TTL: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3, §5).</summary>
    public uint NegativeTtl => Math.Min(Soa.Ttl, Rdata.SoaMinimum(Soa.Data[0]));

    /// <summary>The node with exactly this (uncompressed wire) name, ignoring case; null when absent.</summary>
    public ZoneNode? Find(ReadOnlySpan<byte> name)
    {
        if (_nodes is { } nodes)
            return nodes.TryGetValue(name, out var node) ? node : null;
        return WireName.EqualsIgnoreCase(name, Apex.Name) ? Apex : null;
    }

    /// <summary>Records held in the compact address table rather than as nodes.</summary>
    public int CompactCount => _unpatched?.Count ?? _compact?.Count ?? 0;

    /// <summary>Octets of the compact address table's own arrays (the suffixes its targets share are counted once, in <see cref="SharedSuffixBytes"/>).</summary>
    public long CompactBytes => (_unpatched ?? _compact?.Table)?.Bytes ?? 0;

    /// <summary>Octets of the process's one table of PTR target suffixes, shared by every zone.</summary>
    public static long SharedSuffixBytes => TargetSuffixes.Bytes;

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
    public CompactMatch FindCompact(ReadOnlySpan<byte> name, out uint ttl, Span<byte> target, out int targetLength) =>
        FindCompact(name, out ttl, target, out targetLength, default);

    /// <summary>As <see cref="FindCompact(ReadOnlySpan{byte}, out uint, Span{byte}, out int)"/>, taking the key <paramref name="prefetched"/> read from the name for this zone rather than reading it again.</summary>
    internal CompactMatch FindCompact(ReadOnlySpan<byte> name, out uint ttl, Span<byte> target, out int targetLength, in PrefetchedQuery prefetched)
    {
        ttl = 0;
        targetLength = 0;
        var layout = _layout;
        if ((_unpatched is null && _compact is null) || layout is null)
            return CompactMatch.None;
        int width = layout.Width;
        int bits;
        if (prefetched.TryKeyIn(this, name.Length, out var value, out int entry))
        {
            // Found among the table's entries already: its TTL and target are read at once.
            if (_unpatched is { } found && entry >= 0)
            {
                ttl = found.TtlAt(entry);
                targetLength = found.Target(entry, target);
                return CompactMatch.Ptr;
            }
            bits = width;
        }
        else if (!layout.TryRead(name, out value, out bits))
            return CompactMatch.None;
        if (bits == width)
        {
            bool found = _unpatched is { } table
                ? table.TryFind(value, out ttl, target, out targetLength)
                : _compact!.TryFind(value, out ttl, target, out targetLength);
            return found ? CompactMatch.Ptr : CompactMatch.None;
        }
        UInt128 hostMask = bits == 0 ? UInt128.MaxValue >> (128 - width) : (((UInt128)1 << (width - bits)) - 1);
        bool any = _unpatched is { } unpatched ? unpatched.AnyInRange(value, value | hostMask) : _compact!.AnyInRange(value, value | hostMask);
        return any ? CompactMatch.EmptyNonTerminal : CompactMatch.None;
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

    /// <summary>The types that have an RRset at a name, wherever it is kept.</summary>
    public IReadOnlyList<RecordType> TypesAt(ReadOnlySpan<byte> name)
    {
        var node = Find(name);
        if (node is not null)
            return node.Sets.Select(s => s.Type).ToArray();
        return GetRRset(name, RecordType.PTR) is null ? [] : [RecordType.PTR];
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
        foreach (var node in Nodes.OrderBy(n => DnsName.FromWire(n.Name)))
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

    /// <summary>
    /// Every RRset of <paramref name="type"/> with its owner (wire form, case as stored), wherever
    /// it is kept: nodes first, in no particular order, then the compact table's PTRs in key order
    /// (one record each). For the control plane (a catalog's members, say), not for queries.
    /// </summary>
    public IEnumerable<(byte[] Owner, RRset Set)> RRsetsOf(RecordType type)
    {
        foreach (var node in Nodes)
        {
            if (node.Find(type) is { } set)
                yield return (node.Name, set);
        }
        if (type != RecordType.PTR)
            yield break;
        foreach (var (owner, ttl, target) in CompactRecords())
            yield return (owner, new RRset(RecordType.PTR, ttl, [target]));
    }

    /// <summary>The compact table's records read one at a time into caller buffers (for transfers).</summary>
    public CompactRecordCursor OpenCompactRecords() => new(Compact, _layout, Origin);

    /// <summary>The compact table's records: owner wire name, TTL, target wire name.</summary>
    public IEnumerable<(byte[] Owner, uint Ttl, byte[] Target)> CompactRecords()
    {
        if (Compact is not { } compact || _layout is not { } layout)
            yield break;
        foreach (var (key, ttl, target) in compact.Entries())
            yield return (layout.NameOf(key, Origin), ttl, target);
    }

    /// <summary>
    /// Builds a snapshot, enforcing what a zone must be: every owner inside the origin, exactly one
    /// SOA at the apex, NS at the apex, no CNAME beside other data (RFC 1034 §3.6.2, RFC 2181 §10.1),
    /// class IN. Duplicate records collapse; an RRset takes the TTL of its first record (RFC 2181 §5.2).
    /// </summary>
    public static ZoneSnapshot Build(DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var builder = new ZoneSnapshotBuilder(origin);
        if (records is ZoneRows rows)
        {
            // Straight from the octets: nothing is made per address PTR.
            for (int i = 0; i < rows.Count; i++)
                builder.Add(rows.Owner(i), rows.Type(i), rows.Class(i), rows.Ttl(i), rows.Data(i));
        }
        else
        {
            foreach (var r in records)
                builder.Add(r);
        }
        return builder.Build();
    }

    internal static ZoneSnapshot Create(DnsName origin, NameMap<ZoneNode> nodes, ZoneNode apex, RRset soa, bool hasWildcards, bool hasCuts, bool hasDnames, int recordCount, CompactPtrs? compact,
        Synthesis.ReverseZoneInfo? layout, RowSource? row = null) =>
        new(origin, nodes, apex, soa, hasWildcards, hasCuts, recordCount, compact, layout) { HasDnames = hasDnames, Row = row };

    /// <summary>The row of <see cref="SmallZones"/> a snapshot was made from.</summary>
    internal sealed record RowSource(SmallZones Rows, int Row);

    /// <summary>The row this snapshot was made from, when the zone set keeps the zone as a row; null otherwise.</summary>
    internal RowSource? Row { get; private init; }

    /// <summary>
    /// Whether <paramref name="a"/> and <paramref name="b"/> are the same version of a zone: the
    /// same snapshot, or two made from the same row (a zone kept as a row is made into a new
    /// snapshot each time it is asked for).
    /// </summary>
    public static bool Same(ZoneSnapshot? a, ZoneSnapshot? b) =>
        ReferenceEquals(a, b) || (a?.Row is { } x && b?.Row is { } y && x.Row == y.Row && x.Rows.SameTable(y.Rows));
}
