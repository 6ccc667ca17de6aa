using Rdns.Protocol.Names;
using Rdns.Zones.Synthesis;

namespace Rdns.Zones;

/// <summary>
/// The PTRs of a reverse zone whose owners are plain addresses, kept without one object per
/// record: sorted address keys (4 octets for IPv4, 16 for IPv6), an offset into one array of
/// target names, and an index into the zone's few distinct TTLs. A target is stored as its first
/// label plus the number of its (interned) suffix — PTR targets of one zone mostly share their
/// parent domain — so a record costs about 25 octets. A lookup is a binary search; a partial name
/// (an empty non-terminal between the apex and the addresses) is a range search.
/// </summary>
internal sealed class CompactPtrTable
{
    private readonly uint[]? _narrow;
    private readonly UInt128[]? _wide;
    private readonly int[] _targets;
    private readonly ushort[] _ttlIndex;
    private readonly uint[] _ttls;
    private readonly byte[] _names;
    private readonly byte[][] _suffixes;

    private CompactPtrTable(uint[]? narrow, UInt128[]? wide, int[] targets, ushort[] ttlIndex, uint[] ttls, byte[] names, byte[][] suffixes)
    {
        _suffixes = suffixes;
        _narrow = narrow;
        _wide = wide;
        _targets = targets;
        _ttlIndex = ttlIndex;
        _ttls = ttls;
        _names = names;
    }

    public int Count => _targets.Length;

    /// <summary>Builds the table; more than 65,535 distinct TTLs in one zone cannot be compacted (null).</summary>
    public static CompactPtrTable? Build(bool narrow, List<(UInt128 Key, uint Ttl, int Offset, int Length)> entries, byte[] arena)
    {
        // Entries arrive sorted by key (the builder sorted them to find duplicates).
        var ttls = new List<uint>();
        var ttlIndex = new Dictionary<uint, ushort>();
        var suffixIds = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        var suffixLookup = suffixIds.GetAlternateLookup<ReadOnlySpan<byte>>();
        var suffixes = new List<byte[]>();
        var names = new MemoryStream();
        var keys4 = narrow ? new uint[entries.Count] : null;
        var keys16 = narrow ? null : new UInt128[entries.Count];
        var targets = new int[entries.Count];
        var ttlOf = new ushort[entries.Count];
        Span<byte> suffixId = stackalloc byte[3];
        for (int i = 0; i < entries.Count; i++)
        {
            var (key, ttl, targetOffset, targetLength) = entries[i];
            var target = arena.AsSpan(targetOffset, targetLength);
            if (!ttlIndex.TryGetValue(ttl, out var t))
            {
                if (ttls.Count == ushort.MaxValue)
                    return null;
                t = (ushort)ttls.Count;
                ttlIndex[ttl] = t;
                ttls.Add(ttl);
            }
            // First label as it is, then a three-octet number of the suffix (exact bytes: case kept).
            int firstEnd = target[0] == 0 ? 0 : 1 + target[0];
            var suffix = target[firstEnd..];
            if (!suffixLookup.TryGetValue(suffix, out int id))
            {
                if (suffixes.Count == 1 << 24)
                    return null;
                id = suffixes.Count;
                var copy = suffix.ToArray();
                suffixIds[copy] = id;
                suffixes.Add(copy);
            }
            targets[i] = (int)names.Length;
            names.Write(target[..(firstEnd == 0 ? 1 : firstEnd)]);
            suffixId[0] = (byte)(id >> 16);
            suffixId[1] = (byte)(id >> 8);
            suffixId[2] = (byte)id;
            names.Write(suffixId);
            if (narrow)
                keys4![i] = (uint)key;
            else
                keys16![i] = key;
            ttlOf[i] = t;
        }
        return new CompactPtrTable(keys4, keys16, targets, ttlOf, [.. ttls], names.ToArray(), [.. suffixes]);
    }

    public int IndexOf(UInt128 key) =>
        _narrow is not null ? (key > uint.MaxValue ? -1 : _narrow.AsSpan().BinarySearch((uint)key)) : _wide.AsSpan().BinarySearch(key);

    /// <summary>Finds the PTR of <paramref name="key"/>; its target is written to <paramref name="target"/> (255 octets).</summary>
    public bool TryFind(UInt128 key, out uint ttl, Span<byte> target, out int targetLength)
    {
        int i = IndexOf(key);
        if (i < 0)
        {
            ttl = 0;
            targetLength = 0;
            return false;
        }
        ttl = _ttls[_ttlIndex[i]];
        targetLength = Target(i, target);
        return true;
    }

    private int Target(int i, Span<byte> destination)
    {
        int pos = _targets[i];
        int first = _names[pos] == 0 ? 1 : 1 + _names[pos];
        _names.AsSpan(pos, first).CopyTo(destination);
        if (_names[pos] == 0)
            return 1;
        int id = (_names[pos + first] << 16) | (_names[pos + first + 1] << 8) | _names[pos + first + 2];
        var suffix = _suffixes[id];
        suffix.CopyTo(destination[first..]);
        return first + suffix.Length;
    }

    /// <summary>The index of the first key at or above <paramref name="key"/> (<see cref="Count"/> when none is).</summary>
    public int LowerBound(UInt128 key)
    {
        if (_narrow is not null && key > uint.MaxValue)
            return Count;
        int i = IndexOf(key);
        return i >= 0 ? i : ~i;
    }

    public UInt128 KeyAt(int i) => _narrow is not null ? _narrow[i] : _wide![i];

    /// <summary>True when some key lies in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public bool AnyInRange(UInt128 low, UInt128 high)
    {
        int i = IndexOf(low);
        if (i >= 0)
            return true;
        int next = ~i;
        if (next >= Count)
            return false;
        UInt128 key = _narrow is not null ? _narrow[next] : _wide![next];
        return key <= high;
    }

    public IEnumerable<(UInt128 Key, uint Ttl, byte[] Target)> Entries()
    {
        var buffer = new byte[DnsName.MaxLength];
        for (int i = 0; i < Count; i++)
        {
            int n = Target(i, buffer);
            yield return (_narrow is not null ? _narrow[i] : _wide![i], _ttls[_ttlIndex[i]], buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Exact (case-sensitive) octet comparison, usable with spans for lookups.</summary>
    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }

    /// <summary>The wire name of the entry with <paramref name="key"/> in the zone <paramref name="info"/> describes.</summary>
    public static byte[] OwnerOf(ReverseZoneInfo info, UInt128 key, DnsName origin) => info.NameOf(key, origin);
}
