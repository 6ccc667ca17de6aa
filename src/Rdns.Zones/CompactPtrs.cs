using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;

namespace Rdns.Zones;

/// <summary>
/// A zone's address PTRs as a bulk-built <see cref="CompactPtrTable"/> plus a small sorted patch of
/// what changed since (new targets, and removals), so a change costs a copy of the patch, not of
/// the table. Lookups ask the patch first, then the table; both are immutable, so readers never
/// lock and nothing is allocated. When the patch grows past <see cref="MergeThreshold"/> a
/// background task merges it into a new table (<see cref="Merge"/>) and the zone is rebased on it
/// (<see cref="Rebase"/>), keeping what changed during the merge.
/// </summary>
internal sealed class CompactPtrs
{
    private readonly CompactPtrTable? _table;
    private readonly Patch _patch;
    private readonly AddressSpace _space;

    private CompactPtrs(CompactPtrTable? table, Patch patch, AddressSpace space, int count)
    {
        _table = table;
        _patch = patch;
        _space = space;
        Count = count;
    }

    public static CompactPtrs Of(CompactPtrTable table, AddressSpace space) => new(table, Patch.Empty, space, table.Count);

    public static CompactPtrs Empty(AddressSpace space) => new(null, Patch.Empty, space, 0);

    public int Count { get; }

    public AddressSpace Space => _space;

    public int PatchCount => _patch.Count;

    /// <summary>
    /// Past this many patched entries a merge pays off: a quarter of the table (so merging costs
    /// little per change), at least 256 (a small zone is cheaper to patch than to merge over and
    /// over) and at most 4,096 (so a change never copies more than about 150 KiB of patch, and
    /// lookups binary-search a short array).
    /// </summary>
    public int MergeThreshold => Math.Clamp((_table?.Count ?? 0) / 4, 256, 4096);

    public bool NeedsMerge => _patch.Count > MergeThreshold;

    /// <summary>The table this was built on: a rebase is only valid onto a merge of the same one.</summary>
    public CompactPtrTable? Table => _table;

    public long LastSequence => _patch.LastSequence;

    public bool TryFind(UInt128 key, out uint ttl, Span<byte> target, out int targetLength)
    {
        int i = _patch.IndexOf(key);
        if (i >= 0)
        {
            var t = _patch.Targets[i];
            if (t is null)
            {
                ttl = 0;
                targetLength = 0;
                return false;
            }
            ttl = _patch.Ttls[i];
            t.CopyTo(target);
            targetLength = t.Length;
            return true;
        }
        if (_table is not null)
            return _table.TryFind(key, out ttl, target, out targetLength);
        ttl = 0;
        targetLength = 0;
        return false;
    }

    public bool Contains(UInt128 key)
    {
        int i = _patch.IndexOf(key);
        if (i >= 0)
            return _patch.Targets[i] is not null;
        return _table is not null && _table.IndexOf(key) >= 0;
    }

    /// <summary>True when some live key lies in [<paramref name="low"/>, <paramref name="high"/>] (an empty non-terminal above them exists).</summary>
    public bool AnyInRange(UInt128 low, UInt128 high)
    {
        if (_patch.AnyLiveInRange(low, high))
            return true;
        if (_table is null)
            return false;
        // Table keys in the range count unless the patch removed them; that skips at most as many
        // keys as the patch holds.
        for (int i = _table.LowerBound(low); i < _table.Count; i++)
        {
            var key = _table.KeyAt(i);
            if (key > high)
                return false;
            int p = _patch.IndexOf(key);
            if (p < 0 || _patch.Targets[p] is not null)
                return true;
        }
        return false;
    }

    /// <summary>This with <paramref name="key"/> pointing to <paramref name="target"/> (null removes it).</summary>
    public CompactPtrs With(UInt128 key, uint ttl, byte[]? target)
    {
        bool had = Contains(key);
        var patch = _patch.With(key, ttl, target);
        int count = Count + (target is null ? (had ? -1 : 0) : (had ? 0 : 1));
        return new CompactPtrs(_table, patch, _space, count);
    }

    /// <summary>Every live entry in key order, the patch applied.</summary>
    public IEnumerable<(UInt128 Key, uint Ttl, byte[] Target)> Entries()
    {
        var target = new byte[DnsName.MaxLength];
        int tableAt = 0, patchAt = 0, next = -1, nextAt = 0;
        while (Next(ref tableAt, ref patchAt, ref next, ref nextAt, target, out var key, out uint ttl, out int length, out _, out _))
            yield return (key, ttl, target.AsSpan(0, length).ToArray());
    }

    /// <summary>
    /// The next live entry in key order after the positions <paramref name="tableAt"/> and
    /// <paramref name="patchAt"/> (both start at 0 and are advanced): its key, TTL and target,
    /// written into <paramref name="target"/>. False at the end. Allocates nothing.
    /// </summary>
    public bool Next(ref int tableAt, ref int patchAt, Span<byte> target, out UInt128 key, out uint ttl, out int length)
    {
        int next = -1, nextAt = 0;
        return Next(ref tableAt, ref patchAt, ref next, ref nextAt, target, out key, out ttl, out length, out _, out _);
    }

