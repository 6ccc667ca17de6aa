using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Records;

/// <summary>
/// RDATA in uncompressed wire form: construction, validation, comparison, presentation and the
/// per-type knowledge of where names sit (for compression on write and decompression on read).
/// </summary>
public static class Rdata
{
    /// <summary>
    /// Types whose RDATA names may be compressed on the wire (RFC 3597 §4: only the RFC 1035 types);
    /// MX is among them. Everything else is copied as it is.
    /// </summary>
    public static bool HasCompressibleNames(RecordType type) =>
        type is RecordType.NS or RecordType.CNAME or RecordType.PTR or RecordType.SOA or RecordType.MX;

    /// <summary>
    /// The layout of names within RDATA: how many fixed octets precede the first name, and how
    /// many names follow. SOA is two names then 20 octets; MX is 2 octets then a name; SRV is 6
    /// octets then a name. Types not listed carry no names we need to understand.
    /// </summary>
    public static (int Prefix, int Names) NameLayout(RecordType type) => type switch
    {
        RecordType.NS or RecordType.CNAME or RecordType.PTR or RecordType.DNAME => (0, 1),
        RecordType.SOA => (0, 2),
        RecordType.MX => (2, 1),
        RecordType.SRV => (6, 1),
        _ => (0, 0),
    };

    public static byte[] FromName(DnsName name) => name.Wire.ToArray();

    public static byte[] Ptr(DnsName target) => FromName(target);

    public static byte[] A(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException("A needs an IPv4 address", nameof(address));
        return address.GetAddressBytes();
    }

    public static byte[] Aaaa(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            throw new ArgumentException("AAAA needs an IPv6 address", nameof(address));
        return address.GetAddressBytes();
    }

    public static byte[] Soa(DnsName mname, DnsName rname, uint serial, uint refresh, uint retry, uint expire, uint minimum)
    {
        var data = new byte[mname.Length + rname.Length + 20];
        mname.Wire.CopyTo(data);
        rname.Wire.CopyTo(data.AsSpan(mname.Length));
        var tail = data.AsSpan(mname.Length + rname.Length);
        BinaryPrimitives.WriteUInt32BigEndian(tail, serial);
        BinaryPrimitives.WriteUInt32BigEndian(tail[4..], refresh);
        BinaryPrimitives.WriteUInt32BigEndian(tail[8..], retry);
        BinaryPrimitives.WriteUInt32BigEndian(tail[12..], expire);
        BinaryPrimitives.WriteUInt32BigEndian(tail[16..], minimum);
        return data;
    }

