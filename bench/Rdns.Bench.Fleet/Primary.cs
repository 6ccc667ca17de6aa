using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Rdns.Bench.Fleet;

/// <summary>The Rdns primary (SQLite store) with every edge as a secondary, and its HTTP API.</summary>
internal sealed partial class Primary : IDisposable
{
    /// <summary>
    /// Warnings and errors only: at the default level every NOTIFY, transfer and API change is a
    /// log line, which at a thousand changes a second to twenty edges is most of what a node does.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> QuietLogs = new Dictionary<string, string> { ["RDNS_LOGGING__LOGLEVEL__DEFAULT"] = "Warning" };

    private readonly NodeProcess _process;

    private Primary(NodeProcess process, IPEndPoint dns, HttpClient http)
    {
        _process = process;
        Dns = dns;
        Http = http;
    }

    public IPEndPoint Dns { get; }

    public HttpClient Http { get; }

    public int Pid => _process.Pid;

    public double CpuSeconds() => _process.CpuSeconds();

    public static async Task<Primary> StartAsync(FleetOptions options, IReadOnlyList<Edge> edges)
    {
        var folder = Path.Combine(options.Work, "primary");
        Directory.CreateDirectory(folder);
        int port = Fleet.Dns.FreePort(), http = Fleet.Dns.FreePort();
        var args = new List<string> { "serve", "--data", folder, "--dns", $"127.0.0.1:{port}", "--http", $"127.0.0.1:{http}", "--rrl-rate", "0" };
        foreach (var e in edges)
        {
            args.Add("--secondary");
            args.Add($"127.0.0.1:{e.Dns.Port}");
        }
        var environment = new Dictionary<string, string>(QuietLogs);
        if (options.PerfMap)
            environment["DOTNET_PerfMapEnabled"] = "1";
        var process = NodeProcess.Start(options.Rdns, args, Path.Combine(folder, "server.log"), environment);
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromMinutes(5) };
        var keyFile = Path.Combine(folder, "admin.key");
        var until = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited || until.Elapsed > TimeSpan.FromMinutes(2))
            {
                process.Dispose();
                client.Dispose();
                throw new InvalidOperationException($"the primary did not start; see {folder}/server.log");
            }
            if (File.Exists(keyFile))
            {
                try
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(keyFile)).Trim());
                    using var r = await client.GetAsync("/v1/zones?limit=1");
                    if (r.IsSuccessStatusCode)
                        break;
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    // Not listening yet, or the key file is still being written.
                }
            }
            await Task.Delay(100);
        }
        return new Primary(process, new IPEndPoint(IPAddress.Loopback, port), client);
    }

    public static string Prefix(int zone) => $"10.{zone / 256}.{zone % 256}.0/24";

    public static string Address(int zone, int host) => $"10.{zone / 256}.{zone % 256}.{host}";

    public static Protocol.Names.DnsName ZoneName(int zone) => Protocol.Names.DnsName.Parse($"{zone % 256}.{zone / 256}.10.in-addr.arpa.");

    /// <summary>Creates the zones (32 at a time) and writes the seed PTRs in batches.</summary>
    public async Task CreateZonesAsync(FleetOptions options)
    {
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, options.Zones).Select(async z =>
        {
            await gate.WaitAsync();
            try
            {
                using var r = await Http.PostAsync("/v1/zones", Json($"{{\"prefix\":\"{Prefix(z)}\"}}"));
                if (!r.IsSuccessStatusCode && r.StatusCode != HttpStatusCode.Conflict)
                    throw new InvalidOperationException($"POST /v1/zones {Prefix(z)}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            }
            finally
            {
                gate.Release();
            }
        }));
        var items = new List<string>();
        for (int z = 0; z < options.Zones; z++)
        {
            for (int h = 1; h <= options.SeedPtrs; h++)
                items.Add($"{{\"ip\":\"{Address(z, h)}\",\"ptrdname\":\"seed-{h}.z{z}.fleet.example.\"}}");
        }
        foreach (var chunk in items.Chunk(20_000))
        {
            using var r = await Http.PostAsync("/v1/ptr", Json($"{{\"items\":[{string.Join(',', chunk)}]}}"));
            if (!r.IsSuccessStatusCode)
                throw new InvalidOperationException($"POST /v1/ptr: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
    }

    public async Task PutPtrAsync(string ip, string target)
    {
        using var r = await Http.PutAsync($"/v1/ptr/{ip}", Json($"{{\"ptrdname\":\"{target}\"}}"));
        if (!r.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT /v1/ptr/{ip}: {(int)r.StatusCode}");
    }

    /// <summary>One series of the primary's /metrics (a sum when it has several label sets); 0 when absent.</summary>
    public async Task<double> MetricAsync(string name)
    {
        var text = await Http.GetStringAsync("/metrics");
        double sum = 0;
        foreach (Match m in MetricLine().Matches(text))
        {
            if (m.Groups[1].Value == name)
                sum += double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    [GeneratedRegex(@"^([a-z_]+)(?:\{[^}]*\})? ([0-9.eE+-]+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    public static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    public static void SendSignal(int pid, int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    public void Dispose()
    {
        Http.Dispose();
        _process.Dispose();
    }
}
