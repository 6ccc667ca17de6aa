using System.Text.Json;
using Rdns.Bench.Data;
using Rdns.Bench.Harness;

// Rdns.Bench.Harness — Rdns and other authoritative servers, one after another, on one dataset
// written by Rdns.Bench.Data. All traffic goes to 127.0.0.1; every server is stopped at the end.
string repository = FindRepository();
HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args, repository);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (Dnsperf.Executable is null)
{
    Console.Error.WriteLine("dnsperf is not installed (apt-get install dnsperf)");
    return 2;
}
var dataset = DatasetManifest.Load(options.Data);
Directory.CreateDirectory(options.Output);

var kinds = new List<ServerKind>();
foreach (string name in options.Servers)
{
    ServerKind kind = name switch
    {
        "rdns" => new RdnsServer(options.RdnsExecutable, options.RdnsArguments),
        // The cost of seeing it work: counters off, and dnstap of every query on top of counters.
        "rdns-nometrics" => new RdnsServer(options.RdnsExecutable, [.. options.RdnsArguments, "--metrics", "off"], "Rdns-nometrics"),
        "rdns-dnstap" => new RdnsServer(options.RdnsExecutable, options.RdnsArguments, "Rdns-dnstap", dnstap: true),
        "knot" => new KnotServer(),
        "nsd" => new NsdServer(),
        "bind" => new BindServer(),
        _ => throw new ArgumentException($"unknown server {name} (rdns, rdns-nometrics, rdns-dnstap, knot, nsd, bind)"),
    };
    if (kind.Executable is null)
    {
        Console.WriteLine($"{kind.Name}: not installed, left out");
        continue;
    }
    kinds.Add(kind);
}

var run = new BenchmarkRun(options, dataset, Console.Out);
var results = kinds.Select(run.Run).ToList();
Report.CountMismatches(results);

// run.sh passes the command as typed; run directly, the harness reports its own arguments.
string command = Environment.GetEnvironmentVariable("RDNS_BENCH_COMMAND") ?? "Rdns.Bench.Harness " + string.Join(' ', args);
string markdown = Report.Markdown(results, dataset, options, run.Sample, command);
File.WriteAllText(Path.Combine(options.Output, "results.md"), markdown);
File.WriteAllText(Path.Combine(options.Output, "results.json"), JsonSerializer.Serialize(
    results.Select(r => new
    {
        r.Name, r.Version, r.ImportSeconds, r.StoreBytes, r.FirstAnswerSeconds, r.StartSeconds, r.AllZonesSeconds,
        r.PssAfterLoad, r.PssAfterTraffic, r.PssPerPtr, r.PssInUse, r.PssInUsePerPtr, r.CpuSeconds, r.CpuMicrosPerQuery, r.Mismatches, r.MismatchReference, r.Error,
        Load = r.Load is null ? null : new { r.Load.Sent, r.Load.Completed, r.Load.Lost, r.Load.QueriesPerSecond, r.Load.ResponseCodes },
    }), new JsonSerializerOptions { WriteIndented = true }));

Console.WriteLine();
Console.Write(Report.Text(results));
Console.WriteLine();
Console.WriteLine($"Markdown: {Path.Combine(options.Output, "results.md")}");
return results.Any(r => r.Error is not null) ? 1 : 0;

static string FindRepository()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Rdns.slnx")))
            return dir.FullName;
    }
    return Environment.CurrentDirectory;
}
