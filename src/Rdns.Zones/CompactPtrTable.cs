using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rdns.Protocol.Names;
using Rdns.Zones.Synthesis;

namespace Rdns.Zones;

/// <summary>The addresses a reverse zone's compact table can hold: its network and how many host bits follow.</summary>
internal readonly record struct AddressSpace(UInt128 Network, int HostBits)
{
    public static AddressSpace Of(ReverseZoneInfo info) => new(info.Network, info.HostBits);

    /// <summary>Octets per stored key: the host bits only (1 for a /24, 10 for a /48).</summary>
    public int KeyWidth => Math.Max(1, (HostBits + 7) / 8);

    public UInt128 HostMask => HostBits == 128 ? UInt128.MaxValue : ((UInt128)1 << HostBits) - 1;

    public UInt128 Last => Network | HostMask;
}

/// <summary>
/// The PTRs of a reverse zone whose owners are plain addresses, kept in three arrays and no object
/// per record, whatever the names look like:
/// <list type="bullet">
/// <item>the keys: each address's host bits only, big-endian, fixed width (1 octet in a /24, 3 in a
/// /8, 10 in a /48), sorted, binary-searched;</item>
/// <item>the targets, in key order: the target's own leading labels (coded by
/// <see cref="TargetCode"/>, behind their coded length: a host name in under two thirds of its
/// octets), then the number of its suffix in
/// the process's <see cref="TargetSuffixes"/>, whose first octet (0x40 and above) says how long
/// the number is: one octet for the first 128
/// suffixes (a tenant's <c>com.</c>), up to four (see <see cref="SuffixNumberLength"/>). The suffix is the longest one
/// that two targets of the zone share or that the table already holds (<c>cust1234.example.net.</c>
/// for an operator's names), else the last label (<c>com.</c> for a tenant's own domain), so the
/// design needs neither shared suffixes nor dense addresses;</item>
/// <item>where every eighth target starts (a lookup skips at most seven), and a TTL number per
/// record only when the zone has more than one TTL.</item>
/// </list>
/// A partial name (an empty non-terminal between the apex and the addresses) is a range search.
/// </summary>
internal sealed partial class CompactPtrTable
{
    private const int IndexStep = 8;
    private const int UnindexedCount = 2 * IndexStep;
    // Kept small, as a small zone has one table: octets where a number fits, one field for the
    // TTL numbers whatever their width, and the network's last address not stored.
    private readonly byte _hostBits;
    private readonly byte _width;
    private readonly byte[] _keys;
    private readonly byte[] _targets;

    /// <summary>
    /// Where every <see cref="IndexStep"/>-th target starts; null for a table of at most
    /// <see cref="UnindexedCount"/> entries, whose few targets are walked from the start (an index
    /// array would cost a small zone more than its targets, and a lookup one more load to wait on).
    /// </summary>
    private readonly int[]? _index;

    /// <summary>The distinct TTLs when there are several (numbered by the TTL index arrays); null when all are <see cref="_ttl"/>.</summary>
    private readonly uint[]? _ttls;
    private readonly uint _ttl;

    /// <summary>Each entry's TTL number: a byte[] up to 256 TTLs, a ushort[] above; null with one TTL.</summary>
    private readonly Array? _ttlIndex;
    private readonly UInt128 _network;

    /// <summary>
    /// Where the keys of each value of the top host bits (up to 24) begin (one more
    /// entry for the end): a lookup binary-searches only its bucket, about
    /// <see cref="EntriesPerBucket"/> keys in one or two cache lines, instead of the whole table,
    /// whose first steps each wait on memory in a large zone. Null for tables of fewer than
    /// 2 × <see cref="EntriesPerBucket"/> entries.
    /// </summary>
    private readonly int[]? _buckets;
    private readonly byte _bucketShift;

    /// <summary>
    /// A table of one-octet keys (a /24, an RFC 2317 block) keeps them as a 256-bit set in the
    /// table itself instead of an array: a key is present when its bit is, and its index is the
    /// number of bits below it, so a lookup reads no key array and makes no search. Not when an
    /// address has several PTRs (a key repeats): those keep the array.
    /// </summary>
    private readonly ulong _set0, _set1, _set2, _set3;
    private readonly bool _keySet;

