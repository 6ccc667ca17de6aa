using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Text;

/// <summary>
/// Presentation text to uncompressed wire RDATA: the inverse of <see cref="Rdata.ToText"/>.
/// Relative names are completed with the origin. Every type also accepts the RFC 3597 §5 generic
/// form <c>\# length hex</c>; types without a text form of their own accept only that.
/// </summary>
public static class RdataParser
{
    /// <summary>RFC 1035 §3.2.1: RDLENGTH is 16 bits.</summary>
    public const int MaxLength = ushort.MaxValue;

    /// <summary>Parses RDATA text; throws <see cref="FormatException"/> naming the field and the reason.</summary>
    public static byte[] Parse(RecordType type, string text, DnsName? origin = null) =>
        Parse(type, ZoneTokenizer.Split(text, 1), 0, origin, 1);

    public static bool TryParse(RecordType type, string text, DnsName? origin,
        [NotNullWhen(true)] out byte[]? data, [NotNullWhen(false)] out string? error)
    {
        try
        {
            data = Parse(type, text, origin);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            data = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Types whose own presentation form we read; the rest must use <c>\#</c>.</summary>
    public static bool HasTextForm(RecordType type) => type is
        RecordType.A or RecordType.AAAA or RecordType.NS or RecordType.CNAME or RecordType.PTR or
        RecordType.DNAME or RecordType.SOA or RecordType.MX or RecordType.TXT or RecordType.SRV or
        RecordType.HINFO or RecordType.DHCID or RecordType.CAA or RecordType.DS or RecordType.CDS;

    /// <summary>
    /// RFC 6895 §3.1: type 0, OPT and 128-255 (query and meta types such as AXFR, ANY, TSIG) never
    /// sit in a zone.
    /// </summary>
    public static bool IsDataType(RecordType type) =>
        (ushort)type != 0 && type != RecordType.OPT && !((ushort)type is >= 128 and <= 255);

    internal static byte[] Parse(RecordType type, IReadOnlyList<ZoneToken> tokens, int start, DnsName? origin, int line) =>
        ParseSpan(type, tokens, start, origin, line).ToArray();

    /// <summary>
    /// As <see cref="Parse(RecordType, IReadOnlyList{ZoneToken}, int, DnsName?, int)"/>, the wire
    /// RDATA in the thread's scratch buffer (see <see cref="RdataCursor.Output"/>), valid until the
    /// thread parses again: for callers that copy it on at once (a zone file read into rows).
    /// </summary>
    internal static ReadOnlySpan<byte> ParseSpan(RecordType type, IReadOnlyList<ZoneToken> tokens, int start, DnsName? origin, int line)
    {
        string typeText = RecordTypeText.ToText(type);
        if (!IsDataType(type))
            throw new ZoneSyntaxException(line, $"type {typeText} is a query or meta type and cannot appear in a zone (RFC 6895 §3.1)");
        var c = new RdataCursor(tokens, start, origin, typeText, line);
        if (c.Peek is { Quoted: false, Text: "\\#" })
            return Generic(c, type, typeText, line);

        switch (type)
        {
            case RecordType.A:
                c.IPv4("address");
                break;
            case RecordType.AAAA:
                c.IPv6("address");
                break;
            case RecordType.NS:
                c.Name("nsdname");
                break;
            case RecordType.CNAME:
            case RecordType.DNAME:
                c.Name("target");
                break;
            case RecordType.PTR:
                c.Name("ptrdname");
                break;
            case RecordType.SOA:
                // RFC 1035 §3.3.13; BIND allows TTL units in the four timers, not in the serial.
                c.Name("mname");
                c.Name("rname");
                c.UInt32("serial");
                c.Duration("refresh");
                c.Duration("retry");
                c.Duration("expire");
                c.Duration("minimum");
                break;
            case RecordType.MX:
                c.UInt16("preference");
                c.Name("exchange");
                break;
            case RecordType.SRV:
                // RFC 2782.
                c.UInt16("priority");
                c.UInt16("weight");
                c.UInt16("port");
                c.Name("target");
                break;
            case RecordType.TXT:
                // RFC 1035 §3.3.14: one or more character-strings.
                c.CharacterString("text");
                while (!c.AtEnd)
                    c.CharacterString("text");
                break;
            case RecordType.HINFO:
                // RFC 1035 §3.3.2: exactly CPU and OS.
                c.CharacterString("cpu");
                c.CharacterString("os");
                break;
            case RecordType.DHCID:
                Dhcid(c);
                break;
            case RecordType.CAA:
                Caa(c);
                break;
            case RecordType.DS:
            case RecordType.CDS:
                DelegationSigner(c);
                break;
            default:
                throw new ZoneSyntaxException(c.Peek?.Line ?? line,
                    $"type {typeText} can only be given in the RFC 3597 generic form '\\# length hex'");
        }
        c.End();
        return Finish(c, typeText, line);
    }

    // RFC 4701 §3.3: the RDATA is base64, which may be split into several words.
    private static void Dhcid(RdataCursor c)
    {
        var first = c.Next("data");
        var text = first.Text;
        while (!c.AtEnd)
            text += c.Next("data").Text;
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out int written))
            throw c.Fail("data", "not valid base64", first);
        // RFC 4701 §3.1: identifier type (2), digest type (1) and a digest.
        if (written < 3)
            throw c.Fail("data", $"{written} octets is shorter than the 3 the RDATA needs", first);
        c.Output.Write(buffer.AsSpan(0, written));
    }

