using System.Globalization;
using System.Text;

namespace Rdns.Addressing;

/// <summary>
/// Reverse names: an address as a name under <c>in-addr.arpa.</c> (RFC 1035 §3.5) or
/// <c>ip6.arpa.</c> (RFC 3596 §2.5), and back. Names produced here are lowercase and absolute
/// (trailing dot); names read here may use any case and may omit the trailing dot.
/// </summary>
public static class ReverseName
{
    public const string V4Suffix = "in-addr.arpa.";
    public const string V6Suffix = "ip6.arpa.";

    /// <summary><c>192.0.2.129</c> → <c>129.2.0.192.in-addr.arpa.</c>; IPv6 as 32 nibble labels.</summary>
    public static string ToName(IpAddress address) => ZoneName(new IpPrefix(address, address.BitLength));

    /// <summary>
    /// The name of <paramref name="address"/> inside the RFC 2317 child zone of
    /// <paramref name="block"/>: <c>129.128-26.2.0.192.in-addr.arpa.</c>. This is the target of
    /// the CNAME the parent zone holds for the address.
    /// </summary>
    public static string ToClasslessName(IpAddress address, IpPrefix block, ClasslessStyle style = ClasslessStyle.Dash)
    {
        if (!block.Contains(address))
            throw new ArgumentException($"{address} is not in {block}", nameof(address));
        return string.Create(CultureInfo.InvariantCulture,
            $"{(uint)address.Value & 0xff}.{ClasslessZoneName(block, style)}");
    }

    /// <summary>The RFC 2317 child zone of an IPv4 /25 … /32: <c>128-26.2.0.192.in-addr.arpa.</c>.</summary>
    public static string ClasslessZoneName(IpPrefix block, ClasslessStyle style = ClasslessStyle.Dash)
    {
        if (block.Family != IpFamily.V4 || block.Length < 25)
            throw new ArgumentException($"{block} is not an IPv4 /25 to /32 block", nameof(block));
        char separator = style == ClasslessStyle.Slash ? '/' : '-';
        return string.Create(CultureInfo.InvariantCulture,
            $"{(uint)block.Network.Value & 0xff}{separator}{block.Length}.{ZoneName(IpPrefix.Containing(block.Network, 24))}");
    }

    /// <summary>
    /// The reverse name of a prefix on a label boundary: an octet boundary for IPv4 (RFC 1035
    /// §3.5), a nibble boundary for IPv6 (RFC 3596 §2.5).
    /// </summary>
    internal static string ZoneName(IpPrefix prefix)
    {
        var sb = new StringBuilder(73);
        if (prefix.Family == IpFamily.V4)
        {
            if (prefix.Length % 8 != 0)
                throw new ArgumentException($"{prefix} is not on an octet boundary", nameof(prefix));
            uint v = (uint)prefix.Network.Value;
            for (int i = prefix.Length / 8 - 1; i >= 0; i--)
                sb.Append((v >> (24 - 8 * i)) & 0xff).Append('.');
            return sb.Append(V4Suffix).ToString();
        }
        if (prefix.Length % 4 != 0)
            throw new ArgumentException($"{prefix} is not on a nibble boundary", nameof(prefix));
        for (int i = prefix.Length / 4 - 1; i >= 0; i--)
            sb.Append("0123456789abcdef"[(int)(prefix.Network.Value >> (124 - 4 * i)) & 0xf]).Append('.');
        return sb.Append(V6Suffix).ToString();
    }

