using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Update;

/// <summary>
/// BIND's <c>nsupdate</c> and Knot's <c>knsupdate</c> as a person runs them: a script on a file,
/// a key given with <c>-y</c>; the outcome read from what each prints (the RCODE name).
/// </summary>
public static class UpdateTool
{
    /// <param name="key">"hmac-sha256:name:secret", or null for an unsigned update.</param>
    /// <param name="tcp">Over TCP (<c>-v</c> for both tools).</param>
    /// <param name="source">The local address to send from (the <c>local</c> command of both tools), as a client of a view's network.</param>
    public static async Task<string> RunAsync(string tool, int port, string? key, string zone, IEnumerable<string> commands, bool tcp = false, string? source = null)
    {
        string program = ProcessRunner.Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed (./test.sh installs bind9-dnsutils and knot-dnsutils)");
        string script = Path.GetTempFileName();
        try
        {
            string local = source is null ? "" : $"local {source}\n";
            await File.WriteAllTextAsync(script, $"server 127.0.0.1 {port}\n{local}zone {zone}\n{string.Join('\n', commands)}\nsend\n");
            var args = new List<string>();
            if (key is not null)
                args.AddRange(["-y", key]);
            if (tcp)
                args.Add("-v");
            args.Add(script);
            var result = await ProcessRunner.RunAsync(program, args, TimeSpan.FromSeconds(30));
            return Outcome(tool, result);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>NOERROR, an RCODE name, NOTAUTH(BADSIG) and the like, or what the tool said when it says no RCODE.</summary>
    private static string Outcome(string tool, ProcessResult result)
    {
        if (result.ExitCode == 0)
            return "NOERROR";
        if (tool == "nsupdate")
        {
            var line = result.StderrLines.LastOrDefault(l => l.StartsWith("update failed: ", StringComparison.Ordinal));
            return line?["update failed: ".Length..].Trim() ?? result.ToString();
        }
        var status = result.StdoutLines.FirstOrDefault(l => l.Contains("status: ", StringComparison.Ordinal));
        if (status is null)
            return result.ToString();
        int at = status.IndexOf("status: ", StringComparison.Ordinal) + "status: ".Length;
        return status[at..].Split(';')[0].Trim();
    }
}
