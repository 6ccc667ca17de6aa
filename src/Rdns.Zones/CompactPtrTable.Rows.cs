using System.Numerics;

namespace Rdns.Zones;

/// <summary>A table's parts as a row of <see cref="SmallZones"/> keeps them, and the reads a row makes.</summary>
internal sealed partial class CompactPtrTable
{
    /// <summary>
    /// Most entries a row holds. A row keeps no index: a lookup skips up to this many less one
    /// targets from the row's first, a few hundred octets read in order.
    /// </summary>
    internal const int MaxRowEntries = 32;

    /// <summary>
    /// The parts of a table of one-octet keys (a /24), each key once, one TTL, no index: the
    /// 256-bit set of its keys (four words), its targets, its TTL. False for any other table.
    /// </summary>
    internal bool TryRowParts(Span<ulong> set, out byte[] targets, out uint ttl)
    {
        targets = _targets;
        ttl = _ttl;
        if (!_keySet || _hostBits != 8 || _ttls is not null || Count > MaxRowEntries)
            return false;
        set[0] = _set0;
        set[1] = _set1;
        set[2] = _set2;
        set[3] = _set3;
        return true;
    }

    /// <summary>The table a row's parts make again (see <see cref="TryRowParts"/>).</summary>
    internal static CompactPtrTable FromRow(AddressSpace space, ReadOnlySpan<ulong> set, byte[] targets, uint ttl)
    {
        int count = 0;
        foreach (ulong word in set)
            count += BitOperations.PopCount(word);
        var keys = new byte[count];
        int k = 0;
        for (int b = 0; b < 256; b++)
        {
            if ((set[b >> 6] >> (b & 63) & 1) != 0)
                keys[k++] = (byte)b;
        }
        // The index a table of this many entries has (every IndexStep-th target's start).
        int[]? index = null;
        if (count > UnindexedCount)
        {
            index = new int[(count + IndexStep - 1) / IndexStep];
            int pos = 0;
            for (int i = 0; i < count; i++)
            {
                if (i % IndexStep == 0)
                    index[i / IndexStep] = pos;
                pos = SkipTarget(targets, pos);
            }
        }
        return new CompactPtrTable(space, count, keys, targets, index, count == 0 ? [] : [ttl], null, null);
    }

    /// <summary>
    /// Whether one-octet key <paramref name="b"/> is in the 256-bit <paramref name="set"/>, and
    /// how many keys lie below it (its entry's place among the targets).
    /// </summary>
    internal static int RankIn(ReadOnlySpan<ulong> set, int b, out bool present)
    {
        int word = b >> 6;
        int rank = 0;
        for (int i = 0; i < word; i++)
            rank += BitOperations.PopCount(set[i]);
        ulong bits = set[word];
        present = (bits >> (b & 63) & 1) != 0;
        return rank + BitOperations.PopCount(bits & ((1UL << (b & 63)) - 1));
    }

    /// <summary>Where the entry <paramref name="skip"/> entries after the one starting at <paramref name="pos"/> starts.</summary>
    private static int SkipTargets(byte[] targets, int pos, int skip)
    {
        for (; skip > 0; skip--)
            pos = SkipTarget(targets, pos);
        return pos;
    }

    /// <summary>
    /// The suffix number of the target <paramref name="skip"/> entries after the one starting at
    /// <paramref name="pos"/> (what <see cref="TargetAfter"/> looks up last), for a prefetch of it.
    /// </summary>
    internal static int SuffixNumberAfter(byte[] targets, int pos, int skip)
    {
        pos = NumberAt(targets, SkipTargets(targets, pos, skip));
        return ReadSuffixNumber(targets, ref pos);
    }

    /// <summary>
    /// Writes the target of the entry <paramref name="skip"/> entries after the one starting at
    /// <paramref name="pos"/> of <paramref name="targets"/> into <paramref name="destination"/>
    /// (255 octets); returns its length.
    /// </summary>
    internal static int TargetAfter(byte[] targets, int pos, int skip, Span<byte> destination)
    {
        int own = ReadOwn(targets, SkipTargets(targets, pos, skip), destination, out int end);
        var suffix = TargetSuffixes.Get(ReadSuffixNumber(targets, ref end));
        suffix.CopyTo(destination[own..]);
        return own + suffix.Length;
    }
}
