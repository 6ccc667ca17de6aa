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
    /// <summary>Longest form: 8 groups of 4 hex digits and 7 separators.</summary>
    public const int MaxLength = 39;

    public static int Format(IpAddress address, Span<byte> destination) =>
        address.Family == IpFamily.V4 ? FormatV4((uint)address.Value, destination) : FormatV6(address.Value, destination);

    private static int FormatV4(uint value, Span<byte> d)
    {
        int pos = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            if (shift != 24)
                d[pos++] = (byte)'-';
            pos += WriteDecimal((byte)(value >> shift), d[pos..]);
        }
        return pos;
    }

    private static int WriteDecimal(byte b, Span<byte> d)
    {
        if (b >= 100)
        {
            d[0] = (byte)('0' + b / 100);
            d[1] = (byte)('0' + b / 10 % 10);
            d[2] = (byte)('0' + b % 10);
            return 3;
        }
        if (b >= 10)
        {
            d[0] = (byte)('0' + b / 10);
            d[1] = (byte)('0' + b % 10);
            return 2;
        }
        d[0] = (byte)('0' + b);
        return 1;
    }

    /// <summary>IPv4-mapped IPv6 addresses, written with a dotted-quad tail (RFC 5952 §5).</summary>
    private static readonly UInt128 MappedPrefix = (UInt128)0xffff << 32;

    private static bool IsMapped(UInt128 value) => value >> 32 == 0xffff;

    /// <summary>
    /// RFC 5952 §4: lowercase, no leading zeros, the longest run of two or more zero groups as the
    /// gap; §5: an IPv4-mapped address keeps its dotted quad, so <c>::ffff:192.0.2.1</c> is
    /// <c>--ffff-192-0-2-1</c>, as the address is written everywhere else.
    /// </summary>
    private static int FormatV6(UInt128 value, Span<byte> d)
    {
        if (IsMapped(value))
        {
            "--ffff-"u8.CopyTo(d);
            return 7 + FormatV4((uint)value, d[7..]);
        }
        Span<ushort> g = stackalloc ushort[8];
        for (int i = 7; i >= 0; i--, value >>= 16)
            g[i] = (ushort)value;
        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (g[i] != 0)
            {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && g[i] == 0)
                i++;
            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }
        int pos = 0;
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                d[pos++] = (byte)'-';
                d[pos++] = (byte)'-';
                i += bestLength - 1;
                continue;
            }
            if (pos > 0 && d[pos - 1] != (byte)'-')
                d[pos++] = (byte)'-';
            pos += WriteHex(g[i], d[pos..]);
        }
        return pos;
    }

    private static int WriteHex(ushort v, Span<byte> d)
    {
        int digits = v >= 0x1000 ? 4 : v >= 0x100 ? 3 : v >= 0x10 ? 2 : 1;
        for (int i = digits - 1; i >= 0; i--, v >>= 4)
            d[i] = (byte)"0123456789abcdef"[v & 0xF];
        return digits;
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
