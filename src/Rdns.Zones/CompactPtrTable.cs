using Rdns.Protocol.Names;
using Rdns.Zones.Synthesis;

namespace Rdns.Zones;

/// <summary>
/// The PTRs of a reverse zone whose owners are plain addresses, kept without one object per
/// record: sorted address keys (4 octets for IPv4, 16 for IPv6), an offset into one array of
/// interned target names, and an index into the zone's few distinct TTLs. A lookup is a binary
/// search; a partial name (an empty non-terminal between the apex and the addresses) is a range
/// search. This is where nearly all of a reverse server's records live.
/// </summary>
internal sealed class CompactPtrTable
{
    private readonly uint[]? _narrow;
    private readonly UInt128[]? _wide;
    private readonly int[] _targets;
    private readonly ushort[] _ttlIndex;
    private readonly uint[] _ttls;
    private readonly byte[] _names;

    private CompactPtrTable(uint[]? narrow, UInt128[]? wide, int[] targets, ushort[] ttlIndex, uint[] ttls, byte[] names)
    {
        _narrow = narrow;
        _wide = wide;
        _targets = targets;
        _ttlIndex = ttlIndex;
        _ttls = ttls;
        _names = names;
    }

    public int Count => _targets.Length;

    /// <summary>Builds the table; more than 65,535 distinct TTLs in one zone cannot be compacted (null).</summary>
    public static CompactPtrTable? Build(bool narrow, List<(UInt128 Key, uint Ttl, byte[] Target)> entries)
    {
        entries.Sort((a, b) => a.Key.CompareTo(b.Key));
        var ttls = new List<uint>();
        var ttlIndex = new Dictionary<uint, ushort>();
        var interned = new Dictionary<byte[], int>(NameKeyComparer.Instance);
        var names = new MemoryStream();
        var keys4 = narrow ? new uint[entries.Count] : null;
        var keys16 = narrow ? null : new UInt128[entries.Count];
        var targets = new int[entries.Count];
        var ttlOf = new ushort[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var (key, ttl, target) = entries[i];
            if (!ttlIndex.TryGetValue(ttl, out var t))
            {
                if (ttls.Count == ushort.MaxValue)
                    return null;
                t = (ushort)ttls.Count;
                ttlIndex[ttl] = t;
                ttls.Add(ttl);
            }
            // Interning is exact (case kept): two PTRs share bytes only when they send the same bytes.
            if (!interned.TryGetValue(target, out int offset) || !target.AsSpan().SequenceEqual(names.GetBuffer().AsSpan(offset, target.Length)))
            {
                offset = (int)names.Length;
                names.Write(target);
                interned.TryAdd(target, offset);
            }
            if (narrow)
                keys4![i] = (uint)key;
            else
                keys16![i] = key;
            targets[i] = offset;
            ttlOf[i] = t;
        }
        return new CompactPtrTable(keys4, keys16, targets, ttlOf, [.. ttls], names.ToArray());
    }

    private int IndexOf(UInt128 key) =>
        _narrow is not null ? (key > uint.MaxValue ? -1 : _narrow.AsSpan().BinarySearch((uint)key)) : _wide.AsSpan().BinarySearch(key);

    public bool TryFind(UInt128 key, out uint ttl, out ReadOnlySpan<byte> target)
    {
        int i = IndexOf(key);
        if (i < 0)
        {
            ttl = 0;
            target = default;
            return false;
        }
        ttl = _ttls[_ttlIndex[i]];
        target = Target(i);
        return true;
    }

    private ReadOnlySpan<byte> Target(int i)
    {
        int start = _targets[i];
        int end = start;
        while (_names[end] != 0)
            end += 1 + _names[end];
        return _names.AsSpan(start, end + 1 - start);
    }

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
        for (int i = 0; i < Count; i++)
            yield return (_narrow is not null ? _narrow[i] : _wide![i], _ttls[_ttlIndex[i]], Target(i).ToArray());
    }

    /// <summary>The wire name of the entry with <paramref name="key"/> in the zone <paramref name="info"/> describes.</summary>
    public static byte[] OwnerOf(ReverseZoneInfo info, UInt128 key, DnsName origin) => info.NameOf(key, origin);
}
