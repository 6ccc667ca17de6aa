using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Operations;

/// <summary>
/// How <c>rdns serve</c> lives as a service: SIGHUP reloads what can change without dropping a
/// query, a second instance on a taken port stops with one line, systemd hears READY=1, logs come
/// as JSON when asked.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LifecycleTests : IDisposable
{
    private const int SigHup = 1;
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-lifecycle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HttpClient Client(RdnsServer server)
    {
        var http = new HttpClient { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        return http;
    }

    private static Task<HttpResponseMessage> CreateZone(HttpClient http, string prefix) =>
        http.PostAsync("/v1/zones", new StringContent($$"""{"prefix":"{{prefix}}"}""", Encoding.UTF8, "application/json"));

    private static async Task<bool> WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
                return false;
            await Task.Delay(50);
        }
        return true;
    }

    [Fact]
    public async Task Sighup_changes_a_log_level_without_dropping_a_query()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        var config = Path.Combine(data, "rdns.json");
        // API changes are logged at Information; this category starts at Warning, so none shows.
        await File.WriteAllTextAsync(config, """{ "Logging": { "LogLevel": { "Rdns.Api.Changes": "Warning" } } }""");
        // Rate limiting off: this test's queries come from one address faster than the default 200/s.
        await using var server = await RdnsServer.StartAsync(data, ["--rrl-rate", "0"]);
        using var http = Client(server);
        Assert.Equal(HttpStatusCode.Created, (await CreateZone(http, "198.51.100.0/24")).StatusCode);
        await Task.Delay(300);
        Assert.DoesNotContain("Rdns.Api.Changes", server.Output);

        // Queries without pause across the reload: every one is answered.
        using var stop = new CancellationTokenSource();
        int asked = 0, answered = 0;
        var query = DnsMessage.Query(DnsName.Parse("198.51.100.in-addr.arpa."), RecordType.SOA).ToWire();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                asked++;
                if (await DnsClient.UdpAsync(server.Dns, query, TimeSpan.FromSeconds(2), attempts: 1) is not null)
                    answered++;
            }
        });
        await Task.Delay(300);
        await File.WriteAllTextAsync(config, """{ "Logging": { "LogLevel": { "Rdns.Api.Changes": "Information" } } }""");
        server.Signal(SigHup);
        Assert.True(await WaitFor(() => server.Output.Contains("Settings reloaded: log levels"), TimeSpan.FromSeconds(5)), server.Output);
        await Task.Delay(300);
        await stop.CancelAsync();
        await load;
        Assert.True(server.IsRunning);
        Assert.True(asked > 10, $"{asked} queries");
        Assert.Equal(asked, answered);
        Assert.Contains("Rdns.Api.Changes=Information", server.Output);

        // The new level is in force: this change is logged, with the key's id and never the key.
        Assert.Equal(HttpStatusCode.Created, (await CreateZone(http, "203.0.113.0/24")).StatusCode);
        Assert.True(await WaitFor(() => server.Output.Contains("API POST /v1/zones by key key_"), TimeSpan.FromSeconds(5)), server.Output);
        Assert.DoesNotContain(server.AdminKey, server.Output);
        Assert.Empty(server.FailureLines());
    }

    [Fact]
    public async Task A_second_server_on_the_same_dns_port_exits_with_one_clear_line()
    {
        await using var first = await RdnsServer.StartAsync(null, []);
        var second = Path.Combine(_dir, "second");
        var result = await RdnsProcess.RunAsync("serve", "--data", second, "--http", "127.0.0.1:0", "--dns", first.Dns.ToString());
        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Equal($"rdns: DNS address {first.Dns} (UDP) is already in use by another process; stop it, or give this server another --dns", line);
        // The first one still answers everything (nothing joined its port).
        var query = DnsMessage.Query(DnsName.Parse("catalog.invalid."), RecordType.SOA).ToWire();
        for (int i = 0; i < 20; i++)
            Assert.NotNull(await DnsClient.UdpAsync(first.Dns, query, TimeSpan.FromSeconds(2), attempts: 1));
        Assert.False(File.Exists(Path.Combine(second, "admin.key")));
    }

    [Fact]
    public async Task Systemd_hears_ready_once_dns_and_http_listen()
    {
        var path = Path.Combine(_dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var messages = new List<string>();
        var receiving = Task.Run(() =>
        {
            var buffer = new byte[4096];
            socket.ReceiveTimeout = 60_000;
            while (true)
            {
                int n;
                try
                {
                    n = socket.Receive(buffer);
                }
                catch (SocketException)
                {
                    return;
                }
                lock (messages)
                    messages.Add(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
        await using (var server = await RdnsServer.StartAsync(null, [], new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = path }))
        {
            Assert.True(await WaitFor(() => { lock (messages) return messages.Any(m => m.Contains("READY=1")); }, TimeSpan.FromSeconds(10)));
            // Ready means ready: DNS answers at that moment.
            Assert.NotNull(await DnsClient.UdpAsync(server.Dns, DnsMessage.Query(DnsName.Parse("catalog.invalid."), RecordType.SOA).ToWire(), TimeSpan.FromSeconds(2)));
            Assert.Equal(0, await server.StopAsync(TimeSpan.FromSeconds(10)));
        }
        Assert.True(await WaitFor(() => { lock (messages) return messages.Any(m => m.Contains("STOPPING=1")); }, TimeSpan.FromSeconds(5)));
        socket.Dispose();
        await receiving;
    }

    [Fact]
    public async Task Json_logs_are_one_object_per_line()
    {
        await using var server = await RdnsServer.StartAsync(null, ["--log-format", "json"]);
        var lines = server.Output.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.TryGetProperty("Category", out _));
            Assert.True(doc.RootElement.TryGetProperty("LogLevel", out _));
        }
        Assert.Contains(lines, l => l.Contains("DNS listening on"));
    }
}
