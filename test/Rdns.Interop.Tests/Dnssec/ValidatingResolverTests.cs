using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Dnssec;

/// <summary>
/// Signed zones of <c>./rdns serve</c> checked by an independent validator: Unbound, with each
/// zone's DS from <c>GET /v1/zones/{name}/dnssec</c> as its trust anchor and Rdns as the stub,
/// answers with AD a stored PTR, a default PTR of an IPv6 and an IPv4 pool, the default names'
/// AAAA (signed with Ed25519) and A (by a ZSK under a KSK), NODATA, and NXDOMAIN denied compactly (RFC 9824) and by minimally covering NSEC
/// (RFC 4470); a zone whose signing was turned off under its anchor is bogus (SERVFAIL), which
/// shows the validator really checks.
/// </summary>
public sealed class ValidatingResolverTests : IAsyncLifetime
{
    private const string Reverse4 = "2.0.192.in-addr.arpa.";
    private const string Pool6 = "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
    private const string Pool4 = "100.51.198.in-addr.arpa.";
    private const string Forward6 = "v6.pool.example.";
    private const string Forward4 = "v4.pool.example.";

    private RdnsServer _server = null!;
    private UnboundResolver _unbound = null!;

    public async Task InitializeAsync()
    {
        _server = await RdnsServer.StartAsync(null, []);
        using var http = Http();
        await Send(http, HttpMethod.Post, "/v1/zones", """{"prefix":"192.0.2.0/24","nameServers":["ns1.example.net"]}""");
        await Send(http, HttpMethod.Put, "/v1/ptr/192.0.2.10", """{"ptrdname":"mail.example.com"}""");
        await Send(http, HttpMethod.Post, "/v1/pools", """{"prefix":"2001:db8:1::/48","defaultPtr":"ip-{ip}.v6.pool.example."}""");
        await Send(http, HttpMethod.Post, "/v1/pools", """{"prefix":"198.51.100.0/24","defaultPtr":"ip-{ip}.v4.pool.example."}""");
        var anchors = new Dictionary<string, IReadOnlyList<string>>();
        // ECDSA P-256 with one combined key by default; Ed25519 for one forward zone, a KSK/ZSK pair for another.
        var zones = new[] { (Reverse4, 13, "csk", "compact"), (Pool6, 13, "ksk-zsk", "compact"), (Pool4, 13, "csk", "compact"), (Forward6, 15, "csk", "compact"), (Forward4, 13, "ksk-zsk", "nsec") };
        foreach (var (zone, algorithm, keys, denial) in zones)
        {
            using var enabled = JsonDocument.Parse(await Send(http, HttpMethod.Post, $"/v1/zones/{zone}/dnssec", $$"""{"algorithm":{{algorithm}},"keys":"{{keys}}","denial":"{{denial}}"}"""));
            Assert.True(enabled.RootElement.GetProperty("enabled").GetBoolean());
            using var status = JsonDocument.Parse(await Send(http, HttpMethod.Get, $"/v1/zones/{zone}/dnssec", null));
            anchors[zone] = status.RootElement.GetProperty("ds").EnumerateArray().Select(d => d.GetString()!).ToList();
            Assert.Single(anchors[zone]);
        }
        _unbound = await UnboundResolver.StartAsync(_server.Dns.Port, anchors);
    }

