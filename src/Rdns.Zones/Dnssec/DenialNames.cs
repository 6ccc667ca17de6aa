using Rdns.Protocol.Names;

namespace Rdns.Zones.Dnssec;

/// <summary>
/// Names next to a name in DNSSEC canonical order (RFC 4034 §6.1), for NSEC records made on the
/// fly: the immediate successor (RFC 4471 §3.1.1: the name with a <c>\000</c> label in front), the
/// first name after a whole subtree, and the absolute predecessor (RFC 4471 §3.1.2). Names are
/// given and made lowercase, in uncompressed wire form; nothing allocates.
/// </summary>
public static class DenialNames
{
    /// <summary>The immediate successor of <paramref name="name"/>; returns its length.</summary>
    public static int Successor(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        if (name.Length + 2 <= DnsName.MaxLength)
        {
            destination[0] = 1;
            destination[1] = 0;
            name.CopyTo(destination[2..]);
            WireName.LowerInPlace(destination[2..(2 + name.Length)]);
            return name.Length + 2;
        }
        // No room for a label in front: the first name after the subtree is the next best (names
        // below a 254-octet name cannot exist, so nothing is skipped).
        return AfterSubtree(name, destination);
    }

    /// <summary>
    /// The first name after <paramref name="name"/> and everything below it: its first label with
    /// a zero octet appended, or, when that label is 63 octets, its last octet raised. Returns the
    /// length; 0 when no such name exists (a 63-octet label of \255, which never happens in practice).
    /// </summary>
    public static int AfterSubtree(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        int label = name[0];
        if (label < DnsName.MaxLabelLength && name.Length + 1 <= DnsName.MaxLength)
        {
            destination[0] = (byte)(label + 1);
            name.Slice(1, label).CopyTo(destination[1..]);
            destination[1 + label] = 0;
            name[(1 + label)..].CopyTo(destination[(2 + label)..]);
            WireName.LowerInPlace(destination[..(name.Length + 1)]);
            return name.Length + 1;
        }
        name.CopyTo(destination);
        WireName.LowerInPlace(destination[..name.Length]);
        for (int i = label; i >= 1; i--)
        {
            int next = NextOctet(destination[i]);
            if (next <= 0xFF)
            {
                destination[i] = (byte)next;
                return name.Length;
            }
        }
        return 0;
    }

    /// <summary>
    /// The absolute predecessor of <paramref name="name"/> (not the apex; RFC 4471 §3.1.2.1): the
    /// greatest name below the name just before its first label, padded with \255 to 255 octets, so
    /// that no name can exist between it and <paramref name="name"/>. Returns its length.
    /// </summary>
    public static int Predecessor(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        int label = name[0];
        var parent = name[(1 + label)..];
        Span<byte> first = stackalloc byte[DnsName.MaxLabelLength];
        name.Slice(1, label).CopyTo(first);
        WireName.LowerInPlace(first[..label]);
        int firstLength;
        if (first[label - 1] == 0)
        {
            // X\000 comes right after X and everything below X: the predecessor is the greatest
            // name below X (X itself when X is empty, i.e. the parent).
            firstLength = label - 1;
            if (firstLength == 0)
            {
                parent.CopyTo(destination);
                WireName.LowerInPlace(destination[..parent.Length]);
                return parent.Length;
            }
        }
        else
        {
            first[label - 1] = (byte)PreviousOctet(first[label - 1]);
            // The greatest label with that prefix: filled up with \255 (within the name's length).
            firstLength = Math.Min(DnsName.MaxLabelLength, DnsName.MaxLength - parent.Length - 1);
            first[label..firstLength].Fill(0xFF);
        }
        // Then the greatest name below it: \255 labels in front, as long as the name allows.
        int tail = 1 + firstLength + parent.Length;
        int room = DnsName.MaxLength - tail;
        int pos = 0;
        while (room >= 2)
        {
            int length = Math.Min(DnsName.MaxLabelLength, room - 1);
            destination[pos] = (byte)length;
            destination.Slice(pos + 1, length).Fill(0xFF);
            pos += 1 + length;
            room -= 1 + length;
        }
        destination[pos] = (byte)firstLength;
        first[..firstLength].CopyTo(destination[(pos + 1)..]);
        pos += 1 + firstLength;
        parent.CopyTo(destination[pos..]);
        WireName.LowerInPlace(destination.Slice(pos, parent.Length));
        return pos + parent.Length;
    }

    /// <summary>
    /// The octet ordered just after <paramref name="b"/> when names are compared lowercased:
    /// uppercase letters sort as lowercase ones, so they are skipped.
    /// </summary>
    private static int NextOctet(byte b)
    {
        int next = b + 1;
        return next is >= 'A' and <= 'Z' ? '[' : next;
    }

    private static int PreviousOctet(byte b)
    {
        int previous = b - 1;
        return previous is >= 'A' and <= 'Z' ? '@' : previous;
    }
}
