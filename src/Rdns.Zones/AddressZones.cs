using System.Numerics;
using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;

namespace Rdns.Zones;

/// <summary>
/// The reverse zones of a <see cref="ZoneSet"/> found by address instead of by name: a query name
/// under <c>in-addr.arpa.</c> or <c>ip6.arpa.</c> is read as the address its labels spell (the
/// canonical octets or nibbles from the top), and the zone is the longest prefix of it that is a
/// zone, looked up in one open-addressing table: one or two cache lines per lookup, where hashing
/// each suffix of the name and walking the trie of <see cref="NameMap{T}"/> waits on memory at
/// every level (most with a hundred thousand zones).
/// <para>
/// Only zones whose every label below the suffix is a canonical octet or nibble ("pure" zones:
/// <c>3.2.1.in-addr.arpa.</c>, <c>8.b.d.0.1.0.0.2.ip6.arpa.</c>) are in the table. A zone with
/// any other label there (an RFC 2317 child such as <c>0-25.3.2.1.in-addr.arpa.</c>) leaves a
/// marker at the address its pure labels spell; a name whose address passes a marker before a
/// zone is found is answered by name, as is everything outside the two reverse trees, a name no
/// zone of the table holds, and every name when a zone above the trees (<c>arpa.</c>, the root)
/// is hosted. So the result is always the zone <see cref="ZoneSet.FindZone(ReadOnlySpan{byte})"/>
/// finds by name.
/// </para>
/// <para>
/// Immutable like the set. A change puts the changed zones in a small sorted overlay (what a
/// change copies), so publishing stays cheap; past a threshold, or when a marked zone comes or
/// goes, the table is rebuilt from the whole set (amortized: at least an eighth of the table's
/// size in changes between rebuilds).
/// </para>
/// </summary>
internal sealed class AddressZones
{
    public static readonly AddressZones Empty = Build([]);

    /// <summary>Octets or nibbles read at most: four octets; 31 nibbles (a 32-nibble zone is kept by name, see <see cref="Key"/>).</summary>
    private const int MaxV4 = 4, MaxV6 = 31;

    private static ReadOnlySpan<byte> InAddrArpa => [7, (byte)'i', (byte)'n', (byte)'-', (byte)'a', (byte)'d', (byte)'d', (byte)'r', 4, (byte)'a', (byte)'r', (byte)'p', (byte)'a', 0];

    private static ReadOnlySpan<byte> Ip6Arpa => [3, (byte)'i', (byte)'p', (byte)'6', 4, (byte)'a', (byte)'r', (byte)'p', (byte)'a', 0];

    private struct Entry
    {
        public ulong Hi;
        public ulong Lo;
        public ZoneSnapshot? Zone;
    }

    private readonly struct Change(int family, ulong hi, ulong lo, ZoneSnapshot? zone)
    {
        public readonly int Family = family;
        public readonly ulong Hi = hi;
        public readonly ulong Lo = lo;
        public readonly ZoneSnapshot? Zone = zone;

        public int CompareTo(int family, ulong hi, ulong lo) =>
            Family != family ? Family.CompareTo(family) : Hi != hi ? Hi.CompareTo(hi) : Lo.CompareTo(lo);
    }

    /// <summary>A reverse name read as an address (<see cref="TryRead"/>): its family, the octets or nibbles read, and the key of that prefix.</summary>
    internal readonly struct Address(int family, int length, ulong hi, ulong lo)
    {
        public readonly int Family = family;
        public readonly int Length = length;
        public readonly ulong Hi = hi;
        public readonly ulong Lo = lo;
    }

    // Per family (0: IPv4, 1: IPv6): the table of pure zones as built, and the changes since.
    private readonly Entry[] _table4, _table6;
    private readonly Change[] _overlay;
    private readonly int _built;

    /// <summary>Pure zones per family and length (octets or nibbles), base and overlay together.</summary>
    private readonly int[] _counts4, _counts6;
    private readonly ulong _lengths4, _lengths6;

    /// <summary>Markers of zones with other labels, and at which lengths there are any.</summary>
    private readonly Markers _marked;
    private readonly ulong _marked4, _marked6;

    /// <summary>A hosted zone above the reverse trees (<c>arpa.</c>, the root): a name the table misses may be its.</summary>
    private readonly bool _ancestor;

