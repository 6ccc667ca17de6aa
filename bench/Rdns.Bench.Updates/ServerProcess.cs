using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

/// <summary>A server under load: started, waited for, its CPU time read from /proc, killed (gently or with SIGKILL).</summary>
internal sealed class ServerProcess(Process process, int port) : IDisposable
{
    public int Port { get; } = port;

    public int Id => process.Id;

    public static ServerProcess Start(string file, IEnumerable<string> arguments, int port)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } l && (l.Contains("fail:", StringComparison.Ordinal) || l.Contains("error", StringComparison.OrdinalIgnoreCase)))
                Console.Error.WriteLine($"  [{Path.GetFileName(file)}] {l}");
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new ServerProcess(p, port);
    }

    /// <summary>User plus system CPU seconds the process has used (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public async Task WaitServingAsync(string zone)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 500 };
        var q = DnsMessage.Query(DnsName.Parse(zone), RecordType.SOA, id: 5).ToWire();
        var buffer = new byte[512];
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the server exited with {process.ExitCode}");
            try
            {
                udp.SendTo(q, new IPEndPoint(IPAddress.Loopback, Port));
                if (udp.Receive(buffer) > 12 && (buffer[3] & 0xF) == 0)
                    return;
            }
            catch (SocketException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no server answered on port {Port}");
    }

    /// <summary>SIGKILL: the process dies at once, mid-commit if it was committing.</summary>
    public async Task KillHardAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
