using System.Globalization;

namespace Rdns.Bench.Harness;

/// <summary>The harness's settings; each default is what docs/BENCHMARKS.md reports.</summary>
public sealed class HarnessOptions
{
    public required string Data { get; init; }
    public required string Output { get; init; }
    public required string RdnsExecutable { get; init; }
    public List<string> RdnsArguments { get; } = [];

    /// <summary>Servers to run, in order; those not installed are left out with a note.</summary>
    public List<string> Servers { get; } = [];

    /// <summary>dnsperf -c: 4 clients (sockets) spread the load over the server's receive queues.</summary>
    public int Clients { get; set; } = 4;

    /// <summary>dnsperf -T: 1 thread, so on a 2-core machine the load generator takes one core at most.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>dnsperf -l: 15 s is long enough for a steady rate and short enough to repeat.</summary>
    public int Seconds { get; set; } = 15;

    public List<string> DnsperfArguments { get; } = [];

    /// <summary>Queries sampled from the query file for the answer comparison.</summary>
    public int Compare { get; set; } = 1000;

    /// <summary>Spawn to serving; generous because 10M-record runs load for minutes.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>The Rdns import (zone files into a fresh store, then serving).</summary>
    public TimeSpan ImportTimeout { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Keep the servers' work folders (the Rdns store, configurations) after the run.</summary>
    public bool Keep { get; set; }

    public const string Usage =
        "usage: Rdns.Bench.Harness --data DIR [--out DIR] [--rdns PATH] [--rdns-arg ARG]... [--servers rdns,knot,nsd,bind]\n" +
        "         [--clients 4] [--threads 1] [--seconds 15] [--dnsperf-arg ARG]... [--compare 1000]\n" +
        "         [--start-timeout SECONDS] [--import-timeout SECONDS] [--keep]";

    public static HarnessOptions Parse(string[] args, string repository)
    {
        string? data = null, output = null, rdns = null;
        var servers = new List<string>();
        var rdnsArgs = new List<string>();
        var perfArgs = new List<string>();
        int clients = 4, threads = 1, seconds = 15, compare = 1000;
        int? startTimeout = null, importTimeout = null;
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.Parse(Value(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--data": data = Value(); break;
                case "--out": output = Value(); break;
                case "--rdns": rdns = Value(); break;
                case "--rdns-arg": rdnsArgs.Add(Value()); break;
                case "--servers": servers.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--clients": clients = Number(); break;
                case "--threads": threads = Number(); break;
                case "--seconds": seconds = Number(); break;
                case "--dnsperf-arg": perfArgs.Add(Value()); break;
                case "--compare": compare = Number(); break;
                case "--start-timeout": startTimeout = Number(); break;
                case "--import-timeout": importTimeout = Number(); break;
                case "--keep": keep = true; break;
                default: throw new ArgumentException($"unknown argument {args[i]}\n{Usage}");
            }
        }
        if (data is null)
            throw new ArgumentException($"--data is required\n{Usage}");
        var options = new HarnessOptions
        {
            Data = Path.GetFullPath(data),
            Output = Path.GetFullPath(output ?? Path.Combine(repository, "bench", "out", "results",
                DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture))),
            RdnsExecutable = Path.GetFullPath(rdns ?? Path.Combine(repository, ".build", "rdns", "rdns")),
            Clients = clients,
            Threads = threads,
            Seconds = seconds,
            Compare = compare,
            Keep = keep,
        };
        if (startTimeout is { } s)
            options.StartTimeout = TimeSpan.FromSeconds(s);
        if (importTimeout is { } t)
            options.ImportTimeout = TimeSpan.FromSeconds(t);
        options.Servers.AddRange(servers.Count > 0 ? servers.Select(s => s.ToLowerInvariant()) : ["rdns", "knot", "nsd", "bind"]);
        options.RdnsArguments.AddRange(rdnsArgs);
        options.DnsperfArguments.AddRange(perfArgs);
        return options;
    }
}
