using System.Runtime.CompilerServices;

namespace Rdns.Zones;

/// <summary>
/// The form of a table's targets: which suffix of a target is stored by number
/// (<see cref="ChooseSuffix"/>), and how the own labels and the suffix number follow each other in
/// the targets array. An entry is its own labels (see <see cref="OwnLength"/>: mostly a length
/// octet of 1 to 63 and the labels in <see cref="TargetCode"/>), then the number, whose first
/// octet (0x40 and above, which neither a coded length nor a label length is) says its length.
/// </summary>
internal sealed partial class CompactPtrTable
{
    /// <summary>Suffix numbers below this take one octet (0x40 + number).</summary>
    private const int OneOctetNumbers = 0x80;

    /// <summary>Below this, two octets: 0xC0 to 0xEF, then the low octet.</summary>
    private const int TwoOctetNumbers = OneOctetNumbers + (0x30 << 8);

    /// <summary>Below this, three octets: 0xF0 to 0xFE, then two; above, four: 0xFF and the number in three.</summary>
    private const int ThreeOctetNumbers = TwoOctetNumbers + (0x0F << 16);

    /// <summary>Octets of suffix number <paramref name="id"/> in a table's targets.</summary>
    internal static int SuffixNumberLength(int id) => id < OneOctetNumbers ? 1 : id < TwoOctetNumbers ? 2 : id < ThreeOctetNumbers ? 3 : 4;

    /// <summary>Octets of the suffix number whose first octet is <paramref name="first"/> (at least 0x40).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SuffixNumberLengthAt(int first) => first < 0xC0 ? 1 : first < 0xF0 ? 2 : first < 0xFF ? 3 : 4;

    /// <summary>Writes suffix number <paramref name="id"/> at <paramref name="pos"/>; returns where it ends.</summary>
    internal static int WriteSuffixNumber(Span<byte> to, int pos, int id)
    {
        if (id < OneOctetNumbers)
        {
            to[pos] = (byte)(0x40 + id);
            return pos + 1;
        }
        if (id < TwoOctetNumbers)
        {
            int n = id - OneOctetNumbers;
            to[pos] = (byte)(0xC0 + (n >> 8));
            to[pos + 1] = (byte)n;
            return pos + 2;
        }
        if (id < ThreeOctetNumbers)
        {
            int n = id - TwoOctetNumbers;
            to[pos] = (byte)(0xF0 + (n >> 16));
            to[pos + 1] = (byte)(n >> 8);
            to[pos + 2] = (byte)n;
            return pos + 3;
        }
        to[pos] = 0xFF;
        to[pos + 1] = (byte)(id >> 16);
        to[pos + 2] = (byte)(id >> 8);
        to[pos + 3] = (byte)id;
        return pos + 4;
    }

    /// <summary>Reads the suffix number at <paramref name="pos"/> (its first octet at least 0x40) and moves past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int ReadSuffixNumber(ReadOnlySpan<byte> from, ref int pos)
    {
        int first = from[pos];
        if (first < 0xC0)
        {
            pos += 1;
            return first - 0x40;
        }
        if (first < 0xF0)
        {
            pos += 2;
            return OneOctetNumbers + ((first - 0xC0) << 8 | from[pos - 1]);
        }
        if (first < 0xFF)
        {
            pos += 3;
            return TwoOctetNumbers + ((first - 0xF0) << 16 | from[pos - 2] << 8 | from[pos - 1]);
        }
        pos += 4;
        return from[pos - 3] << 16 | from[pos - 2] << 8 | from[pos - 1];
    }

    /// <summary>The first octet of an entry whose own labels are kept as they are in wire form.</summary>
    private const byte RawOwn = 0;

    /// <summary>Coded own labels longer than this many octets are kept raw (the first octet says the coded length).</summary>
    private const int MaxCodedOwn = 0x3F;

    /// <summary>
    /// Octets the own labels <paramref name="own"/> (wire form, no root) take in an entry, before
    /// the suffix number: none when there are none; else the coded length and the
    /// <see cref="TargetCode"/> of the labels, or, where that is not shorter, <see cref="RawOwn"/>
    /// and the labels as they are.
    /// </summary>
    internal static int OwnLength(ReadOnlySpan<byte> own) => own.IsEmpty ? 0 : 1 + (CodedOwnLength(own) is > 0 and var coded ? coded : own.Length);

