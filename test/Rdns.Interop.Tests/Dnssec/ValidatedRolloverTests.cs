using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Dnssec;

/// <summary>
/// Rollovers watched by a validator: a signed parent (its DS the only trust anchor) delegates to
/// two signed children, all hosted on one <c>./rdns serve</c> with one-second TTLs and rollover
/// checks every second. While Unbound is asked for the children's names without pause, one
/// child rolls its CSK (double signature, its DS in the hosted parent moved by CDS) and the other
/// its ZSK (pre-publication); every answer throughout validates (AD) and none is SERVFAIL.
/// </summary>
public sealed class ValidatedRolloverTests : IAsyncLifetime
{
    private const string Parent = "0.192.in-addr.arpa.";
    private const string CskChild = "2.0.192.in-addr.arpa.";
    private const string ZskChild = "3.0.192.in-addr.arpa.";
    private string _folder = null!;
    private RdnsServer _server = null!;
    private UnboundResolver _unbound = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-rollover-").FullName;
        var zones = Directory.CreateDirectory(Path.Combine(_folder, "zones")).FullName;
        const string soa = "@ SOA ns1.example.net. hostmaster.example.net. 1 3600 600 1209600 1\n@ NS ns1.example.net.\n";
        await File.WriteAllTextAsync(Path.Combine(zones, Parent + "zone"), "$TTL 1\n" + soa + "2 NS ns1.example.net.\n3 NS ns1.example.net.\n");
        await File.WriteAllTextAsync(Path.Combine(zones, CskChild + "zone"), "$TTL 1\n" + soa + "10 PTR mail.example.com.\n");
        await File.WriteAllTextAsync(Path.Combine(zones, ZskChild + "zone"), "$TTL 1\n" + soa + "10 PTR web.example.com.\n");
        var config = Path.Combine(_folder, "rdns.json");
        await File.WriteAllTextAsync(config, """{ "Dnssec": { "CheckInterval": "00:00:01", "PropagationDelay": "00:00:01" } }""");
        _server = await RdnsServer.StartAsync(null, ["--zones", zones, "--config", config]);
        using var http = Http();
        await Send(http, HttpMethod.Post, $"/v1/zones/{Parent}/dnssec", """{"algorithm":13}""");
        await Send(http, HttpMethod.Post, $"/v1/zones/{CskChild}/dnssec", """{"algorithm":13,"keys":"csk"}""");
        await Send(http, HttpMethod.Post, $"/v1/zones/{ZskChild}/dnssec", """{"algorithm":13,"keys":"ksk-zsk"}""");
        using var parent = JsonDocument.Parse(await Send(http, HttpMethod.Get, $"/v1/zones/{Parent}/dnssec", null));
        var anchor = parent.RootElement.GetProperty("ds").EnumerateArray().Select(d => d.GetString()!).ToList();
        // Each child's DS reached the hosted parent from its CDS.
        foreach (var child in new[] { CskChild, ZskChild })
            await UntilAsync(async () => (await KdigAnswer.AskAsync(_server.Dns.Port, child, "DS")).OfType("DS").Any(), $"DS of {child} in the parent");
        _unbound = await UnboundResolver.StartAsync(_server.Dns.Port, new Dictionary<string, IReadOnlyList<string>>
        {
            [Parent] = anchor,
            [CskChild] = [],
            [ZskChild] = [],
        });
    }

    public async Task DisposeAsync()
    {
        if (_unbound is not null)
            await _unbound.DisposeAsync();
        Assert.Empty(_server.FailureLines());
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private HttpClient Http()
    {
        var http = new HttpClient { BaseAddress = _server.Http, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        return http;
    }

    private static async Task<string> Send(HttpClient http, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>Waits for a state the server reaches by itself; the limit is only there so a broken rollover ends the test.</summary>
    private static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var limit = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < limit, $"never reached: {what}");
            await Task.Delay(250);
        }
    }

    private async Task<HashSet<int>> KeyTagsAsync(HttpClient http, string zone, string role)
    {
        using var status = JsonDocument.Parse(await Send(http, HttpMethod.Get, $"/v1/zones/{zone}/dnssec", null));
        return status.RootElement.GetProperty("keyList").EnumerateArray().Where(k => k.GetProperty("role").GetString() == role)
            .Select(k => k.GetProperty("keyTag").GetInt32()).ToHashSet();
    }

    [Fact]
    public async Task A_validating_resolver_never_fails_through_a_csk_and_a_zsk_rollover()
    {
        using var http = Http();
        var results = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var asking = Task.Run(async () =>
        {
            var questions = new[] { ($"10.{CskChild}", "PTR"), ($"10.{ZskChild}", "PTR"), ($"99.{CskChild}", "PTR"), (CskChild, "DNSKEY"), (ZskChild, "DNSKEY") };
            while (!stop.IsCancellationRequested)
            {
                foreach (var (name, type) in questions)
                {
                    var answer = await KdigAnswer.AskAsync(_unbound.Port, name, type);
                    results.Enqueue($"{name} {type} {answer.Status} {(answer.Authenticated ? "ad" : "-")}");
                }
            }
        });
        await UntilAsync(() => Task.FromResult(results.Count >= 10), "first validated answers");

        var oldCsk = await KeyTagsAsync(http, CskChild, "csk");
        var oldZsk = await KeyTagsAsync(http, ZskChild, "zsk");
        await Send(http, HttpMethod.Post, $"/v1/zones/{CskChild}/dnssec/rollover", """{"key":"csk"}""");
        await Send(http, HttpMethod.Post, $"/v1/zones/{ZskChild}/dnssec/rollover", """{"key":"zsk"}""");
        // Done when each zone has one key of the rolled role again, and it is a new one.
        await UntilAsync(async () => (await KeyTagsAsync(http, CskChild, "csk")) is { Count: 1 } k && !k.Overlaps(oldCsk), "the CSK rollover's end");
        await UntilAsync(async () => (await KeyTagsAsync(http, ZskChild, "zsk")) is { Count: 1 } k && !k.Overlaps(oldZsk), "the ZSK rollover's end");
        int before = results.Count;
        await UntilAsync(() => Task.FromResult(results.Count >= before + 10), "answers after both rollovers");
        await stop.CancelAsync();
        await asking;

        var all = results.ToList();
        var failed = all.Where(r => !r.EndsWith(" ad", StringComparison.Ordinal) || r.Contains("SERVFAIL", StringComparison.Ordinal)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {all.Count} answers not validated:\n{string.Join('\n', failed.Take(20))}\n--- unbound\n{_unbound.Output}");
        Assert.True(all.Count >= 20);
    }
}
