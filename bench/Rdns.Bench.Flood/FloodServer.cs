using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Bench.Harness;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Flood;

/// <summary>A server under test: its process (for CPU) and its DNS port on 127.0.0.1.</summary>
internal sealed class FloodServer(string name, Process process, int port) : IAsyncDisposable
{
    public string Name { get; } = name;

    public Process Process { get; } = process;

    public IPEndPoint Endpoint { get; } = new(IPAddress.Loopback, port);

    public static async Task<FloodServer> StartKnotAsync(string work, string zones, int rate, int slip)
    {
        var dir = Path.Combine(work, "knot");
        Directory.CreateDirectory(dir);
        int port = ServerKind.FreePort();
        var conf = new StringBuilder()
            .Append("server:\n")
            .Append($"  rundir: {dir}\n")
            .Append($"  listen: 127.0.0.1@{port}\n")
            .Append("log:\n  - target: stderr\n    any: error\n")
            .Append($"database:\n  storage: {dir}/db\n")
            .Append($"mod-rrl:\n  - id: flood\n    rate-limit: {rate}\n    slip: {slip}\n")
            .Append("template:\n  - id: default\n")
            .Append($"    storage: {zones}\n")
            .Append("    file: \"%s.zone\"\n")
            .Append("    global-module: mod-rrl/flood\n")
            .Append("zone:\n")
            .Append($"  - domain: {FloodZones.Zone}\n");
        var path = Path.Combine(dir, "knot.conf");
        await File.WriteAllTextAsync(path, conf.ToString());
        var start = new ProcessStartInfo(ServerKind.Find("knotd") ?? throw new InvalidOperationException("knotd is not installed"))
        {
            ArgumentList = { "-c", path },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new FloodServer("Knot", process, port);
        await server.WaitReadyAsync(FloodZones.Zone);
        return server;
    }

    public static async Task<FloodServer> StartRdnsAsync(string rdns, string work, string zones, int rate, int slip, string name, string readyZone = FloodZones.Zone)
    {
        var data = Path.Combine(work, "rdns-" + name);
        if (Directory.Exists(data))
            Directory.Delete(data, recursive: true);
        int port = ServerKind.FreePort();
        var start = new ProcessStartInfo(rdns) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "serve", "--data", data, "--dns", $"127.0.0.1:{port}", "--http", $"127.0.0.1:{ServerKind.FreePort()}",
                     "--zones", zones, "--rrl-rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--rrl-slip", slip.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new FloodServer("Rdns", process, port);
        await server.WaitReadyAsync(readyZone);
        return server;
    }

    private async Task WaitReadyAsync(string zone)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 200 };
        var query = DnsMessage.Query(DnsName.Parse(zone), RecordType.SOA).ToWire();
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (Process.HasExited)
                throw new InvalidOperationException($"{Name} exited at start");
            udp.SendTo(query, Endpoint);
            try
            {
                if (udp.Receive(buffer) > 12 && (buffer[3] & 0xF) == 0)
                    return;
            }
            catch (SocketException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} did not answer");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        Process.Dispose();
    }
}
