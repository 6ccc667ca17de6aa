using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Text;

/// <summary>
/// Walks the tokens of one record's RDATA field by field, writing wire form. Every error names the
/// type and the field ("MX preference: ...") and carries the line of the offending token.
/// </summary>
internal sealed class RdataCursor
{
    private readonly IReadOnlyList<ZoneToken> _tokens;
    private readonly DnsName? _origin;
    private readonly string _type;
    private readonly int _line;
    private int _index;

    public RdataCursor(IReadOnlyList<ZoneToken> tokens, int start, DnsName? origin, string type, int line)
    {
        _tokens = tokens;
        _index = start;
        _origin = origin;
        _type = type;
        _line = line;
        Output = t_output ??= new ArrayBufferWriter<byte>();
        Output.ResetWrittenCount();
    }

    /// <summary>
    /// The wire form written so far, in a buffer the thread reuses: a zone file's every record
    /// took a new one (and its first 256 octets) before. Valid until the thread's next cursor.
    /// </summary>
    public ArrayBufferWriter<byte> Output { get; }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_output;

    public bool AtEnd => _index >= _tokens.Count;

    public ZoneToken? Peek => AtEnd ? null : _tokens[_index];

    public ZoneToken Next(string field)
    {
        if (AtEnd)
            throw Fail(field, "missing", null);
        return _tokens[_index++];
    }

    public ZoneSyntaxException Fail(string field, string why, ZoneToken? at) =>
        new(at?.Line ?? (_index > 0 && _index <= _tokens.Count ? _tokens[_index - 1].Line : _line), $"{_type} {field}: {why}");

    /// <summary>Refuses tokens left over after the last field.</summary>
    public void End()
    {
        if (!AtEnd)
            throw new ZoneSyntaxException(_tokens[_index].Line, $"{_type}: unexpected '{_tokens[_index].Text}' after the last field");
    }

    public void Name(string field)
    {
        var token = Next(field);
        var buffer = Output.GetSpan(DnsName.ParseBufferLength);
        if (!ZoneNames.TryParseWire(token.Text, _origin, buffer, out int length, out var error))
            throw Fail(field, error, token);
        Output.Advance(length);
    }

    public void UInt8(string field) => Output.Write([(byte)Number(field, byte.MaxValue)]);

