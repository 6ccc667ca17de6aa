using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rdns.Addressing;

/// <summary>
/// An IPv4 or IPv6 address as a number. IPv4 lives in the low 32 bits of <see cref="Value"/>, so
/// prefix arithmetic is the same for both families.
/// </summary>
public readonly record struct IpAddress(IpFamily Family, UInt128 Value) : IComparable<IpAddress>
{
    public IpFamily Family { get; } = Family is IpFamily.V4 or IpFamily.V6
        ? Family
        : throw new ArgumentOutOfRangeException(nameof(Family), Family, "unknown address family");

    public UInt128 Value { get; } = Family == IpFamily.V4 && Value > uint.MaxValue
        ? throw new ArgumentOutOfRangeException(nameof(Value), "an IPv4 address has 32 bits")
        : Value;

    /// <summary>32 for IPv4, 128 for IPv6.</summary>
    public int BitLength => Family == IpFamily.V4 ? 32 : 128;

    public static IpAddress FromV4(uint value) => new(IpFamily.V4, value);

    public static IpAddress FromV6(UInt128 value) => new(IpFamily.V6, value);

    /// <summary>
    /// Parses the strict text form: a dotted quad (4 decimal octets, no leading zeros) or an
    /// RFC 4291 §2.2 IPv6 address. Anything else fails with an explanation in <paramref name="error"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpAddress address, out string? error)
        => IpAddressText.TryParse(text, out address, out error);

    public static bool TryParse(ReadOnlySpan<char> text, out IpAddress address)
        => IpAddressText.TryParse(text, out address, out _);

    /// <exception cref="FormatException">The text is not an address; the message says why.</exception>
    public static IpAddress Parse(ReadOnlySpan<char> text)
        => TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    /// <summary>The longest text of an address: an IPv4-mapped IPv6 address written in full.</summary>
    public const int MaxTextLength = 45;

    /// <summary>Dotted quad for IPv4; RFC 5952 text (lowercase, shortest, <c>::</c> once) for IPv6.</summary>
    public override string ToString()
    {
        Span<char> text = stackalloc char[MaxTextLength];
        return new string(text[..Format(text)]);
    }

    /// <summary>Writes <see cref="ToString"/>'s text into <paramref name="destination"/> (at least <see cref="MaxTextLength"/> chars) without allocating; returns its length.</summary>
    public int Format(Span<char> destination) => Family == IpFamily.V4
        ? IpAddressText.FormatV4((uint)Value, destination)
        : IpAddressText.FormatV6(Value, destination);

    /// <summary>IPv4 sorts before IPv6; within a family, numerically.</summary>
    public int CompareTo(IpAddress other)
        => Family != other.Family ? Family.CompareTo(other.Family) : Value.CompareTo(other.Value);

    public static bool operator <(IpAddress left, IpAddress right) => left.CompareTo(right) < 0;

    public static bool operator >(IpAddress left, IpAddress right) => left.CompareTo(right) > 0;

    public static bool operator <=(IpAddress left, IpAddress right) => left.CompareTo(right) <= 0;

    public static bool operator >=(IpAddress left, IpAddress right) => left.CompareTo(right) >= 0;

    /// <summary>Converts a <see cref="IPAddress"/>; IPv4-mapped IPv6 addresses stay IPv6.</summary>
    /// <exception cref="ArgumentException">The address carries a scope id (it has no reverse name).</exception>
    public static IpAddress FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromV4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException($"address family {address.AddressFamily} is not IP", nameof(address));
        if (address.ScopeId != 0)
            throw new ArgumentException("a scoped address (with a zone id) has no reverse name", nameof(address));
        address.TryWriteBytes(bytes, out _);
        return FromV6(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    public IPAddress ToIPAddress()
    {
        if (Family == IpFamily.V4)
        {
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(four, (uint)Value);
            return new IPAddress(four);
        }
        Span<byte> sixteen = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(sixteen, Value);
        return new IPAddress(sixteen);
    }
}

/// <summary>The text forms of <see cref="IpAddress"/>: strict parsing and canonical formatting.</summary>
internal static class IpAddressText
{
    public static bool TryParse(ReadOnlySpan<char> text, out IpAddress address, out string? error)
    {
        address = default;
        if (text.IsEmpty)
            return Fail("address is empty", out error);
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
                return Fail("whitespace is not allowed in an address", out error);
        }
        if (text.Contains('/'))
            return Fail("a prefix length is not part of an address", out error);
        if (text.Contains(':'))
        {
            if (!TryParseV6(text, out var v6, out error))
                return false;
            address = IpAddress.FromV6(v6);
            return true;
        }
        if (!TryParseV4(text, out var v4, out error))
            return false;
        address = IpAddress.FromV4(v4);
        return true;
    }

    internal static bool TryParseV4(ReadOnlySpan<char> text, out uint value, out string? error)
    {
        value = 0;
        int octets = text.Count('.') + 1;
        if (octets != 4)
            return Fail($"an IPv4 address has 4 octets separated by '.', found {octets}", out error);
        var rest = text;
        for (int i = 0; i < 4; i++)
        {
            int dot = rest.IndexOf('.');
            var part = dot < 0 ? rest : rest[..dot];
            rest = dot < 0 ? default : rest[(dot + 1)..];
            if (!TryParseOctet(part, out byte octet, out error))
                return false;
            value = (value << 8) | octet;
        }
        error = null;
        return true;
    }

    /// <summary>One decimal octet 0-255, used for dotted quads and for in-addr.arpa labels alike.</summary>
    internal static bool TryParseOctet(ReadOnlySpan<char> part, out byte octet, out string? error)
    {
        octet = 0;
        if (part.IsEmpty)
            return Fail("empty octet (two dots in a row, or a dot at the start or end)", out error);
        foreach (char c in part)
        {
            if (!char.IsAsciiDigit(c))
                return Fail($"octet '{Excerpt.Of(part)}' is not a decimal number", out error);
        }
        // inet_aton() and friends read 010 as octal 8 while others read 10: refusing it is the
        // only reading that cannot silently pick the wrong address.
        if (part.Length > 1 && part[0] == '0')
            return Fail($"octet {Excerpt.Of(part)} has a leading zero, which is ambiguous (some parsers read it as octal)", out error);
        if (part.Length > 3 || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            return Fail($"octet {Excerpt.Of(part)} is out of range 0-255", out error);
        octet = byte.Parse(part, CultureInfo.InvariantCulture);
        error = null;
        return true;
    }

    // RFC 4291 §2.2: x:x:x:x:x:x:x:x, "::" once for one or more zero groups, and an optional
    // dotted-quad tail standing for the last two groups.
    private static bool TryParseV6(ReadOnlySpan<char> text, out UInt128 value, out string? error)
    {
        value = 0;
        int percent = text.IndexOf('%');
        if (percent >= 0)
            return Fail($"scoped address (zone id '{Excerpt.Of(text[(percent + 1)..])}') has no reverse name; "
                + "only global and unscoped addresses are in ip6.arpa", out error);

        Span<ushort> groups = stackalloc ushort[8];
        int gap = text.IndexOf("::");
        int count;
        if (gap < 0)
        {
            if (!TryParseGroups(text, groups, out count, lastPart: true, out error))
                return false;
            if (count != 8)
                return Fail($"an IPv6 address has 8 groups, found {count} (use '::' for a run of zero groups)", out error);
        }
        else
        {
            var head = text[..gap];
            var tail = text[(gap + 2)..];
            if (tail.IndexOf("::") >= 0)
                return Fail("'::' may appear only once in an address", out error);
            if (tail.StartsWith(':'))
                return Fail("':::' is not valid; '::' stands for the zero groups", out error);
            if (!TryParseGroups(head, groups, out int headCount, lastPart: false, out error))
                return false;
            Span<ushort> tailGroups = stackalloc ushort[8];
            if (!TryParseGroups(tail, tailGroups, out int tailCount, lastPart: true, out error))
                return false;
            count = headCount + tailCount;
            if (count > 7)
                return Fail($"'::' must stand for at least one zero group, but {count} groups are given", out error);
            groups[headCount..].Clear();
            tailGroups[..tailCount].CopyTo(groups[(8 - tailCount)..]);
        }
        foreach (ushort g in groups)
            value = (value << 16) | g;
        return true;
    }

    private static bool TryParseGroups(
        ReadOnlySpan<char> part, Span<ushort> groups, out int count, bool lastPart, out string? error)
    {
        count = 0;
        error = null;
        if (part.IsEmpty)
            return true;
        var rest = part;
        while (true)
        {
            int colon = rest.IndexOf(':');
            var group = colon < 0 ? rest : rest[..colon];
            bool last = colon < 0;
            if (group.IsEmpty)
                return Fail("empty group (a single ':' at the start or end, or where '::' was meant)", out error);
            if (group.Contains('.'))
            {
                // RFC 4291 §2.2 form 3: the dotted quad can only be the final 32 bits.
                if (!(last && lastPart))
                    return Fail("an embedded IPv4 address may only end an IPv6 address", out error);
                if (count > 6)
                    return Fail("an embedded IPv4 address leaves room for only 6 groups before it", out error);
                if (!TryParseV4(group, out uint v4, out error))
                    return false;
                groups[count++] = (ushort)(v4 >> 16);
                groups[count++] = (ushort)v4;
                return true;
            }
            if (count == 8)
                return Fail("an IPv6 address has at most 8 groups", out error);
            foreach (char c in group)
            {
                if (!char.IsAsciiHexDigit(c))
                    return Fail($"'{Excerpt.Of([c])}' is not a hex digit (in group '{Excerpt.Of(group)}')", out error);
            }
            if (group.Length > 4)
                return Fail($"group '{Excerpt.Of(group)}' has more than 4 hex digits", out error);
            ushort v = 0;
            foreach (char c in group)
                v = (ushort)((v << 4) | HexValue(c));
            groups[count++] = v;
            if (last)
                return true;
            rest = rest[(colon + 1)..];
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    public static string FormatV4(uint v)
    {
        Span<char> text = stackalloc char[15];
        return new string(text[..FormatV4(v, text)]);
    }

    public static int FormatV4(uint v, Span<char> destination)
    {
        int pos = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            if (shift != 24)
                destination[pos++] = '.';
            ((v >> shift) & 0xff).TryFormat(destination[pos..], out int n, default, CultureInfo.InvariantCulture);
            pos += n;
        }
        return pos;
    }

    public static string FormatV6(UInt128 value)
    {
        Span<char> text = stackalloc char[IpAddress.MaxTextLength];
        return new string(text[..FormatV6(value, text)]);
    }

    // RFC 5952 §4: no leading zeros, lowercase, "::" replaces the longest run of two or more
    // zero groups (the first such run on a tie) and never a single zero group.
    public static int FormatV6(UInt128 value, Span<char> destination)
    {
        Span<ushort> g = stackalloc ushort[8];
        for (int i = 7; i >= 0; i--, value >>= 16)
            g[i] = (ushort)value;

        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (g[i] != 0) { i++; continue; }
            int start = i;
            while (i < 8 && g[i] == 0) i++;
            if (i - start > bestLength) { bestStart = start; bestLength = i - start; }
        }

        // RFC 5952 §5: IPv4-mapped addresses (::ffff:0:0/96) keep their dotted-quad tail.
        bool mapped = g[..5].IndexOfAnyExcept((ushort)0) < 0 && g[5] == 0xffff;
        int hexGroups = mapped ? 6 : 8;
        int pos = 0;
        for (int i = 0; i < hexGroups; i++)
        {
            if (i == bestStart)
            {
                destination[pos++] = ':';
                destination[pos++] = ':';
                i += bestLength - 1;
                continue;
            }
            if (pos > 0 && destination[pos - 1] != ':')
                destination[pos++] = ':';
            g[i].TryFormat(destination[pos..], out int n, "x", CultureInfo.InvariantCulture);
            pos += n;
        }
        if (mapped)
        {
            destination[pos++] = ':';
            pos += FormatV4((uint)(g[6] << 16 | g[7]), destination[pos..]);
        }
        return pos;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
