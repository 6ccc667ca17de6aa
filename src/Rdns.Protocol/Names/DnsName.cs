using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Rdns.Protocol.Names;

/// <summary>
/// A fully qualified domain name held in uncompressed wire form (RFC 1035 §3.1): length-prefixed
/// labels ending with the root's zero octet. Case is preserved; comparison and hashing ignore
/// ASCII case (RFC 4343).
/// </summary>
public sealed class DnsName : IEquatable<DnsName>, IComparable<DnsName>
{
    /// <summary>RFC 1035 §2.3.4: a name is at most 255 octets in wire form.</summary>
    public const int MaxLength = 255;

    /// <summary>RFC 1035 §2.3.4: a label is at most 63 octets.</summary>
    public const int MaxLabelLength = 63;

    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(".\\\"();@$ \t");

    public static readonly DnsName Root = new([0], 0);

    private readonly byte[] _wire;
    private readonly int _labelCount;

    private DnsName(byte[] wire, int labelCount)
    {
        _wire = wire;
        _labelCount = labelCount;
    }

    /// <summary>The name in uncompressed wire form, case preserved.</summary>
    public ReadOnlySpan<byte> Wire => _wire;

    /// <summary>Octets in wire form, including the root octet.</summary>
    public int Length => _wire.Length;

    /// <summary>Labels, not counting the root (so the root has 0).</summary>
    public int LabelCount => _labelCount;

    public bool IsRoot => _labelCount == 0;

    /// <summary>Wraps wire bytes that are known to be a valid uncompressed name.</summary>
    public static DnsName FromWire(ReadOnlySpan<byte> wire)
    {
        if (!TryFromWire(wire, out var name))
            throw new FormatException("not a valid uncompressed wire-form name");
        return name;
    }

    public static bool TryFromWire(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out DnsName? name)
    {
        name = null;
        if (!TryCountLabels(wire, out int labels))
            return false;
        name = labels == 0 ? Root : new DnsName(wire.ToArray(), labels);
        return true;
    }

    /// <summary>
    /// A name over <paramref name="wire"/> itself rather than a copy, for a name held as long as
    /// another holder of the same octets (a zone's origin beside its apex node's name): one array
    /// for both. The caller must never change the array afterwards.
    /// </summary>
    public static DnsName FromWireArray(byte[] wire)
    {
        if (!TryCountLabels(wire, out int labels))
            throw new FormatException("not a valid uncompressed wire-form name");
        return labels == 0 ? Root : new DnsName(wire, labels);
    }

    private static bool TryCountLabels(ReadOnlySpan<byte> wire, out int labels)
    {
        labels = 0;
        if (wire.Length == 0 || wire.Length > MaxLength)
            return false;
        int pos = 0;
        while (true)
        {
            int len = wire[pos];
            if (len == 0)
            {
                if (pos != wire.Length - 1)
                    return false;
                break;
            }
            if (len > MaxLabelLength || pos + 1 + len >= wire.Length)
                return false;
            pos += 1 + len;
            labels++;
        }
        return true;
    }

    /// <summary>
    /// Parses presentation format (RFC 1035 §5.1): labels separated by dots, <c>\X</c> and
    /// <c>\DDD</c> escapes. A name without a trailing dot is relative to <paramref name="origin"/>
    /// (absolute when origin is null); <c>@</c> is the origin itself.
    /// </summary>
    public static DnsName Parse(string text, DnsName? origin = null)
    {
        if (!TryParse(text, origin, out var name, out var error))
            throw new FormatException($"{error}: '{Truncate(text)}'");
        return name;
    }

    public static bool TryParse(ReadOnlySpan<char> text, DnsName? origin,
        [NotNullWhen(true)] out DnsName? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        if (text is "@" && origin is not null)
        {
            name = origin;
            error = null;
            return true;
        }
        if (text is ".")
        {
            name = Root;
            error = null;
            return true;
        }
        Span<byte> buffer = stackalloc byte[ParseBufferLength];
        if (!TryParseWire(text, origin, buffer, out int length, out int labels, out error))
            return false;
        name = new DnsName(buffer[..length].ToArray(), labels);
        return true;
    }

