using System.Text;
using Rdns.Bench.Data;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Harness;

/// <summary>
/// Answer equivalence: the same sample of the query file asked of each server, each answer
/// reduced to what must agree — RCODE, header flags, and the answer and authority sections as
/// sets of records (owner, TTL, class, type, RDATA; names compared ignoring case). The additional
/// section and record order within a section are left out.
/// </summary>
public static class AnswerComparison
{
    private static readonly (HeaderFlags Flag, string Text)[] Flags =
    [
        (HeaderFlags.QR, "qr"), (HeaderFlags.AA, "aa"), (HeaderFlags.TC, "tc"), (HeaderFlags.RD, "rd"),
        (HeaderFlags.RA, "ra"), (HeaderFlags.AD, "ad"), (HeaderFlags.CD, "cd"),
    ];

    /// <summary><paramref name="count"/> distinct lines of the query file, chosen with the seed.</summary>
    public static List<string> Sample(string queryFile, int count, ulong seed)
    {
        var lines = File.ReadAllLines(queryFile);
        var rng = SplitMix64.For(seed, "equivalence-sample");
        var chosen = new HashSet<int>();
        var names = new List<string>(count);
        while (names.Count < Math.Min(count, lines.Length))
        {
            int i = rng.Below(lines.Length);
            if (chosen.Add(i))
                names.Add(lines[i].Split(' ')[0]);
        }
        return names;
    }

    /// <summary>Each name's answer from the server on <paramref name="port"/>, in canonical text.</summary>
    public static string[] Collect(int port, IReadOnlyList<string> names, TimeSpan wait)
    {
        using var asker = new UdpAsker(port);
        var answers = asker.AskAll([.. names.Select(n => (n, RecordType.PTR))], wait, window: 32);
        var result = new string[names.Count];
        for (int i = 0; i < names.Count; i++)
            result[i] = answers.TryGetValue(i, out var m) ? Canonical(m) : "(no answer)";
        return result;
    }

    public static string Canonical(DnsMessage m)
    {
        var sb = new StringBuilder();
        sb.Append("rcode ").Append(RcodeText(m.Rcode)).Append("; flags");
        foreach (var (flag, text) in Flags)
        {
            if (m.Has(flag))
                sb.Append(' ').Append(text);
        }
        Section(sb, "answer", m.Answers);
        Section(sb, "authority", m.Authority);
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string title, List<ResourceRecord> records)
    {
        if (records.Count == 0)
            return;
        sb.Append("\n  ").Append(title).Append(':');
        foreach (string line in records.Select(r => r.ToString().ToLowerInvariant()).Order(StringComparer.Ordinal))
            sb.Append("\n    ").Append(line);
    }

    private static string RcodeText(int rcode) => rcode switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => rcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Indices where the two servers' answers differ.</summary>
    public static List<int> Differences(string[] a, string[] b) =>
        [.. Enumerable.Range(0, Math.Min(a.Length, b.Length)).Where(i => a[i] != b[i])];
}
