using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rdns.Zones;

/// <summary>
/// A fixed prefix code for the own labels of PTR targets (as HPACK has one for HTTP headers): each
/// octet of a label, and the end of each label, is a code of 3 to 16 bits, short for what host
/// names are mostly made of (lowercase letters, digits, hyphens), long for the rest, so any label
/// octets can be coded. Host names take under two thirds of their wire octets (the tests hold sample
/// names to it).
/// <para>
/// Coded labels are the codes of their octets, each label followed by the end-of-label code, the
/// last octet padded with one bits. The padding is never a code: the all-ones codes are the longest
/// (16 bits), so fewer than eight one bits cannot be one, and the decoder stops there.
/// </para>
/// <para>
/// The code is Huffman's for fixed weights (English letter frequencies, digits and hyphens as
/// host names use them, uppercase at a fiftieth of lowercase, every other octet rare), made
/// canonical, so it depends on nothing a server reads and every server decodes what any wrote.
/// </para>
/// </summary>
internal static class TargetCode
{
    /// <summary>The symbol that ends a label (the octets are 0 to 255).</summary>
    private const int EndOfLabel = 256;

    private const int Symbols = 257;

    /// <summary>The longest code; a test holds the weights to it.</summary>
    internal const int MaxCodeBits = 16;

    /// <summary>Codes of up to this many bits are found by one table lookup.</summary>
    private const int LookupBits = 11;

    /// <summary>Each symbol's code, right-aligned, and its length.</summary>
    private static readonly ushort[] Codes = new ushort[Symbols];
    private static readonly byte[] Lengths = new byte[Symbols];

    /// <summary>
    /// For every <see cref="LookupBits"/>-bit window, the symbol whose code begins it and the
    /// code's length (length &lt;&lt; 9 | symbol); 0 where the code is longer than the window.
    /// </summary>
    private static readonly ushort[] Lookup = new ushort[1 << LookupBits];

    /// <summary>The shortest code (the end of a label's).</summary>
    private static readonly int ShortestCode;

    /// <summary>Octets a <see cref="Several"/> entry writes at most (three, and the label's next length octet).</summary>
    private const int PerLookup = 4;

    /// <summary>The window <see cref="Several"/> decodes at a time.</summary>
    private const int WindowBits = 12;

    /// <summary>The flag of an entry of <see cref="Several"/> whose last code ends a label.</summary>
    private const uint EndsLabel = 1u << 31;

    /// <summary>
    /// For every <see cref="WindowBits"/>-bit window, the whole codes at its start, taken until an end
    /// of label or three octets: the octets (low three bytes), the bits they take (bits 24 to 28),
    /// how many octets (bits 29 and 30), and <see cref="EndsLabel"/>; 0 where the first code is
    /// longer than the window.
    /// </summary>
    private static readonly uint[] Several = new uint[1 << WindowBits];

    /// <summary>For codes longer than the window, per length: the first code, how many there are and where their symbols begin in <see cref="Sorted"/>.</summary>
    private static readonly int[] FirstCode = new int[MaxCodeBits + 1];
    private static readonly int[] CountOf = new int[MaxCodeBits + 1];
    private static readonly int[] FirstIndex = new int[MaxCodeBits + 1];
    private static readonly ushort[] Sorted = new ushort[Symbols];

    static TargetCode()
    {
        AssignLengths(Weights());
        // Canonical codes: by length, then by symbol.
        int at = 0;
        for (int length = 1; length <= MaxCodeBits; length++)
        {
            FirstIndex[length] = at;
            for (int s = 0; s < Symbols; s++)
            {
                if (Lengths[s] == length)
                    Sorted[at++] = (ushort)s;
            }
            CountOf[length] = at - FirstIndex[length];
        }
        int code = 0;
        for (int length = 1; length <= MaxCodeBits; length++)
        {
            FirstCode[length] = code;
            for (int k = 0; k < CountOf[length]; k++)
            {
                int s = Sorted[FirstIndex[length] + k];
                Codes[s] = (ushort)code;
                if (length <= LookupBits)
                {
                    int from = code << (LookupBits - length);
                    Lookup.AsSpan(from, 1 << (LookupBits - length)).Fill((ushort)(length << 9 | s));
                }
                code++;
            }
            code <<= 1;
        }
        for (int window = 0; window < Several.Length; window++)
            Several[window] = SeveralAt(window);
        ShortestCode = Lengths.Min();
    }

