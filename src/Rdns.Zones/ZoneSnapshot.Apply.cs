using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

public sealed partial class ZoneSnapshot
{
    /// <summary>
    /// A new snapshot with <paramref name="changeset"/> applied (removals first, then additions),
    /// enforcing the rules <see cref="Build"/> enforces. It costs what the change touches: the
    /// changed names and their ancestors are replaced in the node map, address PTRs go into the
    /// compact table's patch, and everything else is shared with this snapshot. Changes that move
    /// zone cuts or wildcards, and bulk changes (a re-import), build the zone afresh instead.
    /// </summary>
    public ZoneSnapshot Apply(Changeset changeset)
    {
        var next = TryPatch(changeset) ?? Rebuild(changeset);
        if (next.Serial != changeset.ToSerial || Serial != changeset.FromSerial)
            return next;
        return next.WithHistory(Remembered(History, changeset));
    }

    /// <summary>
    /// The changesets kept after <paramref name="changeset"/>: the newest ones, at most
    /// <see cref="HistoryLength"/> of them and <see cref="HistoryRecords"/> records in all. A change
    /// larger than that (a re-import, the catalog listing a hundred thousand new zones) is not
    /// kept in memory at all, nor anything before it: a secondary that far behind asks over TCP,
    /// and gets the store's journal.
    /// </summary>
    private static Changeset[] Remembered(IReadOnlyList<Changeset> history, Changeset changeset)
    {
        long records = changeset.Removed.Count + changeset.Added.Count;
        if (records > HistoryRecords)
            return [];
        int from = history.Count;
        while (from > 0 && history.Count - from < HistoryLength - 1)
        {
            var older = history[from - 1];
            records += older.Removed.Count + older.Added.Count;
            if (records > HistoryRecords)
                break;
            from--;
        }
        var kept = new Changeset[history.Count - from + 1];
        for (int i = from; i < history.Count; i++)
            kept[i - from] = history[i];
        kept[^1] = changeset;
        return kept;
    }

    private ZoneSnapshot WithHistory(Changeset[] history) =>
        new(Origin, NodeMap, Apex, Soa, HasWildcards, HasCuts, RecordCount, Compact, _layout) { History = history, HasDnames = HasDnames };

    /// <summary>True when address PTRs changed enough since the compact table was built that merging them in pays off.</summary>
    public bool NeedsCompaction => _compact?.NeedsMerge == true;

    /// <summary>
    /// This zone with the compact table's patch merged into a new table: it answers exactly as this
    /// snapshot does. Costs the whole table, so it runs in the background; the zone's current
    /// snapshot then takes the result through <see cref="WithCompaction"/>.
    /// </summary>
    public ZoneSnapshot Compacted() =>
        Compact is not { } compact ? this : new ZoneSnapshot(Origin, NodeMap, Apex, Soa, HasWildcards, HasCuts, RecordCount, compact.Merge(), _layout) { History = History, HasDnames = HasDnames, Expired = Expired };

    /// <summary>
    /// This snapshot (a later version of <paramref name="mergedFrom"/>) on the table
    /// <paramref name="merged"/> = <c>mergedFrom.Compacted()</c> holds, keeping the changes made
    /// since the merge began; null when this snapshot was rebuilt in between and the merge is moot.
    /// </summary>
    public ZoneSnapshot? WithCompaction(ZoneSnapshot mergedFrom, ZoneSnapshot merged)
    {
        if (Compact is not { } compact || mergedFrom.Compact is not { } from)
            return null;
        // A merge that left no entries keeps no table: rebased onto an empty one.
        var rebased = compact.Rebase(from.Table, from.LastSequence, merged.Compact ?? CompactPtrs.Empty(compact.Space));
        return rebased is null ? null : new ZoneSnapshot(Origin, NodeMap, Apex, Soa, HasWildcards, HasCuts, RecordCount, rebased, _layout) { History = History, HasDnames = HasDnames, Expired = Expired };
    }

    /// <summary>The whole zone rebuilt from its records with the change applied.</summary>
    private ZoneSnapshot Rebuild(Changeset changeset)
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
        return Build(Origin, records);

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

    /// <summary>The records a change removes and adds at one owner name.</summary>
    private sealed class OwnerEdit(DnsName owner)
    {
        public DnsName Owner { get; } = owner;
        public List<ResourceRecord> Removed { get; } = [];
        public List<ResourceRecord> Added { get; } = [];
    }

    private ZoneSnapshot? TryPatch(Changeset changeset)
    {
        var owners = new Dictionary<byte[], OwnerEdit>(NameKeyComparer.Instance);
        var lookup = owners.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (var r in changeset.Removed)
            EditOf(r).Removed.Add(r);
        foreach (var r in changeset.Added)
            EditOf(r).Added.Add(r);
        // A change of a large part of the zone (a re-import) is built afresh: cheaper, and simpler.
        if (owners.Count > Math.Max(64, RecordCount / 4))
            return null;
        foreach (var edit in owners.Values)
        {
            if (ChangesStructure(edit))
                return null;
        }
        var patch = new Patcher(this);
        foreach (var (key, edit) in owners)
            patch.Apply(key, edit);
        return patch.Finish();

        OwnerEdit EditOf(ResourceRecord r)
        {
            if (!lookup.TryGetValue(r.Owner.Wire, out var edit))
            {
                edit = new OwnerEdit(r.Owner);
                owners.Add(r.Owner.ToLowerWire(), edit);
            }
            return edit;
        }
    }