    /// <summary>
    /// Reads the address from a full reverse name, including a name inside an RFC 2317 child
    /// (<c>129.128-26.2.0.192.in-addr.arpa</c> or <c>129.128/26…</c>), where the address must lie
    /// in the child's block.
    /// </summary>
    public static bool TryParseAddress(string? name, out IpAddress address, out string? error)
    {
        address = default;
        if (!ReverseLabels.TryRead(name, out var family, out var labels, out error))
            return false;
        if (family == IpFamily.V6)
        {
            if (labels.Count != 32)
                return Fail($"has {labels.Count} nibble labels; an IPv6 address name has 32 (RFC 3596 §2.5)", out error);
            if (!ReverseLabels.TryReadNibbles(labels, out var v6, out error))
                return false;
            address = IpAddress.FromV6(v6);
            return true;
        }
        if (labels.Count == 5 && ReverseLabels.IsClassless(labels[1]))
        {
            if (!ReverseLabels.TryReadOctets(labels.GetRange(2, 3), out uint upper, out error)
                || !ReverseLabels.TryReadClassless(labels[1], upper, out var block, out error)
                || !ReverseLabels.TryReadOctets(labels.GetRange(0, 1), out uint last, out error))
                return false;
            address = IpAddress.FromV4((upper << 8) | last);
            if (!block.Contains(address))
                return Fail($"{address} is outside the RFC 2317 child {block} named by '{labels[1]}'", out error);
            return true;
        }
        if (labels.Count == 4 && ReverseLabels.IsClassless(labels[0]))
            return Fail("names an RFC 2317 child zone, not an address", out error);
        if (labels.Count != 4)
            return Fail($"has {labels.Count} labels below in-addr.arpa; an IPv4 address name has 4 octets", out error);
        if (!ReverseLabels.TryReadOctets(labels, out uint v4, out error))
            return false;
        address = IpAddress.FromV4(v4);
        return true;
    }

    /// <summary>
    /// The prefix a reverse zone covers: <c>2.0.192.in-addr.arpa</c> → 192.0.2.0/24,
    /// <c>128-26.2.0.192.in-addr.arpa</c> → 192.0.2.128/26, n nibble labels → /4n,
    /// <c>in-addr.arpa</c> → 0.0.0.0/0 and <c>ip6.arpa</c> → ::/0.
    /// </summary>
    public static bool TryParseZone(string? zoneName, out IpPrefix prefix, out string? error)
    {
        prefix = default;
        if (!ReverseLabels.TryRead(zoneName, out var family, out var labels, out error))
            return false;
        if (family == IpFamily.V6)
        {
            if (labels.Count > 32)
                return Fail($"has {labels.Count} nibble labels; at most 32 fit an IPv6 address", out error);
            if (!ReverseLabels.TryReadNibbles(labels, out var bits, out error))
                return false;
            int length = 4 * labels.Count;
            prefix = new IpPrefix(IpAddress.FromV6(length == 0 ? 0 : bits << (128 - length)), length);
            return true;
        }
        if (labels.Count == 4 && ReverseLabels.IsClassless(labels[0]))
        {
            if (!ReverseLabels.TryReadOctets(labels.GetRange(1, 3), out uint upper, out error))
                return false;
            return ReverseLabels.TryReadClassless(labels[0], upper, out prefix, out error);
        }
        if (labels.Count > 4)
            return Fail($"has {labels.Count} labels below in-addr.arpa; an IPv4 zone has at most 4 octets", out error);
        if (!ReverseLabels.TryReadOctets(labels, out uint v4, out error))
            return false;
        int octets = labels.Count;
        prefix = new IpPrefix(IpAddress.FromV4(octets == 0 ? 0 : v4 << (32 - 8 * octets)), 8 * octets);
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}

/// <summary>The label-level reading shared by <see cref="ReverseName"/>'s parsers.</summary>
internal static class ReverseLabels
{
    /// <summary>
    /// Splits a name under in-addr.arpa or ip6.arpa into the labels before the suffix, most
    /// significant (rightmost) last, as they appear in the name.
    /// </summary>
    public static bool TryRead(string? name, out IpFamily family, out List<string> labels, out string? error)
    {
        family = IpFamily.V4;
        labels = [];
        if (string.IsNullOrEmpty(name))
            return Fail("name is empty", out error);
        var text = name.AsSpan();
        if (text.EndsWith('.'))
            text = text[..^1];
        if (text.StartsWith('.') || text.EndsWith('.') || text.IndexOf("..") >= 0)
            return Fail("empty label (two dots in a row, or a leading dot)", out error);
        // Comparisons are ASCII case-insensitive, as DNS names are (RFC 4343).
        ReadOnlySpan<char> rest;
        if (EndsWithLabels(text, "in-addr.arpa", out rest))
            family = IpFamily.V4;
        else if (EndsWithLabels(text, "ip6.arpa", out rest))
            family = IpFamily.V6;
        else
            return Fail("not a reverse name: it is not under in-addr.arpa or ip6.arpa", out error);
        while (!rest.IsEmpty)
        {
            int dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            labels.Add(label.ToString());
            rest = dot < 0 ? default : rest[(dot + 1)..];
        }
        error = null;
        return true;
    }

