using System.Globalization;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Dnssec;

/// <summary>What <c>kdig +dnssec</c> printed: the RCODE, the header flags, and the record lines.</summary>
public sealed record KdigAnswer(string Status, IReadOnlyList<string> Flags, IReadOnlyList<string> Records, string Text)
{
    public bool Authenticated => Flags.Contains("ad");

    /// <summary>Record lines of <paramref name="type"/> (the type column, e.g. "RRSIG", "NSEC").</summary>
    public IEnumerable<string> OfType(string type) =>
        Records.Where(r => r.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is { Length: > 3 } f && f[3] == type);

    public static async Task<KdigAnswer> AskAsync(int port, string name, string type, params string[] options)
    {
        var r = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig")!,
            ["@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "+dnssec", "+time=5", "+retry=1", .. options, name, type], TimeSpan.FromSeconds(30));
        var lines = r.StdoutLines;
        string status = lines.Select(l => l.Split("status: ", 2)).Where(p => p.Length == 2).Select(p => p[1].Split(';')[0].Trim()).FirstOrDefault() ?? "(none)";
        var flags = lines.Where(l => l.StartsWith(";; Flags:", StringComparison.Ordinal)).Select(l => l[";; Flags:".Length..].Split(';')[0])
            .SelectMany(f => f.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var records = lines.Where(l => l.Length > 0 && l[0] != ';').ToList();
        return new KdigAnswer(status, flags, records, r.Stdout);
    }
}