    /// <summary>The octets of <paramref name="own"/> coded when it is kept coded (shorter than as it is, and a length octet below 0x40 can say it); 0 when it is kept raw.</summary>
    private static int CodedOwnLength(ReadOnlySpan<byte> own)
    {
        int coded = TargetCode.CodedLength(own);
        return coded < own.Length && coded <= MaxCodedOwn ? coded : 0;
    }

    /// <summary>Writes the own labels <paramref name="own"/> at <paramref name="pos"/> in the form <see cref="OwnLength"/> measures; returns where they end.</summary>
    internal static int WriteOwn(Span<byte> to, int pos, ReadOnlySpan<byte> own)
    {
        if (own.IsEmpty)
            return pos;
        int coded = CodedOwnLength(own);
        if (coded > 0)
        {
            to[pos] = (byte)coded;
            TargetCode.Encode(own, to.Slice(pos + 1, coded));
            return pos + 1 + coded;
        }
        to[pos] = RawOwn;
        own.CopyTo(to[(pos + 1)..]);
        return pos + 1 + own.Length;
    }

    /// <summary>
    /// Writes the own labels of the entry at <paramref name="pos"/> in wire form to
    /// <paramref name="destination"/> (room for them); returns their length, with
    /// where the entry's suffix number is in <paramref name="numberAt"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadOwn(byte[] targets, int pos, Span<byte> destination, out int numberAt)
    {
        int first = targets[pos];
        if (first >= 0x40)
        {
            numberAt = pos;
            return 0;
        }
        if (first != RawOwn)
        {
            numberAt = pos + 1 + first;
            return TargetCode.Decode(targets.AsSpan(pos + 1), first, destination);
        }
        int end = RawEnd(targets, pos + 1);
        targets.AsSpan(pos + 1, end - pos - 1).CopyTo(destination);
        numberAt = end;
        return end - pos - 1;
    }

    /// <summary>Where raw own labels starting at <paramref name="pos"/> end: at the suffix number.</summary>
    private static int RawEnd(byte[] targets, int pos)
    {
        int b;
        while ((b = targets[pos]) < 0x40)
            pos += 1 + b;
        return pos;
    }

    /// <summary>Where the suffix number of the entry at <paramref name="pos"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NumberAt(byte[] targets, int pos)
    {
        int first = targets[pos];
        return first >= 0x40 ? pos : first != RawOwn ? pos + 1 + first : RawEnd(targets, pos + 1);
    }

    /// <summary>Where the target after the one at <paramref name="pos"/> starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipTarget(byte[] targets, int pos)
    {
        pos = NumberAt(targets, pos);
        return pos + SuffixNumberLengthAt(targets[pos]);
    }

    /// <summary>How many suffixes a target has below its first label (the root not counted).</summary>
    private static int SuffixCount(ReadOnlySpan<byte> target)
    {
        int count = 0;
        for (int at = 1 + target[0]; at < target.Length - 1; at += 1 + target[at])
            count++;
        return count;
    }

    /// <summary>Where the stored suffix of <paramref name="target"/> begins: the longest shared or known one, else the last label.</summary>
    /// <remarks><paramref name="hashes"/> are the suffixes' <see cref="TargetSuffixes.Hash"/>; <paramref name="hash"/> is the chosen one's.</remarks>
    private static int ChooseSuffix(ReadOnlySpan<byte> target, ReadOnlySpan<uint> hashes, SharedSuffixes shared, out ulong hash)
    {
        if (target[0] == 0)
        {
            hash = TargetSuffixes.Hash(target);
            return 0;
        }
        int last = 0;
        int h = 0;
        for (int at = 1 + target[0]; at < target.Length - 1; at += 1 + target[at])
        {
            hash = hashes[h++];
            if (shared.IsShared((uint)hash) || TargetSuffixes.Find(target[at..], hash) >= 0)
                return at;
            last = at;
        }
        // No suffix shared: keep the top-level label apart (shared with other zones), or, for a
        // one-label name, store the name whole with the root as its suffix.
        if (last == 0)
        {
            hash = TargetSuffixes.Hash(target[^1..]);
            return target.Length - 1;
        }
        hash = hashes[h - 1];
        return last;
    }
}
