using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Writes;

/// <summary>A real <c>./rdns serve</c> for the benchmark, with its HTTP client and a DNS socket.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, string data, IPEndPoint dns, HttpClient http)
    {
        _process = process;
        Data = data;
        Dns = dns;
        Http = http;
    }

    public string Data { get; }

    public IPEndPoint Dns { get; }

    public HttpClient Http { get; }

    /// <summary>Starts a node; rate limiting is off (the benchmark queries from one address).</summary>
    public static async Task<ServerProcess> StartAsync(BenchOptions options, string data, IEnumerable<string>? extra = null, TimeSpan? startTimeout = null)
    {
        Directory.CreateDirectory(data);
        int httpPort = FreePort();
        var start = new ProcessStartInfo(options.Rdns) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "serve", "--data", data, "--dns", "127.0.0.1:0", "--http", $"127.0.0.1:{httpPort}", "--rrl-rate", "0" })
            start.ArgumentList.Add(a);
        if (options.Store is not null)
        {
            start.ArgumentList.Add("--store");
            start.ArgumentList.Add(options.Store);
        }
        foreach (var a in extra ?? [])
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var http = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            var m = e.Data is null ? null : Regex.Match(e.Data, @"DNS listening on (\S+) ");
            if (m is { Success: true })
                listening.TrySetResult(IPEndPoint.Parse(m.Groups[1].Value));
            if (e.Data?.Contains("HTTP API listening", StringComparison.Ordinal) == true)
                http.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = Task.WhenAll(listening.Task, http.Task);
        if (await Task.WhenAny(ready, process.WaitForExitAsync(), Task.Delay(startTimeout ?? TimeSpan.FromMinutes(5))) != ready)
        {
            process.Kill(true);
            throw new InvalidOperationException("rdns serve did not start");
        }
        var key = (await File.ReadAllTextAsync(Path.Combine(data, "admin.key"))).Trim();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new ServerProcess(process, data, await listening.Task, client);
    }

    /// <summary>A second node on the same store, whose admin key is the first one's.</summary>
    public static async Task<ServerProcess> StartSecondAsync(BenchOptions options, string data, ServerProcess first)
    {
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(first.Data, "admin.key"), Path.Combine(data, "admin.key"), overwrite: true);
        if (File.Exists(Path.Combine(first.Data, "store.id")))
            File.Copy(Path.Combine(first.Data, "store.id"), Path.Combine(data, "store.id"), overwrite: true);
        return await StartAsync(options, data);
    }

    public async Task PutPtrAsync(string ip, string target)
    {
        using var response = await Http.PutAsync($"/v1/ptr/{ip}", Json($"{{\"ptrdname\":\"{target}\"}}"));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT /v1/ptr/{ip}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task CreateZoneAsync(string prefix)
    {
        using var response = await Http.PostAsync("/v1/zones", Json($"{{\"prefix\":\"{prefix}\"}}"));
        if (!response.IsSuccessStatusCode && (int)response.StatusCode != 409)
            throw new InvalidOperationException($"POST /v1/zones {prefix}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Asks for the PTR of <paramref name="ip"/> until it is <paramref name="target"/>; the time that took.</summary>
    public TimeSpan WaitForPtr(Socket udp, string ip, string target, TimeSpan limit)
    {
        var query = DnsMessage.Query(DnsName.Parse(string.Join('.', ip.Split('.').Reverse()) + ".in-addr.arpa."), RecordType.PTR, id: (ushort)Random.Shared.Next()).ToWire();
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        while (true)
        {
            udp.SendTo(query, Dns);
            try
            {
                int n = udp.Receive(buffer);
                var m = DnsMessage.Parse(buffer.AsSpan(0, n));
                if (m.Answers.Count == 1 && Rdata.ReadName(m.Answers[0].Data).ToString() == target)
                    return clock.Elapsed;
            }
            catch (SocketException)
            {
            }
            if (clock.Elapsed > limit)
                return TimeSpan.MaxValue;
        }
    }

    public static Socket Udp() => new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 1000 };

    public static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
    }
}