    private static bool EndsWithLabels(ReadOnlySpan<char> text, string suffix, out ReadOnlySpan<char> rest)
    {
        rest = default;
        if (text.Equals(suffix, StringComparison.OrdinalIgnoreCase))
            return true;
        if (text.Length <= suffix.Length || text[^(suffix.Length + 1)] != '.'
            || !text[^suffix.Length..].Equals(suffix, StringComparison.OrdinalIgnoreCase))
            return false;
        rest = text[..^(suffix.Length + 1)];
        return true;
    }

    /// <summary>Octet labels (least significant first, as in the name) to a number.</summary>
    public static bool TryReadOctets(List<string> labels, out uint value, out string? error)
    {
        value = 0;
        error = null;
        for (int i = labels.Count - 1; i >= 0; i--)
        {
            if (!IpAddressText.TryParseOctet(labels[i], out byte octet, out error))
                return Fail($"label '{Excerpt.Of(labels[i])}': {error}", out error);
            value = (value << 8) | octet;
        }
        return true;
    }

    /// <summary>Nibble labels (least significant first, as in the name) to a number.</summary>
    public static bool TryReadNibbles(List<string> labels, out UInt128 value, out string? error)
    {
        value = 0;
        error = null;
        for (int i = labels.Count - 1; i >= 0; i--)
        {
            string label = labels[i];
            if (label.Length != 1 || !char.IsAsciiHexDigit(label[0]))
                return Fail($"label '{Excerpt.Of(label)}' is not one hex digit (RFC 3596 §2.5: one nibble per label)", out error);
            value = (value << 4) | (uint)Convert.ToInt32(label, 16);
        }
        return true;
    }

    public static bool IsClassless(string label) => label.AsSpan().IndexOfAny('-', '/') > 0;

    /// <summary>
    /// Reads an RFC 2317 §4 child label such as <c>128-26</c> or <c>128/26</c> that sits under the
    /// /24 whose first three octets are <paramref name="upper"/>.
    /// </summary>
    public static bool TryReadClassless(string label, uint upper, out IpPrefix block, out string? error)
    {
        block = default;
        int separator = label.AsSpan().IndexOfAny('-', '/');
        var first = label.AsSpan(0, separator);
        var length = label.AsSpan(separator + 1);
        if (!IpAddressText.TryParseOctet(first, out byte start, out error))
            return Fail($"classless label '{Excerpt.Of(label)}': {error}", out error);
        if (length.Length is < 1 or > 2 || length[0] == '0' || !int.TryParse(length, NumberStyles.None,
                CultureInfo.InvariantCulture, out int bits) || bits is < 25 or > 32)
            return Fail($"classless label '{Excerpt.Of(label)}': length must be 25-32 (RFC 2317 delegates blocks smaller than a /24)", out error);
        var network = IpAddress.FromV4((upper << 8) | start);
        var aligned = IpPrefix.Containing(network, bits);
        if (aligned.Network != network)
            return Fail($"classless label '{Excerpt.Of(label)}': {start} is not the first address of a /{bits} block "
                + $"(did you mean {(uint)aligned.Network.Value & 0xff}{label[separator]}{bits}?)", out error);
        block = aligned;
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
