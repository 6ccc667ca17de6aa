using System.Text.RegularExpressions;

namespace Rdns.Interop.Tests.Clients;

/// <summary>
/// What <c>dig</c> or <c>kdig</c> printed for one answer: status, header flags, the record
/// sections (one normalized line per record: fields separated by one space), EDNS and the
/// transport the answer came over. The two tools word these differently; both are read here.
/// </summary>
public sealed partial record ClientOutput(
    string Status,
    IReadOnlyList<string> Flags,
    IReadOnlyList<string> Answer,
    IReadOnlyList<string> Authority,
    IReadOnlyList<string> Additional,
    int? EdnsVersion,
    string Transport,
    string Text)
{
    public static ClientOutput Parse(string text)
    {
        // With a retry over TCP the last answer printed is the one that counts.
        int header = text.LastIndexOf(";; ->>HEADER<<-", StringComparison.Ordinal);
        if (header < 0)
            throw new FormatException($"no answer header in:\n{text}");
        string answer = text[header..];
        var status = StatusLine().Match(answer);
        var flags = FlagsLine().Match(answer);
        var transport = TransportLine().Match(answer);
        if (!status.Success || !flags.Success || !transport.Success)
            throw new FormatException($"unexpected output:\n{text}");
        var version = EdnsVersionLine().Match(answer);
        return new ClientOutput(
            status.Groups[1].Value,
            flags.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Section(answer, "ANSWER"),
            Section(answer, "AUTHORITY"),
            Section(answer, "ADDITIONAL"),
            version.Success ? int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            transport.Groups[1].Value,
            text);
    }

    private static List<string> Section(string answer, string name)
    {
        var lines = new List<string>();
        int start = answer.IndexOf($";; {name} SECTION:", StringComparison.Ordinal);
        if (start < 0)
            return lines;
        foreach (string line in answer[start..].Split('\n').Skip(1))
        {
            if (line.Trim().Length == 0 || line.StartsWith(";;", StringComparison.Ordinal))
                break;
            lines.Add(string.Join(' ', line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
        }
        return lines;
    }

    public override string ToString() => Text;

    // dig: "status: NOERROR," kdig: "status: NOERROR;"
    [GeneratedRegex(@"status: ([A-Z]+)[,;]")]
    private static partial Regex StatusLine();

    // dig: ";; flags: qr aa;" kdig: ";; Flags: qr aa;"
    [GeneratedRegex(@";; [Ff]lags:([a-z ]*);")]
    private static partial Regex FlagsLine();

    // dig: ";; SERVER: 127.0.0.1#53(127.0.0.1) (UDP)" kdig: ";; From 127.0.0.1@53(UDP) in 0.4 ms"
    [GeneratedRegex(@";; (?:SERVER:|From) [^\n]*?\((UDP|TCP)\)")]
    private static partial Regex TransportLine();

    // dig: "; EDNS: version: 0, flags:;" kdig: ";; Version: 0; flags: ;"
    [GeneratedRegex(@"(?:EDNS: version|;; Version): (\d+)")]
    private static partial Regex EdnsVersionLine();
}
