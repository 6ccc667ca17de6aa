using Rdns.Addressing;

namespace Rdns.Zones.Synthesis;

/// <summary>
/// The <c>{ip}</c> form of an address inside a host-name label: IPv4 dotted quad and RFC 5952
/// compressed IPv6 with every <c>.</c> or <c>:</c> turned into <c>-</c> (<c>192-0-2-10</c>,
/// <c>2001-db8--6</c>). Formatting and parsing work on spans and never allocate; parsing accepts
/// only the canonical form, so each address has exactly one default name.
/// </summary>
public static class AddressLabel
{
    /// <summary>Longest form: an IPv4-mapped IPv6 address written in full.</summary>
    public const int MaxLength = IpAddress.MaxTextLength;

    private static readonly UInt128 MappedPrefix = (UInt128)0xffff << 32;

    /// <summary>The address as it is written everywhere else (<see cref="IpAddress.Format"/>), with '-' for '.' and ':'.</summary>
    public static int Format(IpAddress address, Span<byte> destination)
    {
        Span<char> text = stackalloc char[IpAddress.MaxTextLength];
        int n = address.Format(text);
        for (int i = 0; i < n; i++)
            destination[i] = text[i] is '.' or ':' ? (byte)'-' : (byte)text[i];
        return n;
    }

    /// <summary>
    /// Reads the canonical form of an address of <paramref name="family"/> from a label part
    /// (ASCII letters in any case, as DNS compares names case-insensitively).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, IpFamily family, out IpAddress address) =>
        TryParse(text, family, null, out address);

    /// <summary>
    /// As above, keeping only an address <paramref name="accept"/> takes. With dots and colons both
    /// turned into '-', a few IPv6 spellings name two addresses ("--ffff-1-0-1-10" is ::ffff:1.0.1.10
    /// and ::ffff:1:0:1:10); a pool holds at most one of them, which the caller's test picks.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, IpFamily family, Func<IpAddress, bool>? accept, out IpAddress address)
    {
        address = default;
        if (text.Length == 0 || text.Length > MaxLength)
            return false;
        if (family == IpFamily.V4)
            return TryParseV4(text, out uint v4) && IsCanonical(text, address = new IpAddress(IpFamily.V4, v4)) && (accept is null || accept(address));
        // "--ffff-1-10-0-10" reads both as a mapped dotted quad and as hex groups; only one of the
        // two spellings is how that address is written, so each reading is checked.
        if (text.Length > 7 && text[..7].SequenceEqual("--ffff-"u8) && TryParseV4(text[7..], out uint mapped) &&
            IsCanonical(text, address = new IpAddress(IpFamily.V6, MappedPrefix | mapped)) && (accept is null || accept(address)))
            return true;
        return TryParseV6(text, out var value) && IsCanonical(text, address = new IpAddress(IpFamily.V6, value)) && (accept is null || accept(address));
    }

    /// <summary>Only the canonical spelling names the address: compare with what we would write.</summary>
    private static bool IsCanonical(ReadOnlySpan<byte> text, IpAddress address)
    {
        Span<byte> canonical = stackalloc byte[MaxLength];
        int n = Format(address, canonical);
        if (n != text.Length)
            return false;
        for (int i = 0; i < n; i++)
        {
            if ((text[i] | 0x20) != canonical[i] && text[i] != canonical[i])
                return false;
        }
        return true;
    }

    private static bool TryParseV4(ReadOnlySpan<byte> text, out uint value)
    {
        value = 0;
        int octets = 0, current = -1;
        foreach (byte b in text)
        {
            if (b == (byte)'-')
            {
                if (current < 0 || ++octets > 3)
                    return false;
                value = (value << 8) | (uint)current;
                current = -1;
                continue;
            }
            if ((uint)(b - '0') > 9)
                return false;
            current = current < 0 ? b - '0' : current * 10 + (b - '0');
            if (current > 255)
                return false;
        }
        if (current < 0 || octets != 3)
            return false;
        value = (value << 8) | (uint)current;
        return true;
    }

    private static bool TryParseV6(ReadOnlySpan<byte> text, out UInt128 value)
    {
        value = 0;
        Span<ushort> head = stackalloc ushort[8];
        Span<ushort> tail = stackalloc ushort[8];
        int headCount = 0, tailCount = 0;
        bool gap = false;
        int i = 0;
        if (text.Length >= 2 && text[0] == '-' && text[1] == '-')
        {
            gap = true;
            i = 2;
        }
        while (i < text.Length)
        {
            int group = 0, digits = 0;
            while (i < text.Length && text[i] != '-')
            {
                int h = Hex(text[i]);
                if (h < 0 || ++digits > 4)
                    return false;
                group = (group << 4) | h;
                i++;
            }
            if (digits == 0)
                return false;
            if (gap)
                tail[tailCount++] = (ushort)group;
            else
                head[headCount++] = (ushort)group;
            if (headCount + tailCount > 8)
                return false;
            if (i == text.Length)
                break;
            i++; // the '-'
            if (i < text.Length && text[i] == '-')
            {
                if (gap)
                    return false;
                gap = true;
                i++;
            }
            else if (i == text.Length)
            {
                return false;
            }
        }
        int total = headCount + tailCount;
        if (gap ? total > 7 : total != 8)
            return false;
        for (int k = 0; k < headCount; k++)
            value = (value << 16) | head[k];
        for (int k = 0; k < 8 - total; k++)
            value <<= 16;
        for (int k = 0; k < tailCount; k++)
            value = (value << 16) | tail[k];
        return true;
    }

    private static int Hex(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
