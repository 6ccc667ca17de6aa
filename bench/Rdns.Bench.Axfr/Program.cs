using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

// AXFR throughput of one large reverse zone, Rdns beside Knot DNS as primary of the same zone, on
// this machine, alternating A B A B; prints each run and the medians (records per second).
// Usage: dotnet run -c Release --project bench/Rdns.Bench.Axfr -- [--records 1000000] [--runs 5] [--rdns ./rdns]
// Or, against a server already running on 127.0.0.1: -- --port PORT --zone NAME [--runs 5] (each transfer timed, nothing compared).
int records = 1_000_000, runs = 5, onlyPort = 0, serverPid = 0;
string rdns = Path.GetFullPath("rdns");
string zone = "10.in-addr.arpa.";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--records": records = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--runs": runs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--rdns": rdns = Path.GetFullPath(args[++i]); break;
        case "--port": onlyPort = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--zone": zone = args[++i]; break;
        case "--pid": serverPid = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

if (onlyPort > 0)
{
    await WaitServing(onlyPort, zone);
    for (int run = 1; run <= runs; run++)
    {
        double cpu = CpuSeconds(serverPid);
        var (n, seconds, octets, messages) = await Axfr(onlyPort, zone);
        cpu = CpuSeconds(serverPid) - cpu;
        Console.WriteLine($"transfer {run}: {n:N0} records in {seconds:F3} s ({n / seconds:N0} rec/s), {octets:N0} octets in {messages} messages" +
            (serverPid > 0 ? $", server CPU {cpu:F3} s" : ""));
    }
    return 0;
}