    /// <summary>The room <see cref="TryParseWire"/> needs: a whole name, and a label that may run past it before it is refused.</summary>
    internal const int ParseBufferLength = MaxLength + MaxLabelLength + 2;

    /// <summary>
    /// <see cref="TryParse(ReadOnlySpan{char}, DnsName?, out DnsName?, out string?)"/> into
    /// <paramref name="buffer"/> (at least <see cref="ParseBufferLength"/> octets): the name's wire
    /// form is its first <paramref name="length"/> octets. Makes no object, for callers that only
    /// copy the wire form on (the RDATA of each record a zone file holds).
    /// </summary>
    internal static bool TryParseWire(ReadOnlySpan<char> text, DnsName? origin, Span<byte> buffer, out int length, out int labels, [NotNullWhen(false)] out string? error)
    {
        length = 0;
        labels = 0;
        if (text.Length == 0)
        {
            error = "empty name";
            return false;
        }
        if (text is "@")
        {
            if (origin is null)
            {
                error = "'@' needs an origin";
                return false;
            }
            origin._wire.CopyTo(buffer);
            (length, labels, error) = (origin._wire.Length, origin._labelCount, null);
            return true;
        }
        if (text is ".")
        {
            buffer[0] = 0;
            (length, error) = (1, null);
            return true;
        }

        int pos = 0, labelStart = 0;
        buffer[0] = 0;
        int labelLen = 0;
        bool absolute = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '.')
            {
                if (labelLen == 0)
                {
                    error = "empty label";
                    return false;
                }
                buffer[labelStart] = (byte)labelLen;
                labels++;
                pos = labelStart + 1 + labelLen;
                labelStart = pos;
                labelLen = 0;
                if (i == text.Length - 1)
                    absolute = true;
                continue;
            }
            byte b;
            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    error = "dangling escape";
                    return false;
                }
                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
                    {
                        error = "\\DDD escape needs three digits";
                        return false;
                    }
                    int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
                    if (v > 255)
                    {
                        error = "\\DDD escape above 255";
                        return false;
                    }
                    b = (byte)v;
                    i += 3;
                }
                else
                {
                    if (text[i + 1] > 0x7f)
                    {
                        error = "non-ASCII character in name";
                        return false;
                    }
                    b = (byte)text[i + 1];
                    i += 1;
                }
            }
            else
            {
                if (c > 0x7f)
                {
                    error = "non-ASCII character in name (use punycode)";
                    return false;
                }
                b = (byte)c;
            }
            if (labelLen == MaxLabelLength)
            {
                error = "label longer than 63 octets";
                return false;
            }
            if (labelStart + 1 + labelLen >= MaxLength)
            {
                error = "name longer than 255 octets";
                return false;
            }
            buffer[labelStart + 1 + labelLen] = b;
            labelLen++;
        }
        if (labelLen > 0)
        {
            buffer[labelStart] = (byte)labelLen;
            labels++;
            pos = labelStart + 1 + labelLen;
        }

        if (!absolute && origin is not null)
        {
            int total = pos + origin.Length;
            if (total > MaxLength)
            {
                error = "name longer than 255 octets";
                return false;
            }
            origin._wire.CopyTo(buffer[pos..]);
            length = total;
            labels += origin._labelCount;
        }
        else
        {
            if (pos + 1 > MaxLength)
            {
                error = "name longer than 255 octets";
                return false;
            }
            buffer[pos] = 0;
            length = pos + 1;
        }
        error = null;
        return true;
    }

    /// <summary>The label at <paramref name="index"/>, 0 being the leftmost.</summary>
    public ReadOnlySpan<byte> Label(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _labelCount);
        int pos = 0;
        for (int i = 0; i < index; i++)
            pos += 1 + _wire[pos];
        return _wire.AsSpan(pos + 1, _wire[pos]);
    }

    /// <summary>The name with its leftmost <paramref name="count"/> labels removed.</summary>
    public DnsName Parent(int count = 1)
    {
        if (count == 0)
            return this;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _labelCount);
        if (count == _labelCount)
            return Root;
        int pos = 0;
        for (int i = 0; i < count; i++)
            pos += 1 + _wire[pos];
        return new DnsName(_wire.AsSpan(pos).ToArray(), _labelCount - count);
    }

    /// <summary>Prepends one label (given as raw octets).</summary>
    public DnsName Prepend(ReadOnlySpan<byte> label)
    {
        if (label.Length == 0 || label.Length > MaxLabelLength)
            throw new ArgumentException("label must be 1-63 octets", nameof(label));
        if (_wire.Length + 1 + label.Length > MaxLength)
            throw new ArgumentException("name would exceed 255 octets", nameof(label));
        var wire = new byte[_wire.Length + 1 + label.Length];
        wire[0] = (byte)label.Length;
        label.CopyTo(wire.AsSpan(1));
        _wire.CopyTo(wire, 1 + label.Length);
        return new DnsName(wire, _labelCount + 1);
    }

    public DnsName Prepend(string label) => Prepend(Encoding.ASCII.GetBytes(label));

    /// <summary>True when this name equals <paramref name="ancestor"/> or lies below it.</summary>
    public bool IsSubdomainOf(DnsName ancestor)
    {
        int skip = _labelCount - ancestor._labelCount;
        if (skip < 0)
            return false;
        int pos = 0;
        for (int i = 0; i < skip; i++)
            pos += 1 + _wire[pos];
        return WireName.EqualsIgnoreCase(_wire.AsSpan(pos), ancestor._wire);
    }

    /// <summary>The wire form with ASCII letters lowered: the key under which names are looked up.</summary>
    public byte[] ToLowerWire()
    {
        var copy = (byte[])_wire.Clone();
        WireName.LowerInPlace(copy);
        return copy;
    }

    public DnsName ToLower() => new(ToLowerWire(), _labelCount);

    public bool Equals(DnsName? other) =>
        other is not null && (ReferenceEquals(this, other) || WireName.EqualsIgnoreCase(_wire, other._wire));

    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    public override int GetHashCode() => WireName.HashIgnoreCase(_wire);

    public static bool operator ==(DnsName? a, DnsName? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(DnsName? a, DnsName? b) => !(a == b);

    /// <summary>DNSSEC canonical order (RFC 4034 §6.1): by labels right to left, each compared as lowered octets.</summary>
    public int CompareTo(DnsName? other)
    {
        if (other is null)
            return 1;
        return WireName.CanonicalCompare(_wire, _labelCount, other._wire, other._labelCount);
    }

    /// <summary>Presentation format with a trailing dot; special characters escaped (RFC 1035 §5.1).</summary>
    public override string ToString()
    {
        if (_labelCount == 0)
            return ".";
        var sb = new StringBuilder(_wire.Length + 4);
        int pos = 0;
        while (_wire[pos] != 0)
        {
            int len = _wire[pos];
            AppendLabel(sb, _wire.AsSpan(pos + 1, len));
            sb.Append('.');
            pos += 1 + len;
        }
        return sb.ToString();
    }

    /// <summary>Presentation format relative to <paramref name="origin"/> when below it (<c>@</c> for the origin).</summary>
    public string ToString(DnsName origin)
    {
        if (Equals(origin))
            return "@";
        if (!IsSubdomainOf(origin) || origin.IsRoot)
            return ToString();
        var sb = new StringBuilder(_wire.Length);
        int pos = 0;
        for (int i = 0; i < _labelCount - origin._labelCount; i++)
        {
            if (i > 0)
                sb.Append('.');
            int len = _wire[pos];
            AppendLabel(sb, _wire.AsSpan(pos + 1, len));
            pos += 1 + len;
        }
        return sb.ToString();
    }

    internal static void AppendLabel(StringBuilder sb, ReadOnlySpan<byte> label)
    {
        foreach (byte b in label)
        {
            if (b < 0x21 || b > 0x7e)
                sb.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            else if (NeedsEscape.Contains((char)b))
                sb.Append('\\').Append((char)b);
            else
                sb.Append((char)b);
        }
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