    /// <summary>The <see cref="Several"/> entry of <paramref name="window"/>.</summary>
    private static uint SeveralAt(int window)
    {
        ulong bits = (ulong)window << (64 - WindowBits);
        uint octets = 0;
        int used = 0, count = 0;
        while (count < 3)
        {
            int symbol = Canonical(bits, 1, WindowBits - used, out int length);
            if (symbol < 0)
                break;
            bits <<= length;
            used += length;
            if (symbol == EndOfLabel)
                return octets | (uint)used << 24 | (uint)count << 29 | EndsLabel;
            octets |= (uint)symbol << (8 * count);
            count++;
        }
        return used == 0 ? 0 : octets | (uint)used << 24 | (uint)count << 29;
    }

    /// <summary>The weights the code is built from (see the class remarks).</summary>
    private static long[] Weights()
    {
        var weights = new long[Symbols];
        Array.Fill(weights, 2);
        // Letter frequencies of English text, in thousandths of a percent.
        ReadOnlySpan<int> letters =
        [
            8200, 1500, 2800, 4300, 12700, 2200, 2000, 6100, 7000, 150, 800, 4000, 2400,
            6700, 7500, 1900, 100, 6000, 6300, 9100, 2800, 1000, 2400, 150, 2000, 70,
        ];
        for (int i = 0; i < 26; i++)
        {
            weights['a' + i] = letters[i];
            weights['A' + i] = Math.Max(2, letters[i] / 50);
        }
        for (int d = '0'; d <= '9'; d++)
            weights[d] = 1600;
        weights['-'] = 2500;
        weights['_'] = 50;
        weights[EndOfLabel] = 14000;
        return weights;
    }

    /// <summary>Huffman's code lengths for <paramref name="weights"/>, ties broken by symbol, then by the order nodes were made.</summary>
    private static void AssignLengths(long[] weights)
    {
        var queue = new PriorityQueue<int, (long, int)>();
        for (int s = 0; s < Symbols; s++)
            queue.Enqueue(s, (weights[s], s));
        var parent = new int[2 * Symbols];
        int next = Symbols;
        while (queue.Count > 1)
        {
            queue.TryDequeue(out int a, out var wa);
            queue.TryDequeue(out int b, out var wb);
            parent[a] = parent[b] = next;
            queue.Enqueue(next, (wa.Item1 + wb.Item1, next));
            next++;
        }
        int root = next - 1;
        for (int s = 0; s < Symbols; s++)
        {
            int depth = 0;
            for (int n = s; n != root; n = parent[n])
                depth++;
            if (depth > MaxCodeBits)
                throw new InvalidOperationException("a target code is longer than the decoder reads");
            Lengths[s] = (byte)depth;
        }
    }

    /// <summary>The code length of <paramref name="symbol"/> (an octet, or 256 for the end of a label).</summary>
    internal static int LengthOf(int symbol) => Lengths[symbol];

    /// <summary>Octets the coded form of <paramref name="labels"/> (labels in wire form, no root) takes.</summary>
    public static int CodedLength(ReadOnlySpan<byte> labels)
    {
        var lengths = Lengths;
        int bits = 0;
        for (int at = 0; at < labels.Length;)
        {
            int length = labels[at++];
            foreach (byte b in labels.Slice(at, length))
                bits += lengths[b];
            bits += lengths[EndOfLabel];
            at += length;
        }
        return (bits + 7) >> 3;
    }

    /// <summary>Writes the coded form of <paramref name="labels"/> (of <see cref="CodedLength"/> octets) to <paramref name="destination"/>.</summary>
    public static void Encode(ReadOnlySpan<byte> labels, Span<byte> destination)
    {
        ulong pending = 0;
        int bits = 0;
        int to = 0;
        for (int at = 0; at < labels.Length;)
        {
            int length = labels[at++];
            for (int k = 0; k <= length; k++)
            {
                int symbol = k < length ? labels[at + k] : EndOfLabel;
                pending = pending << Lengths[symbol] | Codes[symbol];
                bits += Lengths[symbol];
                while (bits >= 8)
                {
                    bits -= 8;
                    destination[to++] = (byte)(pending >> bits);
                }
            }
            at += length;
        }
        if (bits > 0)
            destination[to] = (byte)(pending << (8 - bits) | (0xFFu >> bits));
    }