var folder = Directory.CreateTempSubdirectory("rdns-axfr-").FullName;
var zones = Directory.CreateDirectory(Path.Combine(folder, "zones")).FullName;
var file = Path.Combine(zones, zone + "zone");
using (var w = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
{
    w.Write("$ORIGIN 10.in-addr.arpa.\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n");
    for (int n = 0; n < records; n++)
        w.Write($"{n % 250 + 1}.{n / 250 % 256}.{n / 64000 % 256} PTR host-{n}.customer{n % 997}.example.net.\n");
}
Console.WriteLine($"zone {zone}: {records + 2} records in {file}");

int knotPort = FreePort(), rdnsPort = FreePort();
Directory.CreateDirectory(Path.Combine(folder, "db"));
var knotConf = Path.Combine(folder, "knot.conf");
File.WriteAllText(knotConf, $"server:\n  listen: 127.0.0.1@{knotPort}\n  rundir: {folder}\ndatabase:\n  storage: {folder}/db\n" +
    "acl:\n  - id: xfr\n    address: 127.0.0.0/8\n    action: transfer\n" +
    $"template:\n  - id: default\n    storage: {zones}\n    zonefile-sync: -1\n    journal-content: none\n    semantic-checks: off\n" +
    $"zone:\n  - domain: {zone}\n    file: {zone}zone\n    acl: xfr\n");
var data = Path.Combine(folder, "data");
using var knot = Start("knotd", ["-c", knotConf], null);
var clock = Stopwatch.StartNew();
using var server = Start(rdns, ["serve", "--data", data, "--zones", zones, "--dns", $"127.0.0.1:{rdnsPort}", "--http", "127.0.0.1:0", "--secondary", "127.0.0.1:9"],
    line => line.Contains("DNS listening", StringComparison.Ordinal));
try
{
    await WaitServing(knotPort, zone);
    await WaitServing(rdnsPort, zone);
    Console.WriteLine($"both serving after {clock.Elapsed.TotalSeconds:F1} s (import included)");
    var knotTimes = new List<double>();
    var rdnsTimes = new List<double>();
    var knotCpu = new List<double>();
    var rdnsCpu = new List<double>();
    for (int run = 0; run <= runs; run++)
    {
        // Each server's CPU time (user + system, 10 ms ticks) around its transfer: steadier than
        // the wall clock on a machine other work shares.
        double rdnsBefore = CpuSeconds(server.Id);
        var (rdnsRecords, rdnsSeconds, rdnsBytes, rdnsMessages) = await Axfr(rdnsPort, zone);
        double rdnsUsed = CpuSeconds(server.Id) - rdnsBefore;
        double knotBefore = CpuSeconds(knot.Id);
        var (knotRecords, knotSeconds, knotBytes, knotMessages) = await Axfr(knotPort, zone);
        double knotUsed = CpuSeconds(knot.Id) - knotBefore;
        if (rdnsRecords != records + 3 || knotRecords != records + 3)
            throw new InvalidOperationException($"record counts differ: rdns {rdnsRecords}, knot {knotRecords}, expected {records + 3} (SOA twice)");
        Console.WriteLine($"run {run}{(run == 0 ? " (warm-up)" : "")}: Rdns {rdnsSeconds:F3} s ({rdnsRecords / rdnsSeconds:N0} rec/s), Knot {knotSeconds:F3} s ({knotRecords / knotSeconds:N0} rec/s), ratio {rdnsSeconds / knotSeconds:F2}; server CPU Rdns {rdnsUsed:F2} s, Knot {knotUsed:F2} s; octets Rdns {rdnsBytes:N0} in {rdnsMessages} messages, Knot {knotBytes:N0} in {knotMessages}");
        if (run == 0)
            continue;
        rdnsTimes.Add(rdnsSeconds);
        knotTimes.Add(knotSeconds);
        rdnsCpu.Add(rdnsUsed);
        knotCpu.Add(knotUsed);
    }
    double r = Median(rdnsTimes), k = Median(knotTimes);
    Console.WriteLine($"median over {runs}: Rdns {(records + 3) / r:N0} records/s ({r:F3} s), Knot {(records + 3) / k:N0} records/s ({k:F3} s); Rdns/Knot time ratio {r / k:F2}");
    double rc = Median(rdnsCpu), kc = Median(knotCpu);
    Console.WriteLine($"median server CPU per transfer: Rdns {rc:F2} s, Knot {kc:F2} s; Rdns/Knot CPU ratio {rc / kc:F2}");
    return 0;
}
finally
{
    foreach (var p in new[] { knot, server })
    {
        if (!p.HasExited)
            p.Kill(entireProcessTree: true);
    }
    Directory.Delete(folder, recursive: true);
}

// User and system time of a process (and its finished children), from /proc; 0 without a process.
static double CpuSeconds(int pid)
{
    if (pid <= 0)
        return 0;
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

static async Task<(long Records, double Seconds, long Bytes, int Messages)> Axfr(int port, string zone)
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    var clock = Stopwatch.StartNew();
    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
    var query = DnsMessage.Query(DnsName.Parse(zone), RecordType.AXFR, id: 77).ToWire();
    var framed = new byte[query.Length + 2];
    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
    query.CopyTo(framed, 2);
    await socket.SendAsync(framed);
    var stream = new NetworkStream(socket);
    var buffered = new BufferedStream(stream, 1 << 20);
    var length = new byte[2];
    var message = new byte[65535];
    long count = 0, bytes = 0;
    int soas = 0, messages = 0;
    while (soas < 2)
    {
        await buffered.ReadExactlyAsync(length);
        int n = BinaryPrimitives.ReadUInt16BigEndian(length);
        await buffered.ReadExactlyAsync(message.AsMemory(0, n));
        bytes += 2 + n;
        messages++;
        if (!DnsHeader.TryRead(message, out var header) || header.Rcode != 0)
            throw new InvalidOperationException($"transfer refused, rcode {header.Rcode}");
        // Count records and SOAs without building objects: the client must not be the bottleneck.
        var (records, soaRecords) = Count(message.AsSpan(0, n), header);
        count += records;
        soas += soaRecords;
    }
    return (count, clock.Elapsed.TotalSeconds, bytes, messages);
}

static (int Records, int Soas) Count(ReadOnlySpan<byte> message, DnsHeader header)
{
    var reader = new DnsMessageReader(message);
    reader.TryReadHeader(out _);
    Span<byte> name = stackalloc byte[255];
    for (int q = 0; q < header.QdCount; q++)
        reader.TryReadQuestion(name, out _, out _, out _);
    int soas = 0;
    for (int a = 0; a < header.AnCount; a++)
    {
        if (!reader.TryReadRecord(name, out var rr))
            throw new InvalidOperationException("malformed transfer message");
        if (rr.Type == RecordType.SOA)
            soas++;
    }
    return (header.AnCount, soas);
}

static async Task WaitServing(int port, string zone)
{
    var deadline = DateTime.UtcNow.AddMinutes(5);
    using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 500 };
    var q = DnsMessage.Query(DnsName.Parse(zone), RecordType.SOA, id: 5).ToWire();
    var buffer = new byte[512];
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            udp.SendTo(q, new IPEndPoint(IPAddress.Loopback, port));
            if (udp.Receive(buffer) > 12 && (buffer[3] & 0xF) == 0)
                return;
        }
        catch (SocketException)
        {
        }
        await Task.Delay(200);
    }
    throw new TimeoutException($"no server answered on port {port}");
}

static Process Start(string file, string[] arguments, Func<string, bool>? ready)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments)
        info.ArgumentList.Add(a);
    var p = Process.Start(info)!;
    p.OutputDataReceived += (_, _) => { };
    p.ErrorDataReceived += (_, e) => { if (e.Data is { } l && Regex.IsMatch(l, "error|fail", RegexOptions.IgnoreCase)) Console.Error.WriteLine(l); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    _ = ready;
    return p;
}

static int FreePort()
{
    using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    return ((IPEndPoint)s.LocalEndPoint!).Port;
}