    // RFC 4034 §5.3: key tag, algorithm, digest type, and the digest in hex (words may split it).
    private static void DelegationSigner(RdataCursor c)
    {
        c.UInt16("key tag");
        c.UInt8("algorithm");
        c.UInt8("digest type");
        var first = c.Next("digest");
        var hex = new System.Text.StringBuilder(first.Text);
        while (!c.AtEnd)
            hex.Append(c.Next("digest").Text);
        if (first.Quoted || hex.Length % 2 != 0 || !hex.ToString().All(char.IsAsciiHexDigit))
            throw c.Fail("digest", $"'{hex}' is not an even number of hexadecimal digits", first);
        c.Output.Write(Convert.FromHexString(hex.ToString()));
    }

    // RFC 8659 §4.1.1: flags, tag, value. The value is not a character-string on the wire (no
    // length octet, no 255 limit), so it is written as it decodes.
    private static void Caa(RdataCursor c)
    {
        c.UInt8("flags");
        var tagToken = c.Next("tag");
        var tag = tagToken.Text;
        if (tagToken.Quoted || tag.Length is 0 or > 255 || !tag.All(char.IsAsciiLetterOrDigit))
            throw c.Fail("tag", $"'{tag}' is not a tag of ASCII letters and digits", tagToken);
        c.Output.Write([(byte)tag.Length]);
        c.Output.Write(System.Text.Encoding.ASCII.GetBytes(tag));
        var valueToken = c.Next("value");
        c.Output.Write(c.DecodeText(valueToken, "value", MaxLength));
    }

    // RFC 3597 §5: '\#', the length in decimal, then that many octets in hex, which may be split
    // into words of any size.
    private static ReadOnlySpan<byte> Generic(RdataCursor c, RecordType type, string typeText, int line)
    {
        c.Next("\\#");
        int length = (int)c.Number("\\# length", MaxLength);
        var hex = new System.Text.StringBuilder(length * 2);
        ZoneToken? first = c.Peek;
        while (!c.AtEnd)
        {
            var word = c.Next("\\# data");
            if (word.Quoted || !word.Text.All(char.IsAsciiHexDigit))
                throw c.Fail("\\# data", $"'{word.Text}' is not hexadecimal", word);
            hex.Append(word.Text);
        }
        if (hex.Length != length * 2)
        {
            string got = hex.Length % 2 == 0
                ? (hex.Length / 2).ToString(CultureInfo.InvariantCulture) + " octets"
                : hex.Length.ToString(CultureInfo.InvariantCulture) + " hex digits";
            throw c.Fail("\\# data", $"{got} where the length says {length}", first);
        }
        var data = Convert.FromHexString(hex.ToString());
        // RFC 3597 §5: the generic form of a known type must still be valid RDATA of that type.
        if (!Rdata.IsValid(type, data))
            throw new ZoneSyntaxException(first?.Line ?? line, $"{typeText} \\# data is not valid {typeText} RDATA");
        c.Output.Write(data);
        return Finish(c, typeText, line);
    }

    private static ReadOnlySpan<byte> Finish(RdataCursor c, string typeText, int line)
    {
        if (c.Output.WrittenCount > MaxLength)
            throw new ZoneSyntaxException(line, $"{typeText}: RDATA of {c.Output.WrittenCount} octets is longer than {MaxLength}");
        return c.Output.WrittenSpan;
    }
}
