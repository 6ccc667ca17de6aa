using System.Collections.Frozen;

namespace Rdns.Protocol.Wire;

/// <summary>Resource record types (IANA "Resource Record (RR) TYPEs").</summary>
public enum RecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    HINFO = 13,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    DNAME = 39,
    OPT = 41,
    DS = 43,
    RRSIG = 46,
    NSEC = 47,
    DNSKEY = 48,
    DHCID = 49,
    NSEC3 = 50,
    NSEC3PARAM = 51,

    /// <summary>Child DS: the DS the child wants its parent to publish (RFC 7344).</summary>
    CDS = 59,

    /// <summary>Child DNSKEY: the key the child wants its parent's DS to point at (RFC 7344).</summary>
    CDNSKEY = 60,

    /// <summary>Meta-type in the NSEC bitmap of a compact answer for a name that does not exist (RFC 9824 §4).</summary>
    NXNAME = 128,
    CAA = 257,
    TKEY = 249,
    TSIG = 250,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
}

/// <summary>Record classes (RFC 1035 §3.2.4, RFC 2136 §2.4 for NONE).</summary>
public enum RecordClass : ushort
{
    IN = 1,
    CH = 3,
    HS = 4,
    NONE = 254,
    ANY = 255,
}

/// <summary>Opcodes (RFC 1035 §4.1.1, RFC 1996, RFC 2136).</summary>
public enum Opcode : byte
{
    Query = 0,
    IQuery = 1,
    Status = 2,
    Notify = 4,
    Update = 5,
}

/// <summary>Response codes, including the extended ones that need EDNS or TSIG (RFC 6891, RFC 8945).</summary>
public enum Rcode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NXDomain = 3,
    NotImp = 4,
    Refused = 5,
    YXDomain = 6,
    YXRRSet = 7,
    NXRRSet = 8,
    NotAuth = 9,
    NotZone = 10,
    BadVers = 16,
    BadSig = 16,
    BadKey = 17,
    BadTime = 18,
    BadTrunc = 22,

    /// <summary>A server cookie was missing or wrong; retry with the one in this response (RFC 7873 §8).</summary>
    BadCookie = 23,
}

/// <summary>Header flag bits as they sit in the 16-bit flags word (RFC 1035 §4.1.1, RFC 4035).</summary>
[Flags]
public enum HeaderFlags : ushort
{
    None = 0,
    QR = 0x8000,
    AA = 0x0400,
    TC = 0x0200,
    RD = 0x0100,
    RA = 0x0080,
    Z = 0x0040,
    AD = 0x0020,
    CD = 0x0010,
}

public static class RecordTypeText
{
    /// <summary>Mnemonic or the RFC 3597 §5 <c>TYPEnnn</c> form; a known type's mnemonic without allocating (the zone-file parser names the type of every record it reads).</summary>
    public static string ToText(RecordType type) =>
        TypeTexts.TryGetValue(type, out var text) ? text : "TYPE" + ((ushort)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(ReadOnlySpan<char> text, out RecordType type)
    {
        bool ok = TryParse(text, "TYPE", TypeNames, out ushort n);
        type = (RecordType)n;
        return ok;
    }

    public static string ClassToText(RecordClass cls) =>
        ClassTexts.TryGetValue(cls, out var text) ? text : "CLASS" + ((ushort)cls).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParseClass(ReadOnlySpan<char> text, out RecordClass cls)
    {
        bool ok = TryParse(text, "CLASS", ClassNames, out ushort n);
        cls = (RecordClass)n;
        return ok;
    }

    private static readonly (string Name, ushort Value)[] TypeNames =
        [.. Enum.GetValues<RecordType>().Select(t => (t.ToString(), (ushort)t))];

    private static readonly (string Name, ushort Value)[] ClassNames =
        [.. Enum.GetValues<RecordClass>().Select(c => (c.ToString(), (ushort)c))];

    // The same names by value, for the way back (after the tables above: initialized from them).
    private static readonly FrozenDictionary<RecordType, string> TypeTexts =
        TypeNames.DistinctBy(t => t.Value).ToFrozenDictionary(t => (RecordType)t.Value, t => t.Name);

    private static readonly FrozenDictionary<RecordClass, string> ClassTexts =
        ClassNames.DistinctBy(c => c.Value).ToFrozenDictionary(c => (RecordClass)c.Value, c => c.Name);

    /// <summary>A mnemonic, or the RFC 3597 §5 generic form <c>TYPEnnn</c> / <c>CLASSnnn</c>.</summary>
    private static bool TryParse(ReadOnlySpan<char> text, string generic, (string Name, ushort Value)[] names, out ushort value)
    {
        if (text.StartsWith(generic, StringComparison.OrdinalIgnoreCase) &&
            ushort.TryParse(text[generic.Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value))
            return true;
        foreach (var (name, v) in names)
        {
            if (text.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }
        value = 0;
        return false;
    }
}
