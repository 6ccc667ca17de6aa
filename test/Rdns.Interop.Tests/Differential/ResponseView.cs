using System.Text;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Differential;

/// <summary>
/// What the differential test compares of a response, as text: RCODE (extended bits included),
/// the header flags QR AA TC RD RA AD CD, OPT presence, version and DO, and the answer,
/// authority and additional sections as sorted sets of records (owner lower-cased, TTL, class,
/// type, RDATA). Order within a section, name compression and the OPT payload size do not count.
/// </summary>
public sealed record ResponseView
{
    private const HeaderFlags Compared = HeaderFlags.QR | HeaderFlags.AA | HeaderFlags.TC | HeaderFlags.RD |
                                         HeaderFlags.RA | HeaderFlags.AD | HeaderFlags.CD;

    public required string Summary { get; init; }

    private HeaderFlags _flags;
    private string _opt = "";

    public IReadOnlyList<string> Answer { get; init; } = [];

    public IReadOnlyList<string> Authority { get; init; } = [];

    public IReadOnlyList<string> Additional { get; init; } = [];

    /// <summary>The parsed message, null when there was no reply or it did not parse.</summary>
    public DnsMessage? Message { get; init; }

    public static ResponseView From(byte[]? reply)
    {
        if (reply is null)
            return new ResponseView { Summary = "no reply" };
        if (!DnsMessage.TryParse(reply, out var m, out string? error))
            return new ResponseView { Summary = $"unparseable ({error}): {Convert.ToHexString(reply)}" };
        var flags = m.Flags & Compared;
        string opt = m.Edns is null ? "no OPT" : $"OPT version {m.Edns.Version} DO={(m.Edns.DnssecOk ? 1 : 0)}";
        return new ResponseView
        {
            Summary = Describe(m, flags, opt),
            _flags = flags,
            _opt = opt,
            Answer = Lines(m.Answers),
            Authority = Lines(m.Authority),
            Additional = Lines(m.Additional),
            Message = m,
        };
    }

    private static string Describe(DnsMessage m, HeaderFlags flags, string opt) =>
        $"id {m.Id} opcode {m.Opcode} rcode {RcodeText(m.Rcode)} flags [{FlagsText(flags)}] {opt}" +
        (m.Tsig is null ? "" : "\n" + TsigText(m.Tsig));

    /// <summary>A TSIG record's fields (RFC 8945 §4.2), names lower-cased, the MAC by its length only.</summary>
    private static string TsigText(ResourceRecord tsig)
    {
        var d = tsig.Data;
        int pos = 0;
        while (pos < d.Length && d[pos] != 0)
            pos += 1 + d[pos];
        pos++;
        if (pos + 10 > d.Length)
            return $"TSIG {tsig.Owner.ToLower()} malformed RDATA {Convert.ToHexString(d)}";
        string algorithm = Rdns.Protocol.Names.DnsName.FromWire(d.AsSpan(0, pos)).ToLower().ToString();
        var time = Convert.ToHexString(d, pos, 6);
        int fudge = d[pos + 6] << 8 | d[pos + 7];
        int mac = d[pos + 8] << 8 | d[pos + 9];
        int after = pos + 10 + mac;
        if (after + 6 > d.Length)
            return $"TSIG {tsig.Owner.ToLower()} malformed RDATA {Convert.ToHexString(d)}";
        int originalId = d[after] << 8 | d[after + 1];
        int error = d[after + 2] << 8 | d[after + 3];
        int other = d[after + 4] << 8 | d[after + 5];
        return $"TSIG {tsig.Owner.ToLower()} {RecordTypeText.ClassToText(tsig.Class)} {tsig.Ttl} {algorithm} time {time} fudge {fudge} " +
               $"mac {mac} octets, original id {originalId}, error {error}, other {other} octets";
    }

    /// <summary>This view with <paramref name="flag"/> cleared, for an accepted difference in that flag.</summary>
    public ResponseView Without(HeaderFlags flag) =>
        Message is null ? this : this with { Summary = Describe(Message, _flags & ~flag, _opt), _flags = _flags & ~flag };

    /// <summary>This view as if it carried no OPT, for an accepted difference in OPT presence.</summary>
    public ResponseView WithoutOpt() =>
        Message is null ? this : this with { Summary = Describe(Message, _flags, "no OPT"), _opt = "no OPT" };

    /// <summary>This view with the answer records of <paramref name="owner"/> at TTL <paramref name="from"/> moved to <paramref name="to"/>.</summary>
    public ResponseView WithAnswerTtl(string owner, uint from, uint to) => this with
    {
        Answer = Answer.Select(l => l.StartsWith($"{owner} {from} ", StringComparison.Ordinal) ? $"{owner} {to} {l[(owner.Length + from.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 2)..]}" : l)
            .Order(StringComparer.Ordinal).ToList(),
    };

    public static string RcodeText(int rcode) => Enum.IsDefined((Rcode)rcode) ? ((Rcode)rcode).ToString().ToUpperInvariant() : rcode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string FlagsText(HeaderFlags flags) =>
        string.Join(' ', Enum.GetValues<HeaderFlags>().Where(f => f != HeaderFlags.None && (flags & f) != 0).Select(f => f.ToString().ToLowerInvariant()));

    /// <summary>
    /// One line per record: the owner lower-cased, domain names inside RDATA lower-cased too
    /// (COMPLIANCE.md A1: we keep the case the zone file gave them, Knot DNS lower-cases them on
    /// load and may give them the question's case through compression), everything else exact.
    /// </summary>
    public static string Line(ResourceRecord r)
    {
        string data = Rdata.ToText(r.Type, r.Data);
        if (Rdata.NameLayout(r.Type).Names > 0)
            data = data.ToLowerInvariant();
        return $"{r.Owner.ToLower()} {r.Ttl} {RecordTypeText.ClassToText(r.Class)} {RecordTypeText.ToText(r.Type)} {data}";
    }

    private static List<string> Lines(List<ResourceRecord> records) => records.Select(Line).Order(StringComparer.Ordinal).ToList();

    public string Render()
    {
        var sb = new StringBuilder(Summary).Append('\n');
        Section(sb, "ANSWER", Answer);
        Section(sb, "AUTHORITY", Authority);
        Section(sb, "ADDITIONAL", Additional);
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string title, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
            return;
        sb.Append(";; ").Append(title).Append('\n');
        foreach (string line in lines)
            sb.Append("  ").Append(line).Append('\n');
    }

    public bool SameAs(ResponseView other) =>
        Summary == other.Summary && Answer.SequenceEqual(other.Answer) && Authority.SequenceEqual(other.Authority) &&
        Additional.SequenceEqual(other.Additional);
}