    /// <summary>
    /// Whether a change at this owner moves what the node map's shape depends on: a zone cut (NS
    /// below the apex, or anything at or below one), a wildcard, a DNAME, or a name outside the
    /// zone (which the full build reports). Such changes rebuild the zone.
    /// </summary>
    private bool ChangesStructure(OwnerEdit edit)
    {
        var owner = edit.Owner;
        if (!owner.IsSubdomainOf(Origin))
            return true;
        var wire = owner.Wire;
        if (wire.Length > 2 && wire[0] == 1 && wire[1] == (byte)'*')
            return true;
        bool apex = owner.LabelCount == Origin.LabelCount;
        foreach (var r in edit.Removed.Concat(edit.Added))
        {
            if ((r.Type == RecordType.NS && !apex) || r.Type == RecordType.DNAME)
                return true;
        }
        if (!HasCuts)
            return false;
        // The closest existing name at or above the owner tells whether it lies below a cut.
        int pos = 0;
        for (int labels = owner.LabelCount; labels > Origin.LabelCount; labels--)
        {
            var node = Find(wire[pos..]);
            if (node is not null)
                return node.Cut is not null;
            pos += 1 + wire[pos];
        }
        return false;
    }

    /// <summary>The state of one incremental apply: the node map and compact PTRs as they become.</summary>
    private sealed class Patcher(ZoneSnapshot zone)
    {
        private NameMap<ZoneNode> _nodes = zone.NodeMap;
        private CompactPtrs? _compact = zone.Compact;
        private int _count = zone.RecordCount;
        private readonly int _apexLabels = zone.Origin.LabelCount;

        /// <summary>
        /// The zone's layout; for a zone that is not a reverse zone and keeps none yet, that of
        /// catalog member names, kept by the result only if a member joins a compact table.
        /// </summary>
        private readonly Synthesis.ReverseZoneInfo? _layout = zone.Layout ?? Synthesis.ReverseZoneInfo.ForCatalogMembers(zone.Origin);

        public void Apply(byte[] key, OwnerEdit edit)
        {
            var owner = edit.Owner;
            var node = _nodes.Get(key);
            UInt128 address = 0;
            var layout = _layout;
            bool isAddress = layout is not null && layout.TryRead(owner.Wire, out address, out int bits) && bits == layout.Width;
            bool inCompact = node is null && isAddress && _compact is not null && _compact.Contains(address);

            var sets = new List<(RecordType Type, uint Ttl, List<byte[]> Data)>();
            if (node is not null)
            {
                foreach (var set in node.Sets)
                    sets.Add((set.Type, set.Ttl, [.. set.Data]));
            }
            else if (inCompact)
            {
                Span<byte> target = stackalloc byte[DnsName.MaxLength];
                _compact!.TryFind(address, out uint ttl, target, out int length);
                sets.Add((RecordType.PTR, ttl, [target[..length].ToArray()]));
            }

            foreach (var r in edit.Removed)
            {
                int i = sets.FindIndex(s => s.Type == r.Type);
                if (i < 0)
                    continue;
                var data = sets[i].Data;
                if (r.Type == RecordType.SOA)
                {
                    _count -= data.Count;
                    sets.RemoveAt(i);
                    continue;
                }
                int j = data.FindIndex(d => Rdata.Equal(r.Type, d, r.Data));
                if (j < 0)
                    continue;
                data.RemoveAt(j);
                _count--;
                if (data.Count == 0)
                    sets.RemoveAt(i);
            }
            foreach (var r in edit.Added)
            {
                ZoneSnapshotBuilder.Validate(zone.Origin, r);
                int i = sets.FindIndex(s => s.Type == r.Type);
                if (i < 0)
                {
                    sets.Add((r.Type, r.Ttl, [r.Data]));
                    _count++;
                    continue;
                }
                if (r.Type == RecordType.SOA)
                    throw new ZoneDataException($"{r.Owner}: more than one SOA record");
                var data = sets[i].Data;
                if (!data.Exists(d => Rdata.Equal(r.Type, d, r.Data)))
                {
                    data.Add(r.Data);
                    _count++;
                }
            }

            // RFC 1034 §3.6.2, RFC 2181 §10.1: a CNAME stands alone.
            int cname = sets.FindIndex(s => s.Type == RecordType.CNAME);
            if (cname >= 0)
            {
                if (owner.LabelCount == _apexLabels)
                    throw new ZoneDataException($"{zone.Origin}: CNAME is not allowed at the apex");
                if (sets.Count > 1)
                    throw new ZoneDataException($"{owner}: CNAME and other data at the same name");
                if (sets[cname].Data.Count > 1)
                    throw new ZoneDataException($"{owner}: more than one CNAME record");
            }

            bool single = sets.Count == 1 && sets[0].Type == RecordType.PTR && sets[0].Data.Count == 1;
            if (node is not null)
            {
                if (sets.Count > 0)
                    _nodes = _nodes.SetItem(key, node.WithSets(ToRRsets(sets)));
                else if (node.Children > 0 || owner.LabelCount == _apexLabels)
                    _nodes = _nodes.SetItem(key, node.WithSets([]));
                else
                    RemoveNode(key, node);
                return;
            }
            if (inCompact)
            {
                if (single)
                {
                    _compact = _compact!.With(address, sets[0].Ttl, sets[0].Data[0]);
                    return;
                }
                _compact = _compact!.With(address, 0, null);
            }
            if (sets.Count == 0)
                return;
            // A new name: an address with one PTR joins the compact table (as the build would put
            // it), anything else becomes a node.
            if (single && isAddress && !zone.HasWildcards && !zone.HasDnames && layout!.IsCanonical(address, owner.Wire, zone.Origin.Wire))
            {
                _compact ??= CompactPtrs.Empty(AddressSpace.Of(layout));
                _compact = _compact.With(address, sets[0].Ttl, sets[0].Data[0]);
                return;
            }
            AddNode(key, owner.Wire.SequenceEqual(key) ? key : owner.Wire.ToArray(), owner.LabelCount, ToRRsets(sets));
        }

