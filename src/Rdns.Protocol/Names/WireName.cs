using System.Runtime.CompilerServices;

namespace Rdns.Protocol.Names;

/// <summary>Operations on names in wire form held in spans; none of them allocate.</summary>
public static class WireName
{
    /// <summary>
    /// RFC 1035 §4.1.4 allows compression pointers anywhere; a name has at most 127 labels, so more
    /// jumps than that can only be a loop.
    /// </summary>
    public const int MaxPointerHops = 127;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToLower(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;

    public static void LowerInPlace(Span<byte> wire)
    {
        for (int i = 0; i < wire.Length; i++)
            wire[i] = ToLower(wire[i]);
    }

    /// <summary>
    /// Compares two uncompressed wire names ignoring ASCII case. Length octets are below 64 and so
    /// never look like letters, which lets the whole buffer be compared octet by octet.
    /// </summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
            return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && ToLower(a[i]) != ToLower(b[i]))
                return false;
        }
        return true;
    }

    public static int HashIgnoreCase(ReadOnlySpan<byte> wire)
    {
        // FNV-1a over lowered octets: cheap, allocation-free and stable across processes.
        uint h = 2166136261;
        foreach (byte b in wire)
            h = (h ^ ToLower(b)) * 16777619;
        return (int)h;
    }

    /// <summary>Number of labels of an uncompressed wire name (root = 0).</summary>
    public static int CountLabels(ReadOnlySpan<byte> wire)
    {
        int pos = 0, n = 0;
        while (pos < wire.Length && wire[pos] != 0)
        {
            pos += 1 + wire[pos];
            n++;
        }
        return n;
    }

    /// <summary>Offset of the suffix that remains after skipping <paramref name="labels"/> leftmost labels.</summary>
    public static int SkipLabels(ReadOnlySpan<byte> wire, int labels)
    {
        int pos = 0;
        for (int i = 0; i < labels; i++)
            pos += 1 + wire[pos];
        return pos;
    }

    /// <summary>RFC 4034 §6.1 canonical ordering of two uncompressed names.</summary>
    public static int CanonicalCompare(ReadOnlySpan<byte> a, int aLabels, ReadOnlySpan<byte> b, int bLabels)
    {
        Span<int> aStarts = stackalloc int[128];
        Span<int> bStarts = stackalloc int[128];
        FillStarts(a, aStarts);
        FillStarts(b, bStarts);
        int common = Math.Min(aLabels, bLabels);
        for (int i = 1; i <= common; i++)
        {
            var la = a.Slice(aStarts[aLabels - i] + 1, a[aStarts[aLabels - i]]);
            var lb = b.Slice(bStarts[bLabels - i] + 1, b[bStarts[bLabels - i]]);
            int n = Math.Min(la.Length, lb.Length);
            for (int k = 0; k < n; k++)
            {
                int d = ToLower(la[k]) - ToLower(lb[k]);
                if (d != 0)
                    return d;
            }
            if (la.Length != lb.Length)
                return la.Length - lb.Length;
        }
        return aLabels - bLabels;
    }

    private static void FillStarts(ReadOnlySpan<byte> wire, Span<int> starts)
    {
        int pos = 0, n = 0;
        while (wire[pos] != 0)
        {
            starts[n++] = pos;
            pos += 1 + wire[pos];
        }
    }

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> of <paramref name="message"/>
    /// into <paramref name="destination"/> (at least 255 octets) as uncompressed wire form.
    /// Returns the octets written, or -1 when the name is malformed: a label type other than
    /// 0b00/0b11, a pointer outside the message or forward of itself, a loop, or more than 255 octets.
    /// <paramref name="next"/> receives the offset just past the name where it was found.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> message, int offset, Span<byte> destination, out int next)
    {
        next = -1;
        int written = 0;
        int pos = offset;
        int hops = 0;
        int lowestPointerTarget = offset;
        // Labels are checked one by one and copied a run at a time (from runFrom up to a pointer
        // or the end), the run written where it began: one copy for an uncompressed name.
        int runFrom = pos;
        while (true)
        {
            if ((uint)pos >= (uint)message.Length)
                return -1;
            int len = message[pos];
            if (len == 0)
            {
                if (written + 1 > DnsName.MaxLength)
                    return -1;
                written++;
                message[runFrom..(pos + 1)].CopyTo(destination[(written - (pos + 1 - runFrom))..]);
                if (next < 0)
                    next = pos + 1;
                return written;
            }
            switch (len & 0xC0)
            {
                case 0x00:
                    if (pos + 1 + len > message.Length || written + 1 + len + 1 > DnsName.MaxLength)
                        return -1;
                    written += 1 + len;
                    pos += 1 + len;
                    break;
                case 0xC0:
                    if (pos + 1 >= message.Length)
                        return -1;
                    int target = ((len & 0x3F) << 8) | message[pos + 1];
                    if (next < 0)
                        next = pos + 2;
                    // Only backward pointers: each jump must land before every earlier one, which
                    // rules out loops without keeping a visited set.
                    if (target >= lowestPointerTarget || ++hops > MaxPointerHops)
                        return -1;
                    message[runFrom..pos].CopyTo(destination[(written - (pos - runFrom))..]);
                    lowestPointerTarget = target;
                    pos = target;
                    runFrom = pos;
                    break;
                default:
                    // 0x40 and 0x80 label types (RFC 6891 §5 deprecates extended labels).
                    return -1;
            }
        }
    }

    /// <summary>Skips a possibly compressed name without copying it; -1 when malformed.</summary>
    public static int Skip(ReadOnlySpan<byte> message, int offset)
    {
        int pos = offset;
        while (true)
        {
            if ((uint)pos >= (uint)message.Length)
                return -1;
            int len = message[pos];
            if (len == 0)
                return pos + 1;
            if ((len & 0xC0) == 0xC0)
                return pos + 2 <= message.Length ? pos + 2 : -1;
            if ((len & 0xC0) != 0)
                return -1;
            pos += 1 + len;
        }
    }
    /// <summary>
    /// True when the name at <paramref name="offset"/> of <paramref name="message"/> (compression
    /// pointers followed) equals the uncompressed <paramref name="name"/> exactly, case included:
    /// what a message writer asks before pointing a name at an earlier one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool EqualsAt(scoped ReadOnlySpan<byte> message, int offset, scoped ReadOnlySpan<byte> name)
    {
        int s = 0, pos = offset, hops = 0;
        while (true)
        {
            int len = message[pos];
            if ((len & 0xC0) == 0xC0)
            {
                if (++hops > MaxPointerHops)
                    return false;
                pos = ((len & 0x3F) << 8) | message[pos + 1];
                continue;
            }
            if (name[s] != len)
                return false;
            if (len == 0)
                return true;
            if (!message.Slice(pos + 1, len).SequenceEqual(name.Slice(s + 1, len)))
                return false;
            pos += 1 + len;
            s += 1 + len;
        }
    }
}
