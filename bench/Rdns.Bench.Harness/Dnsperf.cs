using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rdns.Bench.Harness;

/// <summary>What dnsperf reported for one run.</summary>
public sealed record DnsperfResult(long Sent, long Completed, long Lost, double QueriesPerSecond, string ResponseCodes, string Output);

/// <summary>dnsperf as the load: its defaults here are 4 clients, 1 thread, 15 seconds, 127.0.0.1 only.</summary>
public static partial class Dnsperf
{
    public static string? Executable => ServerKind.Find("dnsperf");

    public static DnsperfResult Run(string queries, int port, int clients, int threads, int seconds, IReadOnlyList<string> extra)
    {
        string exe = Executable ?? throw new InvalidOperationException("dnsperf is not installed (apt-get install dnsperf)");
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["-s", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-d", queries,
                     "-c", clients.ToString(CultureInfo.InvariantCulture), "-T", threads.ToString(CultureInfo.InvariantCulture),
                     "-l", seconds.ToString(CultureInfo.InvariantCulture), .. extra])
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dnsperf");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Bounded: the run itself, reading the query file, and the final timeout for late answers.
        if (!process.WaitForExit(TimeSpan.FromSeconds(seconds + 120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dnsperf did not finish in time");
        }
        string output = stdout.Result + stderr.Result;
        long Count(string label) =>
            Regex.Match(output, $@"{label}:\s+(\d+)") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        var qps = QpsPattern().Match(output);
        var codes = CodesPattern().Match(output);
        if (!qps.Success)
            throw new InvalidOperationException($"dnsperf printed no statistics:\n{output}");
        return new DnsperfResult(Count("Queries sent"), Count("Queries completed"), Count("Queries lost"),
            double.Parse(qps.Groups[1].Value, CultureInfo.InvariantCulture), codes.Success ? codes.Groups[1].Value.Trim() : "", output);
    }

    [GeneratedRegex(@"Queries per second:\s+([\d.]+)")]
    private static partial Regex QpsPattern();

    [GeneratedRegex(@"Response codes:\s+(.*)")]
    private static partial Regex CodesPattern();
}
