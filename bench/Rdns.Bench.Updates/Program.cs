using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

// DNS UPDATE under load, Rdns beside Knot DNS on the same zone, in one run on this machine:
// (1) dnsperf -u with the same signed updates against each, one after the other: updates per
//     second acknowledged and server CPU per update;
// (2) --rounds times kill -9 of `rdns serve` during a stream of signed updates: after each restart
//     every acknowledged update must be there.
// Usage: dotnet run -c Release --project bench/Rdns.Bench.Updates -- [--seconds 20] [--clients 4]
//        [--outstanding 64] [--names 2000] [--rounds 20] [--rdns ./rdns]
int seconds = 20, clients = 4, outstanding = 64, names = 2000, rounds = 20;
string rdns = Path.GetFullPath("rdns");
for (int i = 0; i < args.Length; i++)
{
    int Next() => int.Parse(args[++i], CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--seconds": seconds = Next(); break;
        case "--clients": clients = Next(); break;
        case "--outstanding": outstanding = Next(); break;
        case "--names": names = Next(); break;
        case "--rounds": rounds = Next(); break;
        case "--rdns": rdns = Path.GetFullPath(args[++i]); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

const string zone = "77.10.in-addr.arpa.";
var folder = Directory.CreateTempSubdirectory("rdns-bench-updates-").FullName;
try
{
    var zones = Directory.CreateDirectory(Path.Combine(folder, "zones")).FullName;
    File.WriteAllText(Path.Combine(zones, zone + "zone"),
        $"$ORIGIN {zone}\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n");
    var key = TsigKey.Generate(DnsName.Parse("bench."), TsigAlgorithm.HmacSha256);
    string secret = Convert.ToBase64String(key.Secret);
    File.WriteAllText(Path.Combine(folder, "keys.conf"), key.ToBindText());
    File.WriteAllText(Path.Combine(folder, "rdns.json"), $$"""{ "Update": { "Keys": { "bench": [ { "zone": "{{zone}}" } ] } } }""");

    // Every update replaces one name's PTR; the file sets every name to "a", then every name to
    // "b", so however often dnsperf loops over it, each update is a real change with a new serial.
    var updates = Path.Combine(folder, "updates.txt");
    using (var w = new StreamWriter(updates, false, new UTF8Encoding(false)))
    {
        foreach (var value in new[] { "a", "b" })
        {
            for (int n = 0; n < names; n++)
                w.Write($"{zone}\ndelete {n % 250 + 1}.{n / 250} PTR\nadd {n % 250 + 1}.{n / 250} 300 PTR {value}-{n}.example.net.\nsend\n");
        }
    }

    Console.WriteLine($"# DNS UPDATE: dnsperf -u -c {clients} -q {outstanding} -l {seconds}, TSIG hmac-sha256, {names} names x 2 values, zone {zone}");
    var results = new List<(string Server, double Rate, double CpuPerUpdate, string Codes)>();

    int knotPort = FreePort();
    Directory.CreateDirectory(Path.Combine(folder, "knot"));
    File.Copy(Path.Combine(zones, zone + "zone"), Path.Combine(folder, "knot", zone + "zone"));
    var knotConf = Path.Combine(folder, "knot.conf");
    // Knot as it ships: its journal (LMDB) on, zone file not rewritten during the run.
    File.WriteAllText(knotConf, $"server:\n  listen: 127.0.0.1@{knotPort}\n  rundir: {folder}/knot\n" +
        $"key:\n  - id: bench\n    algorithm: hmac-sha256\n    secret: {secret}\n" +
        "acl:\n  - id: update\n    key: bench\n    action: update\n" +
        $"template:\n  - id: default\n    storage: {folder}/knot\n    zonefile-sync: -1\n" +
        $"zone:\n  - domain: {zone}\n    file: {zone}zone\n    acl: update\n");
    using (var knot = ServerProcess.Start(Find("knotd"), ["-c", knotConf], knotPort))
    {
        await knot.WaitServingAsync(zone);
        results.Add(await LoadAsync("Knot DNS", knot));
    }

    int rdnsPort = FreePort();
    var data = Path.Combine(folder, "rdns-data");
    using (var server = ServerProcess.Start(rdns, ["serve", "--data", data, "--zones", zones, "--dns", $"127.0.0.1:{rdnsPort}", "--http", "127.0.0.1:0",
               "--tsig-keys", Path.Combine(folder, "keys.conf"), "--config", Path.Combine(folder, "rdns.json")], rdnsPort))
    {
        await server.WaitServingAsync(zone);
        results.Add(await LoadAsync("Rdns", server));
    }

    Console.WriteLine();
    Console.WriteLine("| server | updates/s acknowledged | server CPU per update | responses |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (s, rate, cpu, codes) in results)
        Console.WriteLine($"| {s} | {rate:N0} | {cpu * 1e6:N0} µs | {codes} |");
    Console.WriteLine($"Rdns/Knot update rate: {results[1].Rate / results[0].Rate:F2}; CPU per update: {results[1].CpuPerUpdate / results[0].CpuPerUpdate:F2}");

    // (2) kill -9 rounds, on the same data directory.
    Console.WriteLine();
    Console.WriteLine($"# kill -9 during an update stream, {rounds} rounds");
    var acknowledged = new ConcurrentDictionary<string, string>();
    var random = new Random(20261127);
    int next = 0;
    bool lost = false;
    for (int round = 1; round <= rounds; round++)
    {
        int port = FreePort();
        using var server = ServerProcess.Start(rdns, ["serve", "--data", data, "--dns", $"127.0.0.1:{port}", "--http", "127.0.0.1:0",
            "--tsig-keys", Path.Combine(folder, "keys.conf"), "--config", Path.Combine(folder, "rdns.json")], port);
        await server.WaitServingAsync(zone);
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        int missing = acknowledged.Count(kv => UpdateSender.Ptr(endpoint, kv.Key) != kv.Value);
        lost |= missing > 0;
        var sender = new UpdateSender(endpoint, key, zone);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                int id = Interlocked.Increment(ref next);
                string owner = $"{id % 250 + 1}.{id / 250 % 250}.{zone}", target = $"r{round}-u{id}.example.net.";
                try
                {
                    // A name's acknowledged value is the last acknowledged write of it; each id writes a distinct name here.
                    if (await sender.SetAsync(owner, target, stop.Token))
                        acknowledged[owner] = target;
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    return;
                }
            }
        })).ToArray();
        await Task.Delay(random.Next(300, 900));
        await server.KillHardAsync();
        stop.Cancel();
        await Task.WhenAll(writers);
        Console.WriteLine($"round {round}: {missing} of the acknowledged updates missing after the restart; {acknowledged.Count} acknowledged so far; killed pid {server.Id}");
    }
    {
        int port = FreePort();
        using var last = ServerProcess.Start(rdns, ["serve", "--data", data, "--dns", $"127.0.0.1:{port}", "--http", "127.0.0.1:0",
            "--tsig-keys", Path.Combine(folder, "keys.conf"), "--config", Path.Combine(folder, "rdns.json")], port);
        await last.WaitServingAsync(zone);
        int missing = acknowledged.Count(kv => UpdateSender.Ptr(new IPEndPoint(IPAddress.Loopback, port), kv.Key) != kv.Value);
        lost |= missing > 0;
        Console.WriteLine($"after the last restart: {missing} of {acknowledged.Count} acknowledged updates missing");
    }
    Console.WriteLine(lost ? "LOST acknowledged updates" : "no acknowledged update lost");
    return lost ? 1 : 0;

    async Task<(string, double, double, string)> LoadAsync(string name, ServerProcess server)
    {
        // A few seconds of the same load first, for both: the measured run is the steady state
        // (Rdns's code compiled by the JIT, both servers' caches warm).
        await RunDnsperfAsync(server, 3);
        double before = server.CpuSeconds();
        string output = await RunDnsperfAsync(server, seconds);
        double cpu = server.CpuSeconds() - before;
        long completed = long.Parse(Regex.Match(output, @"(?:Queries|Updates) completed:\s+(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        double rate = double.Parse(Regex.Match(output, @"(?:Queries|Updates) per second:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        string codes = Regex.Match(output, @"Response codes:\s+(.*)").Groups[1].Value.Trim();
        Console.WriteLine($"{name}: {completed} completed, {rate:N0}/s, {cpu:F2} s CPU, {codes}");
        return (name, rate, completed == 0 ? 0 : cpu / completed, codes);
    }

    async Task<string> RunDnsperfAsync(ServerProcess server, int duration)
    {
        var run = Process.Start(new ProcessStartInfo(Find("dnsperf"))
        {
            ArgumentList = { "-u", "-s", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-d", updates, "-c", clients.ToString(CultureInfo.InvariantCulture),
                "-q", outstanding.ToString(CultureInfo.InvariantCulture), "-l", duration.ToString(CultureInfo.InvariantCulture), "-y", $"hmac-sha256:bench:{secret}" },
            RedirectStandardOutput = true,
        })!;
        string output = await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync();
        return output;
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static string Find(string program) =>
    new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists)
    ?? throw new InvalidOperationException($"{program} is not installed (apt-get install knot dnsperf)");

static int FreePort()
{
    using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    return ((IPEndPoint)s.LocalEndPoint!).Port;
}