    /// <summary>
    /// Writes the labels coded in the first <paramref name="codeLength"/> octets of
    /// <paramref name="from"/> (which may go on past them: reads eight octets at a time where it
    /// does) to <paramref name="destination"/> in wire form; returns their length.
    /// <paramref name="destination"/> is written in place, octets past the labels written over,
    /// when it has <see cref="DecodeRoom"/> (a 255-octet name buffer has it for the up to 63 octets
    /// of a table's coded labels); else through a buffer of that size.
    /// </summary>
    [SkipLocalsInit]
    public static int Decode(ReadOnlySpan<byte> from, int codeLength, Span<byte> destination)
    {
        int room = DecodeRoom(codeLength);
        bool inPlace = destination.Length >= room;
        Span<byte> labels = inPlace ? destination : stackalloc byte[room];
        // Past this, a round of lookups could write beyond the room: only malformed code gets here.
        int last = labels.Length - 4 * PerLookup - 1;
        ref byte output = ref MemoryMarshal.GetReference(labels);
        ref uint several = ref MemoryMarshal.GetArrayDataReference(Several);
        int labelAt = 0;
        int to = 1;
        int at = 0;
        int bits = codeLength * 8;
        // 64 bits read at a time, then up to four lookups of up to three octets and the end of a
        // label each, one after another in a register, as long as the codes they take are all
        // code (not padding, not past the end). Each entry's four octets are written whole (past
        // the ones it has, later written over), and the label's length octet every time (final
        // when the label ends), so no branch asks where labels end: they end at random. A code
        // longer than the window, or one the window cannot tell from what follows it, is read
        // alone. The end: fewer than eight bits left, all ones (the padding).
        while (true)
        {
            int left = bits - at;
            ulong window = Peek(from, codeLength, at);
            if (left < 8 && (left == 0 || window >> (64 - left) == (1UL << left) - 1))
                break;
            if (to > last)
                throw new InvalidDataException("a coded target is malformed");
            int used = 0;
            for (int k = 0; k < 4; k++)
            {
                uint entry = Unsafe.Add(ref several, (int)(window >> (64 - WindowBits)));
                int length = (int)(entry >> 24) & 0x1F;
                if (length == 0 || used + length > left)
                    break;
                window <<= length;
                used += length;
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, to), entry);
                to += (int)(entry >> 29) & 3;
                Unsafe.Add(ref output, labelAt) = (byte)(to - labelAt - 1);
                int ends = (int)(entry >> 31);
                labelAt += (to - labelAt) & -ends;
                to += ends;
            }
            if (used > 0)
            {
                at += used;
                continue;
            }
            int single = Lookup[(int)(window >> (64 - LookupBits))];
            int codeBits = single >> 9;
            int symbol = single & 0x1FF;
            if (codeBits == 0)
                symbol = Long(window, out codeBits);
            if (codeBits > left)
                throw new InvalidDataException("a coded target is malformed");
            at += codeBits;
            if (symbol != EndOfLabel)
            {
                Unsafe.Add(ref output, to++) = (byte)symbol;
            }
            else
            {
                Unsafe.Add(ref output, labelAt) = (byte)(to - labelAt - 1);
                labelAt = to++;
            }
        }
        if (!inPlace)
            labels[..labelAt].CopyTo(destination);
        return labelAt;
    }

    /// <summary>
    /// What <see cref="Decode"/> may write for <paramref name="codeLength"/> octets of code: the
    /// most symbols they hold (every code at its shortest), the first length octet, and what one
    /// round of lookups writes past the last octet.
    /// </summary>
    internal static int DecodeRoom(int codeLength) => codeLength * 8 / ShortestCode + 2 + 4 * PerLookup;

    /// <summary>The 64 bits of <paramref name="from"/> from bit <paramref name="at"/> on (zeros past <paramref name="codeLength"/> octets where the span ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Peek(ReadOnlySpan<byte> from, int codeLength, int at)
    {
        int octet = at >> 3;
        if (octet + 8 <= from.Length)
            return BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(from), octet))) << (at & 7);
        ulong value = 0;
        for (int k = 0; k < 8; k++)
            value = value << 8 | (octet + k < codeLength ? from[octet + k] : 0u);
        return value << (at & 7);
    }

    /// <summary>A symbol whose code is longer than the lookup window.</summary>
    private static int Long(ulong window, out int length)
    {
        int symbol = Canonical(window, LookupBits + 1, MaxCodeBits, out length);
        return symbol >= 0 ? symbol : throw new InvalidDataException("a coded target is malformed");
    }

    /// <summary>The symbol whose code of <paramref name="shortest"/> to <paramref name="longest"/> bits begins <paramref name="window"/> (its length in <paramref name="length"/>), or -1.</summary>
    private static int Canonical(ulong window, int shortest, int longest, out int length)
    {
        for (length = shortest; length <= longest; length++)
        {
            int offset = (int)(window >> (64 - length)) - FirstCode[length];
            if ((uint)offset < (uint)CountOf[length])
                return Sorted[FirstIndex[length] + offset];
        }
        return -1;
    }
}