    public void UInt16(string field)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)Number(field, ushort.MaxValue));
        Output.Write(b);
    }

    public void UInt32(string field)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)Number(field, uint.MaxValue));
        Output.Write(b);
    }

    /// <summary>A 32-bit count of seconds that may use TTL units, as BIND allows in SOA timers.</summary>
    public void Duration(string field)
    {
        var token = Next(field);
        if (token.Quoted || !DurationText.TryParse(token.Text, out uint seconds))
            throw Fail(field, $"'{token.Text}' is not a number of seconds or a duration", token);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, seconds);
        Output.Write(b);
    }

    public ulong Number(string field, ulong max)
    {
        var token = Next(field);
        if (token.Quoted || !ulong.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
            throw Fail(field, $"'{token.Text}' is not a number", token);
        if (value > max)
            throw Fail(field, $"{value} is above {max}", token);
        return value;
    }

    public void IPv4(string field)
    {
        var token = Next(field);
        Span<byte> octets = stackalloc byte[4];
        if (token.Quoted || !TryParseIPv4(token.Text, octets))
            throw Fail(field, $"'{token.Text}' is not an IPv4 address in dotted-decimal form", token);
        Output.Write(octets);
    }

    public void IPv6(string field)
    {
        var token = Next(field);
        var text = token.Text;
        // IPAddress also takes scope ids and brackets, which have no place in RDATA.
        if (token.Quoted || !text.Contains(':') || text.AsSpan().IndexOfAny("%[]/") >= 0 ||
            !IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            throw Fail(field, $"'{text}' is not an IPv6 address", token);
        Output.Write(address.GetAddressBytes());
    }

    /// <summary>A length-prefixed character-string (RFC 1035 §3.3, §5.1), at most 255 octets.</summary>
    public void CharacterString(string field)
    {
        var token = Next(field);
        var bytes = DecodeText(token, field, 255);
        Output.Write([(byte)bytes.Length]);
        Output.Write(bytes);
    }

    /// <summary>Text decoded from <c>\X</c> and <c>\DDD</c> escapes; non-ASCII characters become UTF-8.</summary>
    public byte[] DecodeText(ZoneToken token, string field, int maxLength)
    {
        if (!TryDecodeText(token.Text, out var bytes, out var error))
            throw Fail(field, error, token);
        if (bytes.Length > maxLength)
            throw Fail(field, $"{bytes.Length} octets is longer than the {maxLength} allowed", token);
        return bytes;
    }

    public static bool TryDecodeText(string raw, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        var output = new List<byte>(raw.Length);
        Span<byte> utf8 = stackalloc byte[4];
        bytes = null;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c == '\\')
            {
                if (i + 1 >= raw.Length)
                {
                    error = "'\\' at the end escapes nothing";
                    return false;
                }
                if (char.IsAsciiDigit(raw[i + 1]))
                {
                    if (i + 3 >= raw.Length || !char.IsAsciiDigit(raw[i + 2]) || !char.IsAsciiDigit(raw[i + 3]))
                    {
                        error = "a \\DDD escape needs three digits";
                        return false;
                    }
                    int v = (raw[i + 1] - '0') * 100 + (raw[i + 2] - '0') * 10 + (raw[i + 3] - '0');
                    if (v > 255)
                    {
                        error = $"escape \\{raw.AsSpan(i + 1, 3)} is above 255";
                        return false;
                    }
                    output.Add((byte)v);
                    i += 3;
                    continue;
                }
                c = raw[++i];
            }
            if (c < 0x80)
            {
                output.Add((byte)c);
            }
            else
            {
                // A surrogate pair is one code point; encode both halves together.
                int len = char.IsHighSurrogate(c) && i + 1 < raw.Length
                    ? Encoding.UTF8.GetBytes(raw.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(raw.AsSpan(i, 1), utf8);
                for (int k = 0; k < len; k++)
                    output.Add(utf8[k]);
            }
        }
        bytes = output.ToArray();
        error = null;
        return true;
    }

    /// <summary>
    /// Four decimal octets, no leading zeros: "010" means 8 to some parsers and 10 to others, so
    /// like inet_pton we refuse it.
    /// </summary>
    private static bool TryParseIPv4(string text, Span<byte> octets)
    {
        int part = 0, value = 0, digits = 0;
        foreach (char c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || part == 3)
                    return false;
                octets[part++] = (byte)value;
                value = 0;
                digits = 0;
                continue;
            }
            if (!char.IsAsciiDigit(c) || (digits == 1 && value == 0))
                return false;
            value = value * 10 + (c - '0');
            if (value > 255)
                return false;
            digits++;
        }
        if (digits == 0 || part != 3)
            return false;
        octets[3] = (byte)value;
        return true;
    }
}

/// <summary>Names in zone-file text: relative to the origin unless they end in an unescaped dot.</summary>
internal static class ZoneNames
{
    public static bool TryParse(string text, DnsName? origin, [NotNullWhen(true)] out DnsName? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        if (!HasOrigin(text, origin, out error))
            return false;
        if (!DnsName.TryParse(text, origin, out name, out var why))
        {
            error = Invalid(text, why);
            return false;
        }
        return true;
    }

    /// <summary>As <see cref="TryParse"/>, the name's wire form written into <paramref name="buffer"/> (see <see cref="DnsName.TryParseWire"/>).</summary>
    public static bool TryParseWire(string text, DnsName? origin, Span<byte> buffer, out int length, [NotNullWhen(false)] out string? error)
    {
        length = 0;
        if (!HasOrigin(text, origin, out error))
            return false;
        if (!DnsName.TryParseWire(text, origin, buffer, out length, out _, out var why))
        {
            error = Invalid(text, why);
            return false;
        }
        return true;
    }

    /// <summary>False, with the error, for a relative name (or <c>@</c>) where there is no origin to complete it.</summary>
    private static bool HasOrigin(string text, DnsName? origin, [NotNullWhen(false)] out string? error)
    {
        error = origin is null && !IsAbsolute(text)
            ? text == "@" ? "'@' needs an origin ($ORIGIN)" : $"'{text}' is relative and there is no origin ($ORIGIN)"
            : null;
        return error is null;
    }

    private static string Invalid(string text, string why) => $"'{text}' is not a valid name ({why})";

    /// <summary>True when the text ends in a dot that is not escaped (an even run of backslashes before it).</summary>
    public static bool IsAbsolute(string text)
    {
        if (text.Length == 0 || text[^1] != '.')
            return false;
        int backslashes = 0;
        for (int i = text.Length - 2; i >= 0 && text[i] == '\\'; i--)
            backslashes++;
        return backslashes % 2 == 0;
    }
}