    /// <summary>16 keys per bucket on average: a quarter of an octet per PTR for the bucket starts.</summary>
    private const int EntriesPerBucket = 16;

    private CompactPtrTable(AddressSpace space, int count, byte[] keys, byte[] targets, int[]? index, uint[] ttls, byte[]? ttlIndex8, ushort[]? ttlIndex16)
    {
        _hostBits = (byte)space.HostBits;
        _network = space.Network;
        _width = (byte)space.KeyWidth;
        Count = count;
        _keySet = _width == 1 && StrictlyIncreasing(keys, count);
        if (_keySet)
        {
            // One-octet keys become the bit set; the array is dropped.
            for (int i = 0; i < count; i++)
            {
                int b = keys[i];
                ulong bit = 1UL << (b & 63);
                switch (b >> 6)
                {
                    case 0: _set0 |= bit; break;
                    case 1: _set1 |= bit; break;
                    case 2: _set2 |= bit; break;
                    default: _set3 |= bit; break;
                }
            }
            keys = [];
        }
        _keys = keys;
        _targets = targets;
        _index = index;
        _ttls = ttls.Length > 1 ? ttls : null;
        _ttl = ttls.Length > 0 ? ttls[0] : 0;
        _ttlIndex = (Array?)ttlIndex8 ?? ttlIndex16;
        (_buckets, int shift) = BuildBuckets();
        _bucketShift = (byte)shift;
    }

    private static bool StrictlyIncreasing(byte[] keys, int count)
    {
        for (int i = 1; i < count; i++)
        {
            if (keys[i] <= keys[i - 1])
                return false;
        }
        return true;
    }