    private AddressZones(Entry[] table4, Entry[] table6, Change[] overlay, int built, int[] counts4, int[] counts6,
        Markers marked, ulong marked4, ulong marked6, bool ancestor)
    {
        _table4 = table4;
        _table6 = table6;
        _overlay = overlay;
        _built = built;
        _counts4 = counts4;
        _counts6 = counts6;
        _lengths4 = Mask(counts4);
        _lengths6 = Mask(counts6);
        _marked = marked;
        _marked4 = marked4;
        _marked6 = marked6;
        _ancestor = ancestor;
    }

    private static ulong Mask(int[] counts)
    {
        ulong mask = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
                mask |= 1UL << i;
        }
        return mask;
    }

    public static AddressZones Build(IEnumerable<ZoneSnapshot> zones)
    {
        var pure4 = new List<(ulong, ulong, ZoneSnapshot)>();
        var pure6 = new List<(ulong, ulong, ZoneSnapshot)>();
        var counts4 = new int[MaxV4 + 1];
        var counts6 = new int[MaxV6 + 1];
        var marked = new List<(int, ulong, ulong)>();
        ulong marked4 = 0, marked6 = 0;
        bool ancestor = false;
        foreach (var zone in zones)
        {
            var origin = zone.Apex.Name;
            switch (Classify(origin, out int family, out int length, out ulong hi, out ulong lo))
            {
                case Kind.Pure:
                    (family == 0 ? pure4 : pure6).Add((hi, lo, zone));
                    (family == 0 ? counts4 : counts6)[length]++;
                    break;
                case Kind.Marked:
                    marked.Add((family, hi, lo));
                    if (family == 0)
                        marked4 |= 1UL << length;
                    else
                        marked6 |= 1UL << length;
                    break;
                case Kind.Ancestor:
                    ancestor = true;
                    break;
            }
        }
        return new AddressZones(Table(pure4), Table(pure6), [], pure4.Count + pure6.Count, counts4, counts6, new Markers(marked), marked4, marked6, ancestor);
    }

    /// <summary>
    /// The markers' keys in an open-addressing table of their own (at most half full), read on
    /// the query path like the zones' table: a hash of the two words, no comparer, no tuple.
    /// </summary>
    private sealed class Markers
    {
        private struct Mark
        {
            public ulong Hi;
            public ulong Lo;
            /// <summary>The family plus one; 0 marks an empty slot.</summary>
            public int Family;
        }

        private readonly Mark[] _slots;

        public Markers(List<(int Family, ulong Hi, ulong Lo)> keys)
        {
            _slots = keys.Count == 0 ? [] : new Mark[2 * keys.Count + 1];
            foreach (var (family, hi, lo) in keys)
            {
                if (Contains(family, hi, lo))
                    continue;
                int i = Slot(hi, lo, _slots.Length);
                while (_slots[i].Family != 0)
                    i = i + 1 == _slots.Length ? 0 : i + 1;
                _slots[i] = new Mark { Hi = hi, Lo = lo, Family = family + 1 };
            }
        }

        public bool Contains(int family, ulong hi, ulong lo)
        {
            var slots = _slots;
            if (slots.Length == 0)
                return false;
            int i = Slot(hi, lo, slots.Length);
            while (true)
            {
                ref var m = ref slots[i];
                if (m.Family == 0)
                    return false;
                if (m.Lo == lo && m.Hi == hi && m.Family == family + 1)
                    return true;
                i = i + 1 == slots.Length ? 0 : i + 1;
            }
        }
    }

    private static Entry[] Table(List<(ulong Hi, ulong Lo, ZoneSnapshot Zone)> zones)
    {
        if (zones.Count == 0)
            return [];
        // About three quarters full: a lookup finds its entry in the first slot or the next.
        var table = new Entry[zones.Count + zones.Count / 3 + 1];
        foreach (var (hi, lo, zone) in zones)
        {
            int i = Slot(hi, lo, table.Length);
            while (table[i].Zone is not null)
                i = i + 1 == table.Length ? 0 : i + 1;
            table[i] = new Entry { Hi = hi, Lo = lo, Zone = zone };
        }
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(ulong hi, ulong lo, int length)
    {
        ulong h = (hi * 0x9E3779B97F4A7C15 ^ lo) * 0xBF58476D1CE4E5B9;
        return (int)(((h >> 32) * (ulong)(uint)length) >> 32);
    }

    private enum Kind : byte
    {
        /// <summary>Not under the reverse trees: not this index's business.</summary>
        Other,
        Pure,
        Marked,
        /// <summary><c>arpa.</c> or the root: above the trees.</summary>
        Ancestor,
    }

    private static Kind Classify(ReadOnlySpan<byte> origin, out int family, out int length, out ulong hi, out ulong lo)
    {
        if (!Read(origin, out family, out length, out hi, out lo, out bool rest))
        {
            bool above = origin.Length == 1 || WireName.EqualsIgnoreCase(origin, InAddrArpa[8..]);
            return above ? Kind.Ancestor : Kind.Other;
        }
        return rest ? Kind.Marked : Kind.Pure;
    }

    /// <summary>
    /// Reads a name under one of the reverse trees: the family (0 for <c>in-addr.arpa.</c>, 1 for
    /// <c>ip6.arpa.</c>), how many canonical octets or nibbles follow the suffix (at most
    /// <see cref="MaxV4"/>/<see cref="MaxV6"/>), the key of that prefix (<see cref="Key"/>), and
    /// whether labels remain below them. False for any other name.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit] // the label starts are written before they are read
    private static bool Read(ReadOnlySpan<byte> name, out int family, out int length, out ulong hi, out ulong lo, out bool rest)
    {
        family = 0;
        length = 0;
        hi = 0;
        lo = 0;
        rest = false;
        int suffix;
        if (name.Length >= InAddrArpa.Length && WireName.EqualsIgnoreCase(name[^InAddrArpa.Length..], InAddrArpa))
            suffix = InAddrArpa.Length;
        else if (name.Length >= Ip6Arpa.Length && WireName.EqualsIgnoreCase(name[^Ip6Arpa.Length..], Ip6Arpa))
        {
            suffix = Ip6Arpa.Length;
            family = 1;
        }
        else
            return false;
        // The usual IPv4 question: up to four octet labels, then the suffix. Read from the left
        // in one walk, each octet taking its place from the top as the ones before it move down.
        if (family == 0)
        {
            int end4 = name.Length - suffix;
            uint address = 0;
            int p = 0, k = 0;
            while (p < end4 && k < MaxV4)
            {
                int len = name[p];
                if (p + 1 + len > end4 || !Synthesis.ReverseZoneInfo.TryOctet(name.Slice(p + 1, len), out int octet))
                    break;
                address = address >> 8 | (uint)octet << 24;
                k++;
                p += 1 + len;
            }
            if (p == end4)
            {
                length = k;
                lo = (ulong)address << 32 | 1UL << (63 - 8 * k);
                return true;
            }
            // Labels that are not octets, or more than an address: read as below.
        }
        // Where each label begins, from the left; the suffix must begin where a label does.
        Span<byte> starts = stackalloc byte[128];
        int end = name.Length - suffix;
        int n = 0;
        int pos = 0;
        while (pos < end)
        {
            starts[n++] = (byte)pos;
            pos += 1 + name[pos];
        }
        if (pos != end)
            return false;
        int max = family == 0 ? MaxV4 : MaxV6;
        int bits = 0;
        for (int i = n - 1; i >= 0 && length < max; i--)
        {
            int at = starts[i];
            int piece;
            if (family == 0)
            {
                if (!Synthesis.ReverseZoneInfo.TryOctet(name.Slice(at + 1, name[at]), out piece))
                    break;
                lo |= (ulong)(uint)piece << (56 - bits);
                bits += 8;
            }
            else
            {
                if (name[at] != 1 || (piece = Synthesis.ReverseZoneInfo.Nibble(name[at + 1])) < 0)
                    break;
                if (bits < 64)
                    hi |= (ulong)(uint)piece << (60 - bits);
                else
                    lo |= (ulong)(uint)piece << (124 - bits);
                bits += 4;
            }
            length++;
        }
        rest = length < n;
        // The key: the prefix's bits from the top, then a one bit, so prefixes of different
        // lengths never share a key (IPv4 keys use the low word alone).
        if (family == 0)
            lo |= 1UL << (63 - bits);
        else if (bits < 64)
            hi |= 1UL << (63 - bits);
        else
            lo |= 1UL << (127 - bits);
        return true;
    }

    /// <summary>The key of the first <paramref name="length"/> pieces of a prefix read with <see cref="Read"/> to a longer length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Shorten(int family, int length, ref ulong hi, ref ulong lo)
    {
        if (family == 0)
        {
            int bits = 8 * length;
            lo = (lo & ~(ulong.MaxValue >> bits)) | 1UL << (63 - bits);
            return;
        }
        int b = 4 * length;
        if (b < 64)
        {
            hi = (hi & ~(ulong.MaxValue >> b)) | 1UL << (63 - b);
            lo = 0;
        }
        else
        {
            lo = (lo & ~(ulong.MaxValue >> (b - 64))) | 1UL << (127 - b);
        }
    }

    /// <summary>
    /// The most specific zone of more than <paramref name="aboveLabels"/> labels holding
    /// <paramref name="name"/>, when the address tells (true; <paramref name="zone"/> may then be
    /// null: no zone holds it); false when the name must be looked up by name.
    /// </summary>
    public bool TryFind(ReadOnlySpan<byte> name, int aboveLabels, out ZoneSnapshot? zone)
    {
        zone = null;
        return TryRead(name, out var address) && TryFind(address, aboveLabels, out zone);
    }

    /// <summary>A name under one of the reverse trees as an <see cref="Address"/>; false for any other name.</summary>
    internal static bool TryRead(ReadOnlySpan<byte> name, out Address address) => TryRead(name, out address, out _);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, out Address)"/>; <paramref name="rest"/> is true when labels below the ones read were not read (more than an address, or not address labels).</summary>
    internal static bool TryRead(ReadOnlySpan<byte> name, out Address address, out bool rest)
    {
        bool read = Read(name, out int family, out int length, out ulong hi, out ulong lo, out rest);
        address = new Address(family, length, hi, lo);
        return read;
    }

    /// <summary>
    /// The IPv4 address a name read with <see cref="TryRead(ReadOnlySpan{byte}, out Address, out bool)"/>
    /// spells, when it is one whole address and nothing else (four octets, no label left): what
    /// the layout of a zone of whole octets (<see cref="Synthesis.ReverseZoneInfo.TryRead"/>) reads
    /// from the name as its full-width key.
    /// </summary>
    internal static bool TryWholeV4(in Address address, bool rest, out uint value)
    {
        value = (uint)(address.Lo >> 32);
        return address.Family == 0 && address.Length == MaxV4 && !rest;
    }

    /// <summary>As <see cref="TryFind(ReadOnlySpan{byte}, int, out ZoneSnapshot?)"/>, for a name already read.</summary>
    internal bool TryFind(in Address address, int aboveLabels, out ZoneSnapshot? zone)
    {
        zone = null;
        int family = address.Family, length = address.Length;
        ulong hi = address.Hi, lo = address.Lo;
        ulong lengths = family == 0 ? _lengths4 : _lengths6;
        ulong marked = family == 0 ? _marked4 : _marked6;
        // Only lengths that have zones or markers, longest first; a zone has 2 + length labels.
        ulong candidates = (lengths | marked) & ((2UL << length) - 1);
        int lowest = Math.Max(0, aboveLabels - 1);
        while (candidates != 0)
        {
            int l = 63 - BitOperations.LeadingZeroCount(candidates);
            if (l < lowest)
                break;
            candidates &= ~(1UL << l);
            if (l != length)
                Shorten(family, l, ref hi, ref lo);
            length = l;
            if ((marked & (1UL << l)) != 0 && _marked.Contains(family, hi, lo))
                return false;
            if ((lengths & (1UL << l)) != 0 && Get(_overlay, family, hi, lo) is { } found)
            {
                zone = found;
                return true;
            }
        }
        return !_ancestor;
    }

    /// <summary>Whether any zone is in the table (every zone of a set may be a row, or not a reverse zone).</summary>
    public bool HasZones => (_lengths4 | _lengths6) != 0;

    /// <summary>Prefetches the table slot where <paramref name="address"/>'s most specific candidate zone would be (see <see cref="ZonePrefetch"/>).</summary>
    internal void PrefetchSlot(in Address address)
    {
        int family = address.Family, length = address.Length;
        ulong hi = address.Hi, lo = address.Lo;
        ulong lengths = (family == 0 ? _lengths4 : _lengths6) & ((2UL << length) - 1);
        var table = family == 0 ? _table4 : _table6;
        if (lengths == 0 || table.Length == 0)
            return;
        int l = 63 - BitOperations.LeadingZeroCount(lengths);
        if (l != length)
            Shorten(family, l, ref hi, ref lo);
        Prefetch.Element(table, Slot(hi, lo, table.Length));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ZoneSnapshot? Get(Change[] overlay, int family, ulong hi, ulong lo)
    {
        if (overlay.Length != 0)
        {
            int at = Find(overlay, family, hi, lo);
            if (at >= 0)
                return overlay[at].Zone;
        }
        var table = family == 0 ? _table4 : _table6;
        if (table.Length == 0)
            return null;
        int i = Slot(hi, lo, table.Length);
        while (true)
        {
            ref var e = ref table[i];
            if (e.Zone is null)
                return null;
            if (e.Lo == lo && e.Hi == hi)
                return e.Zone;
            i = i + 1 == table.Length ? 0 : i + 1;
        }
    }

    private static int Find(Change[] overlay, int family, ulong hi, ulong lo)
    {
        int low = 0, high = overlay.Length - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            int c = overlay[mid].CompareTo(family, hi, lo);
            if (c == 0)
                return mid;
            if (c < 0)
                low = mid + 1;
            else
                high = mid - 1;
        }
        return ~low;
    }

    /// <summary>
    /// This index after <paramref name="changed"/> were added or replaced and <paramref name="removed"/>
    /// taken out; <paramref name="all"/> gives every zone of the new set, for a rebuild.
    /// </summary>
    public AddressZones With(IReadOnlyCollection<ZoneSnapshot> changed, IReadOnlyCollection<DnsName> removed, Func<IEnumerable<ZoneSnapshot>> all)
    {
        // This call's changes by key (the last one wins), merged into the overlay once at the end:
        // a change of many zones at once (a commit of an import's batch, zones made rows) costs
        // one copy of the overlay, not one per zone.
        Dictionary<(int Family, ulong Hi, ulong Lo), ZoneSnapshot?>? pending = null;
        int[]? counts4 = null, counts6 = null;
        ZoneSnapshot? Current(int family, ulong hi, ulong lo) =>
            pending is not null && pending.TryGetValue((family, hi, lo), out var zone) ? zone : Get(_overlay, family, hi, lo);
        foreach (var origin in removed)
        {
            switch (Classify(origin.Wire, out int family, out int length, out ulong hi, out ulong lo))
            {
                case Kind.Pure:
                    if (Current(family, hi, lo) is null)
                        break;
                    (pending ??= [])[(family, hi, lo)] = null;
                    (family == 0 ? Count(ref counts4, _counts4) : Count(ref counts6, _counts6))[length]--;
                    break;
                case Kind.Marked:
                case Kind.Ancestor:
                    // Markers are not counted: whether another zone still needs one, a rebuild tells.
                    return Build(all());
            }
        }
        foreach (var zone in changed)
        {
            switch (Classify(zone.Apex.Name, out int family, out int length, out ulong hi, out ulong lo))
            {
                case Kind.Pure:
                    bool existed = Current(family, hi, lo) is not null;
                    (pending ??= [])[(family, hi, lo)] = zone;
                    if (!existed)
                        (family == 0 ? Count(ref counts4, _counts4) : Count(ref counts6, _counts6))[length]++;
                    break;
                case Kind.Marked:
                    // A replaced zone, or a new one beside a marker already there: nothing changes here.
                    if (_marked.Contains(family, hi, lo))
                        break;
                    return Build(all());
                case Kind.Ancestor:
                    if (_ancestor)
                        break;
                    return Build(all());
            }
        }
        if (pending is null)
            return this;
        var overlay = Merge(_overlay, pending);
        if (overlay.Length > Math.Max(64, _built / 8))
            return Build(all());
        return new AddressZones(_table4, _table6, overlay, _built, counts4 ?? _counts4, counts6 ?? _counts6, _marked, _marked4, _marked6, _ancestor);
    }

    /// <summary>The overlay with <paramref name="changes"/> put in (replacing entries of the same key), in key order.</summary>
    private static Change[] Merge(Change[] overlay, Dictionary<(int Family, ulong Hi, ulong Lo), ZoneSnapshot?> changes)
    {
        var added = new Change[changes.Count];
        int k = 0;
        foreach (var ((family, hi, lo), zone) in changes)
            added[k++] = new Change(family, hi, lo, zone);
        Array.Sort(added, static (x, y) => x.CompareTo(y.Family, y.Hi, y.Lo));
        var merged = new Change[overlay.Length + added.Length];
        int i = 0, j = 0, n = 0;
        while (i < overlay.Length || j < added.Length)
        {
            int c = j == added.Length ? -1 : i == overlay.Length ? 1 : overlay[i].CompareTo(added[j].Family, added[j].Hi, added[j].Lo);
            if (c == 0)
                i++;
            merged[n++] = c < 0 ? overlay[i++] : added[j++];
        }
        Array.Resize(ref merged, n);
        return merged;
    }

    private static int[] Count(ref int[]? copy, int[] original) => copy ??= (int[])original.Clone();
}
