using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

// Measures, against a real `rdns serve` process, how long after the API acknowledges a PTR change
// the DNS listener answers it, over N changes; prints p50/p99 of that and of the API call itself.
// Usage: dotnet run -c Release --project bench/Rdns.Bench.Latency -- [--changes 1000] [--rdns ./rdns] [--store CONN]
int changes = 1000;
string rdns = Path.GetFullPath("rdns");
string? store = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--changes": changes = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--rdns": rdns = Path.GetFullPath(args[++i]); break;
        case "--store": store = args[++i]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var data = Directory.CreateTempSubdirectory("rdns-latency-").FullName;
int httpPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
var start = new ProcessStartInfo(rdns) { RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { "serve", "--data", data, "--dns", "127.0.0.1:0", "--http", $"127.0.0.1:{httpPort}" })
    start.ArgumentList.Add(a);
if (store is not null)
{
    start.ArgumentList.Add("--store");
    start.ArgumentList.Add(store);
}
using var server = Process.Start(start)!;
var listening = new TaskCompletionSource<IPEndPoint>();
server.OutputDataReceived += (_, e) =>
{
    var m = e.Data is null ? null : Regex.Match(e.Data, @"DNS listening on (\S+) ");
    if (m is { Success: true })
        listening.TrySetResult(IPEndPoint.Parse(m.Groups[1].Value));
};
server.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
var exited = server.WaitForExitAsync();
if (await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(120))) != listening.Task)
{
    Console.Error.WriteLine("rdns serve did not start");
    return 1;
}
var dns = await listening.Task;
try
{
    var key = (await File.ReadAllTextAsync(Path.Combine(data, "admin.key"))).Trim();
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    (await http.PostAsync("/v1/zones", Json("{\"prefix\":\"10.99.0.0/16\"}"))).EnsureSuccessStatusCode();

    using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    udp.Connect(dns);
    udp.ReceiveTimeout = 1000;
    var buffer = new byte[4096];
    var visible = new List<double>(changes);
    var api = new List<double>(changes);
    int pollsTotal = 0;
    for (int i = 0; i < changes + 50; i++)
    {
        string ip = $"10.99.{i / 250 % 250}.{i % 250 + 1}";
        string target = $"host-{i}-{Environment.TickCount64}.example.net.";
        var call = Stopwatch.StartNew();
        using var response = await http.PutAsync($"/v1/ptr/{ip}", Json($"{{\"ptrdname\":\"{target}\"}}"));
        response.EnsureSuccessStatusCode();
        double apiMs = call.Elapsed.TotalMilliseconds;
        var acked = Stopwatch.StartNew();
        var query = DnsMessage.Query(DnsName.Parse(string.Join('.', ip.Split('.').Reverse()) + ".in-addr.arpa."), RecordType.PTR, id: (ushort)i).ToWire();
        int polls = 0;
        while (true)
        {
            polls++;
            udp.Send(query);
            int n = udp.Receive(buffer);
            var m = DnsMessage.Parse(buffer.AsSpan(0, n));
            if (m.Answers.Count == 1 && Rdata.ReadName(m.Answers[0].Data).ToString() == target)
                break;
            if (acked.Elapsed > TimeSpan.FromSeconds(5))
                throw new InvalidOperationException($"{ip} not answered 5 s after the API acknowledged it");
        }
        if (i < 50)
            continue; // warm-up
        visible.Add(acked.Elapsed.TotalMilliseconds);
        api.Add(apiMs);
        pollsTotal += polls;
    }
    visible.Sort();
    api.Sort();
    Console.WriteLine($"changes: {changes}, store: {(store is null ? "SQLite" : "PostgreSQL")}");
    Console.WriteLine($"API acknowledged -> DNS answers the change: p50 {P(visible, 0.50):F3} ms, p99 {P(visible, 0.99):F3} ms, max {visible[^1]:F3} ms; queries needed per change: {(double)pollsTotal / changes:F2}");
    Console.WriteLine($"API call (PUT /v1/ptr, durable commit included): p50 {P(api, 0.50):F2} ms, p99 {P(api, 0.99):F2} ms");
    return 0;
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    Directory.Delete(data, recursive: true);
}

static double P(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

static int FreePort(SocketType type, ProtocolType protocol)
{
    using var s = new Socket(AddressFamily.InterNetwork, type, protocol);
    s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    return ((IPEndPoint)s.LocalEndPoint!).Port;
}
