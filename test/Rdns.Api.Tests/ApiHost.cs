using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rdns.Hosting;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>A real <c>serve</c> host in-process on free ports, with a fresh SQLite store, and clients for HTTP and DNS.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly RunningHost _host;

    private readonly bool _ownsData;

    private ApiHost(RunningHost host, string data, string key, bool ownsData = true)
    {
        _ownsData = ownsData;
        _host = host;
        Data = data;
        AdminKey = key;
        Http = new HttpClient { BaseAddress = host.HttpBase, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public string Data { get; }

    public string AdminKey { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _host.Services;

    /// <param name="services">Replaces services after the host's own registrations (a fake forward resolver, say).</param>
    /// <param name="dataDirectory">A data directory the caller owns (kept on dispose, so a restart finds it); a fresh one when null.</param>
    public static async Task<ApiHost> StartAsync(string? zonesDirectory = null, Action<ServeSettings>? configure = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null, string? dataDirectory = null)
    {
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("rdns-api-").FullName;
        var settings = new ServeSettings { Data = data, Dns = "127.0.0.1:0", Http = "127.0.0.1:0", Quiet = true, Zones = zonesDirectory, NameServers = ["ns1.example.net."] };
        configure?.Invoke(settings);
        var host = await ServeHost.StartAsync(settings, TextWriter.Null, services);
        var key = (await File.ReadAllTextAsync(Path.Combine(data, "admin.key"))).Trim();
        return new ApiHost(host, data, key, ownsData: dataDirectory is null);
    }

    public HttpClient Anonymous() => new() { BaseAddress = _host.HttpBase };

    public System.Net.IPEndPoint DnsEndpoint => _host.DnsEndpoint;

    /// <summary>A client that sends <paramref name="key"/> (a tenant's, say).</summary>
    public HttpClient As(string key)
    {
        var client = new HttpClient { BaseAddress = _host.HttpBase, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static async Task<JsonNode> Send(HttpClient client, HttpMethod method, string path, HttpContent? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static StringContent RawJson(string body) => new(body, Encoding.UTF8, "application/json");

    public Task<JsonNode> Send(HttpMethod method, string path, HttpContent? body, HttpStatusCode expected) =>
        Send(Http, method, path, body, expected);

    /// <summary>Asks the running DNS listener over UDP, as any client would.</summary>
    public DnsMessage Dns(string name, RecordType type)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(name), type, id: 99, edns: new EdnsOptions()).ToWire(), _host.DnsEndpoint);
        var buffer = new byte[65535];
        int n = s.Receive(buffer);
        return DnsMessage.Parse(buffer.AsSpan(0, n));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.DisposeAsync();
        if (!_ownsData)
            return;
        try
        {
            Directory.Delete(Data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