    public async Task DisposeAsync()
    {
        if (_unbound is not null)
            await _unbound.DisposeAsync();
        Assert.Empty(_server.FailureLines());
        await _server.DisposeAsync();
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

    private async Task<KdigAnswer> Validated(string name, string type, string status)
    {
        var answer = await KdigAnswer.AskAsync(_unbound.Port, name, type);
        Assert.True(answer.Status == status && answer.Authenticated,
            $"{name} {type}: expected {status} with AD from the validator\n{answer.Text}\n--- unbound\n{_unbound.Output}");
        return answer;
    }

    [Fact]
    public async Task A_stored_ptr_validates_and_carries_its_rrsig()
    {
        var answer = await Validated("10.2.0.192.in-addr.arpa.", "PTR", "NOERROR");
        Assert.Contains(answer.OfType("PTR"), r => r.EndsWith("mail.example.com.", StringComparison.Ordinal));
        var direct = await KdigAnswer.AskAsync(_server.Dns.Port, "10.2.0.192.in-addr.arpa.", "PTR");
        Assert.Contains(direct.OfType("RRSIG"), r => r.Contains("PTR 13 6 3600", StringComparison.Ordinal));

        // The signing state in /metrics: five zones, signatures made and cached within the bound.
        using var http = Http();
        var metrics = (await http.GetStringAsync("/metrics")).Split('\n')
            .Where(l => l.StartsWith("rdns_dnssec_", StringComparison.Ordinal))
            .ToDictionary(l => l.Split(' ')[0], l => double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(5, metrics["rdns_dnssec_signed_zones"]);
        Assert.True(metrics["rdns_dnssec_signatures_total"] >= 2);
        Assert.True(metrics["rdns_dnssec_signature_cache_entries"] >= 2);
        Assert.InRange(metrics["rdns_dnssec_signature_cache_bytes"], 1, metrics["rdns_dnssec_signature_cache_limit_bytes"] * 1.05);
    }

    [Fact]
    public async Task Default_ptrs_of_pools_and_their_forward_names_validate()
    {
        var v6 = await Validated("5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", "NOERROR");
        Assert.Contains(v6.OfType("PTR"), r => r.EndsWith("ip-2001-db8-1--5.v6.pool.example.", StringComparison.Ordinal));
        var aaaa = await Validated("ip-2001-db8-1--5.v6.pool.example.", "AAAA", "NOERROR");
        Assert.Contains(aaaa.OfType("AAAA"), r => r.EndsWith("2001:db8:1::5", StringComparison.Ordinal));
        Assert.Contains(aaaa.OfType("RRSIG"), r => r.Contains("AAAA 15 ", StringComparison.Ordinal));

        var v4 = await Validated("7.100.51.198.in-addr.arpa.", "PTR", "NOERROR");
        Assert.Contains(v4.OfType("PTR"), r => r.EndsWith("ip-198-51-100-7.v4.pool.example.", StringComparison.Ordinal));
        var a = await Validated("ip-198-51-100-7.v4.pool.example.", "A", "NOERROR");
        Assert.Contains(a.OfType("A"), r => r.EndsWith("198.51.100.7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nodata_validates_for_stored_and_default_names()
    {
        await Validated("10.2.0.192.in-addr.arpa.", "TXT", "NOERROR");
        await Validated("ip-2001-db8-1--5.v6.pool.example.", "A", "NOERROR");
        await Validated("5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "TXT", "NOERROR");
        // An empty non-terminal of the compact table: a partial reverse name inside the pool.
        await Validated("0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", "NOERROR");
    }

    [Fact]
    public async Task A_missing_name_is_denied_compactly_by_default()
    {
        var answer = await Validated("11.2.0.192.in-addr.arpa.", "PTR", "NOERROR");
        // RFC 9824 §3.1: one NSEC at the name, to its immediate successor, with NXNAME (128) in the bitmap.
        var nsec = Assert.Single(answer.OfType("NSEC"));
        Assert.Contains("\\000.11.2.0.192.in-addr.arpa.", nsec, StringComparison.Ordinal);
        Assert.Contains("TYPE128", nsec, StringComparison.Ordinal);
        await Validated("nothing-here.v6.pool.example.", "AAAA", "NOERROR");
    }

    [Fact]
    public async Task A_missing_name_in_a_minimally_covering_zone_is_nxdomain()
    {
        var answer = await Validated("not-a-default.v4.pool.example.", "A", "NXDOMAIN");
        // RFC 4470: one NSEC around the name, one around the wildcard of its closest encloser.
        Assert.Equal(2, answer.OfType("NSEC").Count());
        await Validated("deeper.not-a-default.v4.pool.example.", "A", "NXDOMAIN");
    }

    [Fact]
    public async Task The_apex_publishes_dnskey_cds_and_cdnskey_signed_by_the_key()
    {
        var dnskey = await Validated(Reverse4, "DNSKEY", "NOERROR");
        Assert.Contains(dnskey.OfType("DNSKEY"), r => r.Contains("257 3 13", StringComparison.Ordinal));
        var cds = await Validated(Reverse4, "CDS", "NOERROR");
        Assert.Contains(cds.OfType("CDS"), r => r.Contains(" 13 2 ", StringComparison.Ordinal));
        await Validated(Reverse4, "CDNSKEY", "NOERROR");
    }

    [Fact]
    public async Task A_zone_unsigned_under_its_trust_anchor_is_bogus()
    {
        using var http = Http();
        await Send(http, HttpMethod.Delete, $"/v1/zones/{Pool4}/dnssec", null);
        using var status = JsonDocument.Parse(await Send(http, HttpMethod.Get, $"/v1/zones/{Pool4}/dnssec", null));
        Assert.False(status.RootElement.GetProperty("enabled").GetBoolean());
        var direct = await KdigAnswer.AskAsync(_server.Dns.Port, "9.100.51.198.in-addr.arpa.", "PTR");
        Assert.Empty(direct.OfType("RRSIG"));
        var answer = await KdigAnswer.AskAsync(_unbound.Port, "9.100.51.198.in-addr.arpa.", "PTR");
        Assert.Equal("SERVFAIL", answer.Status);
    }
}