    public static byte[] Txt(params string[] strings)
    {
        var ms = new MemoryStream();
        foreach (var s in strings)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            if (bytes.Length > 255)
                throw new ArgumentException("a TXT character-string is at most 255 octets");
            ms.WriteByte((byte)bytes.Length);
            ms.Write(bytes);
        }
        return ms.ToArray();
    }

    /// <summary>The single name of NS, CNAME, PTR or DNAME RDATA.</summary>
    public static DnsName ReadName(ReadOnlySpan<byte> data) => DnsName.FromWire(data);

    /// <summary>The SOA serial (RFC 1035 §3.3.13), found after the two names.</summary>
    public static uint SoaSerial(ReadOnlySpan<byte> soa) =>
        BinaryPrimitives.ReadUInt32BigEndian(soa[SoaFixedOffset(soa)..]);

    /// <summary>The SOA REFRESH field: how often secondaries check the primary's serial (RFC 1035 §3.3.13).</summary>
    public static uint SoaRefresh(ReadOnlySpan<byte> soa) =>
        BinaryPrimitives.ReadUInt32BigEndian(soa[(SoaFixedOffset(soa) + 4)..]);

    /// <summary>The SOA RETRY field: how long secondaries wait after a failed refresh (RFC 1035 §3.3.13).</summary>
    public static uint SoaRetry(ReadOnlySpan<byte> soa) =>
        BinaryPrimitives.ReadUInt32BigEndian(soa[(SoaFixedOffset(soa) + 8)..]);

    /// <summary>The character-strings of TXT RDATA (RFC 1035 §3.3.14), read as UTF-8 as <see cref="Txt"/> writes them; null when malformed.</summary>
    public static IReadOnlyList<string>? TxtStrings(ReadOnlySpan<byte> data)
    {
        var strings = new List<string>();
        int pos = 0;
        while (pos < data.Length)
        {
            int length = data[pos];
            if (pos + 1 + length > data.Length)
                return null;
            strings.Add(Encoding.UTF8.GetString(data.Slice(pos + 1, length)));
            pos += 1 + length;
        }
        return strings;
    }

    /// <summary>The SOA EXPIRE field: how long secondaries keep serving without reaching the primary (RFC 1035 §3.3.13).</summary>
    public static uint SoaExpire(ReadOnlySpan<byte> soa) =>
        BinaryPrimitives.ReadUInt32BigEndian(soa[(SoaFixedOffset(soa) + 12)..]);

    /// <summary>The SOA MINIMUM field, which RFC 2308 §4 makes the negative-caching TTL.</summary>
    public static uint SoaMinimum(ReadOnlySpan<byte> soa) =>
        BinaryPrimitives.ReadUInt32BigEndian(soa[(SoaFixedOffset(soa) + 16)..]);

    public static byte[] WithSoaSerial(ReadOnlySpan<byte> soa, uint serial)
    {
        var copy = soa.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(SoaFixedOffset(soa)), serial);
        return copy;
    }

    public static int SoaFixedOffset(ReadOnlySpan<byte> soa)
    {
        int first = NameEnd(soa, 0);
        return NameEnd(soa, first);
    }

    private static int NameEnd(ReadOnlySpan<byte> data, int pos)
    {
        while (data[pos] != 0)
            pos += 1 + data[pos];
        return pos + 1;
    }

    /// <summary>
    /// Checks that RDATA is well formed for its type: names parse, fixed fields are the right
    /// length. Unknown types are opaque and always valid (RFC 3597).
    /// </summary>
    public static bool IsValid(RecordType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case RecordType.A:
                return data.Length == 4;
            case RecordType.AAAA:
                return data.Length == 16;
            case RecordType.TXT:
            case RecordType.HINFO:
                {
                    if (data.Length == 0)
                        return false;
                    int pos = 0, strings = 0;
                    while (pos < data.Length)
                    {
                        pos += 1 + data[pos];
                        strings++;
                    }
                    // RFC 1035 §3.3.2: HINFO is exactly CPU and OS.
                    return pos == data.Length && (type == RecordType.TXT || strings == 2);
                }
            case RecordType.DHCID:
                return data.Length >= 3;
            case RecordType.CAA:
                // RFC 8659 §4.1: flags, a tag of at least one octet, then the value.
                return data.Length >= 2 && data[1] >= 1 && 2 + data[1] <= data.Length;
        }
        var (prefix, names) = NameLayout(type);
        if (names == 0)
            return true;
        if (data.Length < prefix)
            return false;
        int p = prefix;
        for (int i = 0; i < names; i++)
        {
            int end = ValidNameEnd(data, p);
            if (end < 0)
                return false;
            p = end;
        }
        int fixedTail = type == RecordType.SOA ? 20 : 0;
        return data.Length == p + fixedTail;
    }

    private static int ValidNameEnd(ReadOnlySpan<byte> data, int pos)
    {
        int start = pos;
        while (true)
        {
            if (pos >= data.Length)
                return -1;
            int len = data[pos];
            if (len == 0)
                return pos + 1 - start > DnsName.MaxLength ? -1 : pos + 1;
            if (len > DnsName.MaxLabelLength)
                return -1;
            pos += 1 + len;
        }
    }

    /// <summary>RDATA equality with embedded names compared ignoring case (RFC 4034 §6.2).</summary>
    public static bool Equal(RecordType type, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
            return false;
        return NameLayout(type).Names > 0 ? WireName.EqualsIgnoreCase(a, b) && SameFixed(a, b, type) : a.SequenceEqual(b);
    }

    // The case-insensitive comparison above also folds fixed octets that happen to be letters;
    // compare the non-name parts exactly.
    private static bool SameFixed(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, RecordType type)
    {
        var (prefix, names) = NameLayout(type);
        if (!a[..prefix].SequenceEqual(b[..prefix]))
            return false;
        int pa = prefix;
        for (int i = 0; i < names; i++)
            pa = NameEnd(a, pa);
        return a[pa..].SequenceEqual(b[pa..]);
    }

    /// <summary>Presentation format of RDATA (RFC 1035 §5.1 and each type's RFC; RFC 3597 §5 for unknown types).</summary>
    public static string ToText(RecordType type, ReadOnlySpan<byte> data)
    {
        if (!IsValid(type, data))
            return Generic(data);
        var inv = CultureInfo.InvariantCulture;
        switch (type)
        {
            case RecordType.A:
            case RecordType.AAAA:
                return new IPAddress(data).ToString();
            case RecordType.NS:
            case RecordType.CNAME:
            case RecordType.PTR:
            case RecordType.DNAME:
                return DnsName.FromWire(data).ToString();
            case RecordType.SOA:
                {
                    int m = NameEnd(data, 0);
                    int r = NameEnd(data, m);
                    var t = data[r..];
                    return string.Join(' ',
                        DnsName.FromWire(data[..m]).ToString(),
                        DnsName.FromWire(data[m..r]).ToString(),
                        BinaryPrimitives.ReadUInt32BigEndian(t).ToString(inv),
                        BinaryPrimitives.ReadUInt32BigEndian(t[4..]).ToString(inv),
                        BinaryPrimitives.ReadUInt32BigEndian(t[8..]).ToString(inv),
                        BinaryPrimitives.ReadUInt32BigEndian(t[12..]).ToString(inv),
                        BinaryPrimitives.ReadUInt32BigEndian(t[16..]).ToString(inv));
                }
            case RecordType.MX:
                return BinaryPrimitives.ReadUInt16BigEndian(data).ToString(inv) + " " + DnsName.FromWire(data[2..]);
            case RecordType.SRV:
                return string.Join(' ',
                    BinaryPrimitives.ReadUInt16BigEndian(data).ToString(inv),
                    BinaryPrimitives.ReadUInt16BigEndian(data[2..]).ToString(inv),
                    BinaryPrimitives.ReadUInt16BigEndian(data[4..]).ToString(inv),
                    DnsName.FromWire(data[6..]).ToString());
            case RecordType.TXT:
            case RecordType.HINFO:
                {
                    var sb = new StringBuilder();
                    int pos = 0;
                    while (pos < data.Length)
                    {
                        if (sb.Length > 0)
                            sb.Append(' ');
                        AppendCharacterString(sb, data.Slice(pos + 1, data[pos]));
                        pos += 1 + data[pos];
                    }
                    return sb.ToString();
                }
            case RecordType.DHCID:
                return Convert.ToBase64String(data);
            case RecordType.DS:
            case RecordType.CDS:
                // RFC 4034 §5.3: key tag, algorithm, digest type, digest in hex; a digest-less one has no text form.
                return data.Length > 4
                    ? string.Create(inv, $"{BinaryPrimitives.ReadUInt16BigEndian(data)} {data[2]} {data[3]} {Convert.ToHexString(data[4..])}")
                    : Generic(data);
            case RecordType.CAA:
                {
                    // RFC 8659 §4.1.1: flags tag "value". A tag that is not letters and digits
                    // has no presentation form, so such RDATA falls back to the generic form.
                    var tag = data.Slice(2, data[1]);
                    foreach (byte b in tag)
                    {
                        if (!char.IsAsciiLetterOrDigit((char)b))
                            return Generic(data);
                    }
                    var sb = new StringBuilder();
                    sb.Append(data[0].ToString(inv)).Append(' ').Append(Encoding.ASCII.GetString(tag)).Append(' ');
                    AppendCharacterString(sb, data[(2 + tag.Length)..]);
                    return sb.ToString();
                }
            default:
                return Generic(data);
        }
    }

    /// <summary>RFC 3597 §5 generic form: <c>\# length hex</c>.</summary>
    public static string Generic(ReadOnlySpan<byte> data) =>
        data.Length == 0 ? "\\# 0" : $"\\# {data.Length.ToString(CultureInfo.InvariantCulture)} {Convert.ToHexString(data)}";

    /// <summary>A quoted character-string with RFC 1035 §5.1 escapes.</summary>
    public static void AppendCharacterString(StringBuilder sb, ReadOnlySpan<byte> s)
    {
        sb.Append('"');
        foreach (byte b in s)
        {
            if (b == '"' || b == '\\')
                sb.Append('\\').Append((char)b);
            else if (b < 0x20 || b > 0x7e)
                sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            else
                sb.Append((char)b);
        }
        sb.Append('"');
    }
}
