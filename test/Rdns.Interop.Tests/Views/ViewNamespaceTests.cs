using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Views;

/// <summary>
/// Split horizon between real networks: two network namespaces, each joined to the host by a veth
/// pair (10.53.1.0/30 and 172.31.53.0/30), ask the server listening on the host's ends with kdig
/// run inside them (<c>ip netns exec</c>). Each network gets its own view's answer for the same
/// question, whichever of the host's addresses it asks; its private zone stays its own.
/// </summary>
public sealed partial class ViewNamespaceTests : IAsyncLifetime
{
    private readonly ViewNamespaces _networks = new();
    private string _a = null!;
    private string _b = null!;
    private RdnsServer _rdns = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        try
        {
            _a = await _networks.AddAsync("10.53.1.1", "10.53.1.2");
            _b = await _networks.AddAsync("172.31.53.1", "172.31.53.2");
            _rdns = await RdnsServer.StartAsync(null, ["--dns", "127.0.0.1:0", "--dns", "10.53.1.1:0", "--dns", "172.31.53.1:0"]);
        }
        catch
        {
            // Whatever was made goes, even when the test never starts (the namespaces and their
            // addresses would otherwise stay on the host and clash with the next run).
            await _networks.DisposeAsync();
            throw;
        }
        _http = new HttpClient { BaseAddress = _rdns.Http };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _rdns.AdminKey);
        await Api(HttpMethod.Post, "/v1/views", new { name = "net-a", match = new[] { "10.53.1.0/30" } });
        await Api(HttpMethod.Post, "/v1/views", new { name = "net-b", match = new[] { "172.31.53.0/30" } });
        foreach (var (view, target) in new[] { ("public", "www.example.com."), ("net-a", "printer.a.example."), ("net-b", "printer.b.example.") })
        {
            await Api(HttpMethod.Post, "/v1/zones", new { name = "2.0.192.in-addr.arpa.", view });
            await Api(HttpMethod.Put, $"/v1/ptr/192.0.2.5?view={view}", new { ptrdname = target });
        }
        await Api(HttpMethod.Post, "/v1/zones", new { prefix = "10.20.0.0/16", view = "net-a" });
        await Api(HttpMethod.Put, "/v1/ptr/10.20.0.1?view=net-a", new { ptrdname = "gw.a.example." });
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_rdns is not null)
            await _rdns.DisposeAsync();
        await _networks.DisposeAsync();
    }

    private async Task Api(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private IPEndPoint Listener(string address) =>
        ListeningLine().Matches(_rdns.Output).Select(m => IPEndPoint.Parse(m.Groups[1].Value)).Single(e => e.Address.Equals(IPAddress.Parse(address)));

    [GeneratedRegex(@"DNS listening on (\S+)")]
    private static partial Regex ListeningLine();

    /// <summary>kdig run in <paramref name="ns"/> (or on the host when null): the PTR, or the status when there is none.</summary>
    private async Task<string> Ask(string? ns, string server, string address)
    {
        string kdig = ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig is not installed (./test.sh installs knot-dnsutils)");
        var listener = Listener(server);
        string[] args = [$"@{listener.Address}", "-p", listener.Port.ToString(), "+retry=0", "+time=5", "-x", address];
        var r = ns is null ? await ProcessRunner.RunAsync(kdig, args, TimeSpan.FromSeconds(30)) : await ViewNamespaces.RunAsync(ns, kdig, args);
        Assert.True(r.ExitCode == 0, r.ToString());
        var answer = r.StdoutLines.SkipWhile(l => !l.StartsWith(";; ANSWER SECTION", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.Length > 0 && !l.StartsWith(";;", StringComparison.Ordinal)).Select(l => l.Split('\t', ' ').Last(p => p.Length > 0)).ToList();
        if (answer.Count > 0)
            return string.Join(' ', answer);
        var status = r.StdoutLines.First(l => l.Contains("status: ", StringComparison.Ordinal));
        return status[(status.IndexOf("status: ", StringComparison.Ordinal) + 8)..].Split(';')[0].Trim();
    }

    [Fact]
    public async Task Each_network_namespace_gets_its_own_views_answer()
    {
        Assert.Equal("printer.a.example.", await Ask(_a, "10.53.1.1", "192.0.2.5"));
        Assert.Equal("printer.b.example.", await Ask(_b, "172.31.53.1", "192.0.2.5"));
        Assert.Equal("www.example.com.", await Ask(null, "127.0.0.1", "192.0.2.5"));
        // The view follows the client's network, not the address it asks: across the host, the same answers.
        Assert.Equal("printer.a.example.", await Ask(_a, "172.31.53.1", "192.0.2.5"));
        Assert.Equal("printer.b.example.", await Ask(_b, "10.53.1.1", "192.0.2.5"));

        // Network a's private zone: its own; network b's view serves 10/8 empty (RFC 6303); the public refuses it.
        Assert.Equal("gw.a.example.", await Ask(_a, "10.53.1.1", "10.20.0.1"));
        Assert.Equal("NXDOMAIN", await Ask(_b, "172.31.53.1", "10.20.0.1"));
        Assert.Equal("REFUSED", await Ask(null, "127.0.0.1", "10.20.0.1"));
    }
}