    /// <summary>
    /// As the other <c>Next</c>, and for a target read from the table, where its stored suffix
    /// begins in it and the suffix's number in <see cref="TargetSuffixes"/> (-1 for a patched entry).
    /// <paramref name="next"/> and <paramref name="nextAt"/> (-1 and 0 at first) keep where the
    /// table's next target begins (see <see cref="CompactPtrTable.Target(int, Span{byte}, ref int, ref int, out int, out int)"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Next(ref int tableAt, ref int patchAt, ref int next, ref int nextAt, Span<byte> target, out UInt128 key, out uint ttl, out int length, out int suffixAt, out int suffixId)
    {
        suffixAt = 0;
        suffixId = -1;
        var patch = _patch;
        while (true)
        {
            bool inTable = _table is not null && tableAt < _table.Count;
            bool inPatch = patchAt < patch.Count;
            if (!inTable && !inPatch)
            {
                key = 0;
                ttl = 0;
                length = 0;
                return false;
            }
            var tableKey = inTable ? _table!.KeyAt(tableAt) : UInt128.MaxValue;
            if (inPatch && (!inTable || patch.Keys[patchAt] <= tableKey))
            {
                key = patch.Keys[patchAt];
                var changed = patch.Targets[patchAt];
                ttl = patch.Ttls[patchAt];
                patchAt++;
                if (inTable && key == tableKey)
                    tableAt++;
                if (changed is null)
                    continue;
                changed.CopyTo(target);
                length = changed.Length;
                return true;
            }
            key = tableKey;
            ttl = _table!.TtlAt(tableAt);
            length = _table.Target(tableAt, target, ref next, ref nextAt, out suffixAt, out suffixId);
            tableAt++;
            return true;
        }
    }

    /// <summary>A new table holding every live entry, and no patch (O(entries); run off the write path).</summary>
    public CompactPtrs Merge()
    {
        var entries = new List<(UInt128 Key, uint Ttl, int Offset, int Length)>(Count);
        var arena = new MemoryStream();
        foreach (var (key, ttl, target) in Entries())
        {
            entries.Add((key, ttl, (int)arena.Length, target.Length));
            arena.Write(target);
        }
        if (entries.Count == 0)
            return new CompactPtrs(null, Patch.Empty, _space, 0);
        var table = CompactPtrTable.Build(_space, entries, arena.GetBuffer());
        // More distinct TTLs than the table can index: stay patched rather than lose entries.
        return table is null ? this : new CompactPtrs(table, Patch.Empty, _space, table.Count);
    }

    /// <summary>
    /// This (a later version of what <paramref name="merged"/> was merged from, at patch sequence
    /// <paramref name="mergedUpTo"/>) on the merged table: the patch keeps only what changed after
    /// the merge began. Null when this is no longer built on the table the merge started from.
    /// </summary>
    public CompactPtrs? Rebase(CompactPtrTable? mergedFrom, long mergedUpTo, CompactPtrs merged)
    {
        if (!ReferenceEquals(_table, mergedFrom) || merged.PatchCount != 0)
            return null;
        return new CompactPtrs(merged._table, _patch.Since(mergedUpTo), _space, Count);
    }

    /// <summary>The sorted changes: a null target is a removal. Copied whole on change; it stays small.</summary>
    private sealed class Patch(UInt128[] keys, uint[] ttls, byte[]?[] targets, long[] sequences, long lastSequence)
    {
        public static readonly Patch Empty = new([], [], [], [], 0);

        public readonly UInt128[] Keys = keys;
        public readonly uint[] Ttls = ttls;
        public readonly byte[]?[] Targets = targets;
        public readonly long[] Sequences = sequences;
        public readonly long LastSequence = lastSequence;

        public int Count => Keys.Length;

        public int IndexOf(UInt128 key) => Keys.Length == 0 ? -1 : Keys.AsSpan().BinarySearch(key);

        public bool AnyLiveInRange(UInt128 low, UInt128 high)
        {
            if (Keys.Length == 0)
                return false;
            int i = IndexOf(low);
            if (i < 0)
                i = ~i;
            for (; i < Keys.Length && Keys[i] <= high; i++)
            {
                if (Targets[i] is not null)
                    return true;
            }
            return false;
        }

        public Patch With(UInt128 key, uint ttl, byte[]? target)
        {
            long sequence = LastSequence + 1;
            int i = IndexOf(key);
            if (i >= 0)
            {
                var ttls = (uint[])Ttls.Clone();
                var targets = (byte[]?[])Targets.Clone();
                var sequences = (long[])Sequences.Clone();
                ttls[i] = ttl;
                targets[i] = target;
                sequences[i] = sequence;
                return new Patch(Keys, ttls, targets, sequences, sequence);
            }
            int at = ~i;
            return new Patch(Insert(Keys, at, key), Insert(Ttls, at, ttl), Insert(Targets, at, target), Insert(Sequences, at, sequence), sequence);
        }

        /// <summary>Only the entries changed after <paramref name="sequence"/>.</summary>
        public Patch Since(long sequence)
        {
            int n = 0;
            foreach (var s in Sequences)
            {
                if (s > sequence)
                    n++;
            }
            var keys = new UInt128[n];
            var ttls = new uint[n];
            var targets = new byte[]?[n];
            var sequences = new long[n];
            int j = 0;
            for (int i = 0; i < Keys.Length; i++)
            {
                if (Sequences[i] <= sequence)
                    continue;
                keys[j] = Keys[i];
                ttls[j] = Ttls[i];
                targets[j] = Targets[i];
                sequences[j++] = Sequences[i];
            }
            return new Patch(keys, ttls, targets, sequences, LastSequence);
        }

        private static TItem[] Insert<TItem>(TItem[] items, int at, TItem item)
        {
            var copy = new TItem[items.Length + 1];
            Array.Copy(items, copy, at);
            copy[at] = item;
            Array.Copy(items, at, copy, at + 1, items.Length - at);
            return copy;
        }
    }

    /// <summary>Octets needed for the longest target (a wire name).</summary>
    public const int MaxTarget = DnsName.MaxLength;
}