        private static RRset[] ToRRsets(List<(RecordType Type, uint Ttl, List<byte[]> Data)> sets) =>
            sets.OrderBy(s => (ushort)s.Type).Select(s => new RRset(s.Type, s.Ttl, [.. s.Data])).ToArray();

        /// <summary>Adds a node and links it to its parent, creating empty non-terminals up to the first existing ancestor (RFC 8020).</summary>
        private void AddNode(byte[] key, byte[] name, int labels, RRset[] sets)
        {
            _nodes = _nodes.SetItem(key, new ZoneNode(name, labels, sets));
            Span<byte> target = stackalloc byte[DnsName.MaxLength];
            while (labels > _apexLabels)
            {
                var parentKey = key.AsSpan(1 + key[0]);
                var parent = _nodes.Get(parentKey);
                if (parent is not null)
                {
                    _nodes = _nodes.SetItem(parentKey.ToArray(), parent.WithChildren(parent.Children + 1));
                    return;
                }
                var parentName = name.AsSpan(1 + name[0]).ToArray();
                RRset[]? parentSets = null;
                // An address held in the compact table gains a name below it: it becomes a node,
                // since a name is in the table or the map, never both.
                if (_compact is not null && _layout!.TryRead(parentName, out var address, out int bits) && bits == _layout.Width)
                {
                    if (_compact.TryFind(address, out uint ttl, target, out int length))
                    {
                        parentSets = [new RRset(RecordType.PTR, ttl, [target[..length].ToArray()])];
                        _compact = _compact.With(address, 0, null);
                    }
                }
                key = parentKey.ToArray();
                name = parentName.AsSpan().SequenceEqual(key) ? key : parentName;
                labels--;
                _nodes = _nodes.SetItem(key, new ZoneNode(name, labels, parentSets) { Children = 1 });
            }
        }

        /// <summary>Removes a node with nothing below it, and every empty non-terminal above it left with nothing below.</summary>
        private void RemoveNode(byte[] key, ZoneNode node)
        {
            _nodes = _nodes.Remove(key);
            int labels = node.LabelCount;
            ReadOnlySpan<byte> child = key;
            while (labels > _apexLabels)
            {
                var parentKey = child[(1 + child[0])..];
                var parent = _nodes.Get(parentKey);
                if (parent is null)
                    return;
                labels--;
                if (parent.Children == 1 && parent.IsEmptyNonTerminal && labels > _apexLabels)
                {
                    _nodes = _nodes.Remove(parentKey);
                    child = parentKey;
                    continue;
                }
                _nodes = _nodes.SetItem(parentKey.ToArray(), parent.WithChildren(parent.Children - 1));
                return;
            }
        }

        public ZoneSnapshot Finish()
        {
            var apex = _nodes.Get(zone.Origin.Wire) ?? throw new ZoneDataException($"{zone.Origin}: the zone has no SOA record at its apex");
            var soa = apex.Find(RecordType.SOA) ?? throw new ZoneDataException($"{zone.Origin}: the zone has no SOA record at its apex");
            if (apex.Find(RecordType.NS) is null)
                throw new ZoneDataException($"{zone.Origin}: the zone has no NS records at its apex");
            // A layout of member names made here is kept only when a table now uses it.
            var layout = zone.Layout ?? (_compact is null ? null : _layout);
            return new ZoneSnapshot(zone.Origin, _nodes, apex, soa, zone.HasWildcards, zone.HasCuts, _count, _compact, layout) { HasDnames = zone.HasDnames };
        }
    }
}