    /// <summary>The bucket starts over the sorted keys (see <see cref="_buckets"/>) in one pass, and the shift that takes a host's bucket.</summary>
    private (int[]? Buckets, int Shift) BuildBuckets()
    {
        int bits = Math.Min(Math.Min((int)_hostBits, 24), BitOperations.Log2((uint)Math.Max(1, Count / EntriesPerBucket)));
        if (bits < 1 || _width == 1)
            return (null, 0);
        var buckets = new int[(1 << bits) + 1];
        int next = 0;
        for (int i = 0; i < Count; i++)
        {
            int bucket = BucketOf(HostAt(i), _hostBits - bits);
            while (next <= bucket)
                buckets[next++] = i;
        }
        while (next < buckets.Length)
            buckets[next++] = Count;
        return (buckets, _hostBits - bits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BucketOf(UInt128 host, int shift) => shift < 64 && (ulong)(host >> 64) == 0 ? (int)((ulong)host >> shift) : (int)(host >> shift);

    public int Count { get; }

    /// <summary>The addresses this table can hold.</summary>
    public AddressSpace Space => new(_network, _hostBits);

    /// <summary>Octets held by this table's arrays (the suffixes it names are shared by all zones).</summary>
    public long Bytes => (_keySet ? 32 : _keys.Length) + _targets.Length + (_index?.Length ?? 0) * 4L + (_ttls?.Length ?? 0) * 4L + (_ttlIndex is ushort[] t16 ? t16.Length * 2L : _ttlIndex?.Length ?? 0) + (_buckets?.Length * 4L ?? 0);

    /// <summary>Below this many entries a table is built on one thread.</summary>
    private const int ParallelFrom = 1 << 15;

    /// <summary>
    /// Builds the table from entries sorted by key, all inside <paramref name="space"/>; null when it
    /// cannot be compacted (more than 65,535 distinct TTLs, or the suffix table is full). A large
    /// table is built on every core: the entries are cut into ranges, each pass handles its
    /// ranges at once, and each range writes its own part of the arrays.
    /// </summary>
    public static CompactPtrTable? Build(AddressSpace space, List<(UInt128 Key, uint Ttl, int Offset, int Length)> entries, byte[] arena)
    {
        int n = entries.Count;
        int width = space.KeyWidth;
        int parts = n < ParallelFrom ? 1 : Math.Clamp(Environment.ProcessorCount, 1, 16);
        int RangeStart(int part) => (int)((long)n * part / parts);
        void Each(Action<int, int, int> range)
        {
            if (parts == 1)
                range(0, 0, n);
            else
                Parallel.For(0, parts, p => range(p, RangeStart(p), RangeStart(p + 1)));
        }

        // Every suffix of every target below its first label, hashed once: where each entry's
        // hashes start, then the hashes.
        var firstHash = new int[n + 1];
        Each((_, from, to) =>
        {
            var list = CollectionsMarshal.AsSpan(entries);
            for (int i = from; i < to; i++)
                firstHash[i + 1] = SuffixCount(arena.AsSpan(list[i].Offset, list[i].Length));
        });
        for (int i = 0; i < n; i++)
            firstHash[i + 1] += firstHash[i];
        var hashes = new uint[firstHash[n]];
        Each((_, from, to) =>
        {
            var list = CollectionsMarshal.AsSpan(entries);
            for (int i = from; i < to; i++)
            {
                var target = arena.AsSpan(list[i].Offset, list[i].Length);
                int h = firstHash[i];
                for (int at = 1 + target[0]; at < target.Length - 1; at += 1 + target[at])
                    hashes[h++] = (uint)TargetSuffixes.Hash(target[at..]);
            }
        });
        // Suffixes two targets of this zone share (counted by hash; a collision only makes a
        // suffix look shared, which costs nothing but a table entry).
        var shared = SharedSuffixes.Count(hashes, hashes.Length, parts);

        // The TTLs, numbered in order of appearance.
        var ttls = new List<uint>();
        var ttlNumbers = new Dictionary<uint, ushort>();
        var ttlOf = new ushort[n];
        uint lastTtl = 0;
        ushort lastNumber = 0;
        for (int i = 0; i < n; i++)
        {
            uint ttl = entries[i].Ttl;
            if (ttls.Count == 0 || ttl != lastTtl)
            {
                if (!ttlNumbers.TryGetValue(ttl, out lastNumber))
                {
                    if (ttls.Count == ushort.MaxValue)
                        return null;
                    lastNumber = (ushort)ttls.Count;
                    ttlNumbers[ttl] = lastNumber;
                    ttls.Add(ttl);
                }
                lastTtl = ttl;
            }
            ttlOf[i] = lastNumber;
        }

        // Pass 1: each target's split and suffix number, and the octets of each range.
        var split = new int[n];
        var suffixIds = new int[n];
        var rangeSize = new long[parts];
        int full = 0;
        Each((part, from, to) =>
        {
            var list = CollectionsMarshal.AsSpan(entries);
            long size = 0;
            for (int i = from; i < to; i++)
            {
                var target = arena.AsSpan(list[i].Offset, list[i].Length);
                int at = ChooseSuffix(target, hashes.AsSpan(firstHash[i], firstHash[i + 1] - firstHash[i]), shared, out ulong hash);
                int id = TargetSuffixes.Intern(target[at..], hash);
                if (id < 0)
                {
                    Volatile.Write(ref full, 1);
                    return;
                }
                split[i] = at;
                suffixIds[i] = id;
                size += OwnLength(target[..at]) + SuffixNumberLength(id);
            }
            rangeSize[part] = size;
        });
        if (full != 0)
            return null;

        // Pass 2: the arrays, exactly sized, each range from its own offset.
        var keys = new byte[(long)n * width];
        var targets = new byte[rangeSize.Sum()];
        var index = n <= UnindexedCount ? null : new int[(n + IndexStep - 1) / IndexStep];
        var rangeOffset = new long[parts];
        for (int p = 1; p < parts; p++)
            rangeOffset[p] = rangeOffset[p - 1] + rangeSize[p - 1];
        Each((part, from, to) =>
        {
            var list = CollectionsMarshal.AsSpan(entries);
            int pos = (int)rangeOffset[part];
            for (int i = from; i < to; i++)
            {
                var (key, _, offset, _) = list[i];
                WriteKey(keys.AsSpan(i * width, width), key - space.Network);
                if (index is not null && i % IndexStep == 0)
                    index[i / IndexStep] = pos;
                pos = WriteSuffixNumber(targets, WriteOwn(targets, pos, arena.AsSpan(offset, split[i])), suffixIds[i]);
            }
        });
        byte[]? ttl8 = null;
        ushort[]? ttl16 = null;
        if (ttls.Count > 256)
            ttl16 = ttlOf;
        else if (ttls.Count > 1)
            ttl8 = Array.ConvertAll(ttlOf, t => (byte)t);
        return new CompactPtrTable(space, n, keys, targets, index, [.. ttls], ttl8, ttl16);
    }

    private static void WriteKey(Span<byte> destination, UInt128 host)
    {
        for (int k = destination.Length - 1; k >= 0; k--)
        {
            destination[k] = (byte)host;
            host >>= 8;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private UInt128 HostAt(int i)
    {
        if (_keySet)
            return (uint)Select(i);
        var keys = _keys;
        int p = i * _width;
        if (_width == 1)
            return keys[p];
        ulong low = 0;
        int end = p + _width;
        int lowStart = Math.Max(p, end - 8);
        ulong high = 0;
        for (int k = p; k < lowStart; k++)
            high = high << 8 | keys[k];
        for (int k = lowStart; k < end; k++)
            low = low << 8 | keys[k];
        return high == 0 ? low : new UInt128(high, low);
    }

    /// <summary>The <paramref name="i"/>-th present one-octet key (the bit set's select).</summary>
    private int Select(int i)
    {
        int c0 = BitOperations.PopCount(_set0);
        if (i < c0)
            return SelectIn(_set0, i);
        i -= c0;
        int c1 = BitOperations.PopCount(_set1);
        if (i < c1)
            return 64 + SelectIn(_set1, i);
        i -= c1;
        int c2 = BitOperations.PopCount(_set2);
        if (i < c2)
            return 128 + SelectIn(_set2, i);
        return 192 + SelectIn(_set3, i - c2);
    }

    /// <summary>The position of the <paramref name="i"/>-th set bit of <paramref name="word"/>.</summary>
    private static int SelectIn(ulong word, int i)
    {
        for (; i > 0; i--)
            word &= word - 1;
        return BitOperations.TrailingZeroCount(word);
    }

    /// <summary>Whether one-octet key <paramref name="b"/> is present, and how many keys lie below it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int RankOf(int b, out bool present)
    {
        ulong below = (1UL << (b & 63)) - 1;
        int rank;
        ulong word;
        switch (b >> 6)
        {
            case 0:
                word = _set0;
                rank = 0;
                break;
            case 1:
                word = _set1;
                rank = BitOperations.PopCount(_set0);
                break;
            case 2:
                word = _set2;
                rank = BitOperations.PopCount(_set0) + BitOperations.PopCount(_set1);
                break;
            default:
                word = _set3;
                rank = BitOperations.PopCount(_set0) + BitOperations.PopCount(_set1) + BitOperations.PopCount(_set2);
                break;
        }
        present = (word >> (b & 63) & 1) != 0;
        return rank + BitOperations.PopCount(word & below);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong HostAt64(int i)
    {
        var keys = _keys;
        int p = i * _width;
        // Eight octets read at once (big-endian) and the key's own kept, where the array goes on that far.
        if ((uint)(p + 8) <= (uint)keys.Length)
            return BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(keys), p))) >> (64 - 8 * _width);
        int end = p + _width;
        ulong value = 0;
        for (int k = p; k < end; k++)
            value = value << 8 | keys[k];
        return value;
    }

    /// <summary>The index of <paramref name="key"/>, or the bitwise complement of where it would go.</summary>
    public int IndexOf(UInt128 key)
    {
        if (key < _network)
            return ~0;
        UInt128 host = key - _network;
        if (Beyond(host))
            return ~Count;
        if (_keySet)
        {
            int rank = RankOf((int)(ulong)host, out bool present);
            return present ? rank : ~rank;
        }
        int lo = 0, hi = Count - 1;
        if (_buckets is { } buckets)
        {
            int bucket = BucketOf(host, _bucketShift);
            lo = buckets[bucket];
            hi = buckets[bucket + 1] - 1;
        }
        // Keys of up to eight octets (one-octet keys of a table that repeats an address among them)
        // compare as integers.
        if (_width <= 8)
        {
            // The last key at or below the one sought, halving without a branch on the keys (the
            // keys of a bucket are random: a branch on them mispredicts every other step). Each
            // step keeps that key in [at, at + n).
            ulong h = (ulong)host;
            int n = hi - lo + 1;
            if (n <= 0)
                return ~lo;
            int at = lo;
            while (n > 1)
            {
                int half = n >> 1;
                bool below = HostAt64(at + half) <= h;
                // The comparison's flag as 0 or 1 (a setcc): the compiler keeps a branch for a conditional expression here.
                at += half & -Unsafe.As<bool, byte>(ref below);
                n -= half;
            }
            ulong k = HostAt64(at);
            return k == h ? at : ~(k < h ? at + 1 : at);
        }
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            UInt128 k = HostAt(mid);
            if (k == host)
                return mid;
            if (k < host)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return ~lo;
    }

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
        ttl = TtlAt(i);
        targetLength = Target(i, target);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint TtlAt(int i) => _ttlIndex switch
    {
        null => _ttl,
        byte[] t8 => _ttls![t8[i]],
        _ => _ttls![Unsafe.As<ushort[]>(_ttlIndex)[i]],
    };

    /// <summary>Whether a host part (key − network) lies past the table's address space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Beyond(UInt128 host)
    {
        int bits = _hostBits;
        ulong high = (ulong)(host >> 64);
        if (bits < 64)
            return high != 0 || ((ulong)host >> bits) != 0;
        return bits < 128 && (high >> (bits - 64)) != 0;
    }

    /// <summary>Writes the target of entry <paramref name="i"/> into <paramref name="destination"/>; returns its length.</summary>
    public int Target(int i, Span<byte> destination)
    {
        int next = -1, nextAt = 0;
        return Target(i, destination, ref next, ref nextAt, out _, out _);
    }

    /// <summary>
    /// As <see cref="Target(int, Span{byte})"/>, and where the target's stored suffix begins in it
    /// (<paramref name="suffixAt"/>) and its number in <see cref="TargetSuffixes"/>. A reader going
    /// through the entries in order passes the same <paramref name="next"/> and
    /// <paramref name="nextAt"/> each time (-1 and 0 at first): the entry after the last one read
    /// and where its octets begin, so the next read starts there instead of from the index.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Target(int i, Span<byte> destination, ref int next, ref int nextAt, out int suffixAt, out int suffixId)
    {
        var targets = _targets;
        int pos;
        if (i == next)
        {
            pos = nextAt;
        }
        else
        {
            pos = 0;
            int skip = i;
            if (_index is { } index)
            {
                pos = index[i / IndexStep];
                skip = i % IndexStep;
            }
            for (; skip > 0; skip--)
                pos = SkipTarget(targets, pos);
        }
        int own = ReadOwn(targets, pos, destination, out int end);
        int id = ReadSuffixNumber(targets, ref end);
        var suffix = TargetSuffixes.Get(id);
        suffix.CopyTo(destination[own..]);
        suffixAt = own;
        suffixId = id;
        next = i + 1;
        nextAt = end;
        return own + suffix.Length;
    }

    /// <summary>The index of the first key at or above <paramref name="key"/> (<see cref="Count"/> when none is).</summary>
    public int LowerBound(UInt128 key)
    {
        int i = IndexOf(key);
        return i >= 0 ? i : ~i;
    }

    public UInt128 KeyAt(int i) => _network + HostAt(i);

    /// <summary>True when some key lies in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public bool AnyInRange(UInt128 low, UInt128 high)
    {
        int i = IndexOf(low);
        if (i >= 0)
            return true;
        int next = ~i;
        return next < Count && KeyAt(next) <= high;
    }

    /// <summary>The wire name of the entry with <paramref name="key"/> in the zone <paramref name="info"/> describes.</summary>
    public static byte[] OwnerOf(ReverseZoneInfo info, UInt128 key, DnsName origin) => info.NameOf(key, origin);
}
