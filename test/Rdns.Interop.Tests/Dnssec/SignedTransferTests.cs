using System.Net.Http.Headers;
using System.Text;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Dnssec;

/// <summary>
/// A signed zone by AXFR, checked by BIND's <c>dnssec-verify</c>: every RRset signed, a complete
/// NSEC chain, a delegation with its DS signed and its NS not; with one combined key and with a
/// KSK/ZSK pair. A record changed after signing makes the same check fail, so it can fail. An IXFR
/// of a signed zone is answered in full, signatures included.
/// </summary>
public sealed class SignedTransferTests : IAsyncLifetime
{
    private const string Zone = "2.0.192.in-addr.arpa.";
    private RdnsServer _server = null!;
    private string _folder = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-signed-axfr-").FullName;
        // Transfers are open to the loopback address as a secondary there would be.
        _server = await RdnsServer.StartAsync(null, ["--secondary", "127.0.0.1:9"]);
        using var http = Http();
        await Send(http, HttpMethod.Post, "/v1/zones", """{"prefix":"192.0.2.0/24","nameServers":["ns1.example.net"]}""");
        for (int host = 1; host <= 40; host++)
            await Send(http, HttpMethod.Put, $"/v1/ptr/192.0.2.{host}", $$"""{"ptrdname":"host{{host}}.Example.NET"}""");
        // An RFC 2317 child with its DS, and a TXT beside a PTR.
        await Send(http, HttpMethod.Patch, $"/v1/zones/{Zone}/rrsets", """
            {"rrsets":[
              {"name":"128/25","type":"NS","ttl":3600,"data":["ns.child.example."]},
              {"name":"128/25","type":"DS","ttl":3600,"data":["12345 13 2 8A9F7C4D3E2B1A0F9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F"]},
              {"name":"7","type":"TXT","ttl":600,"data":["\"rack 7\""]}
            ]}
            """);
    }

    public async Task DisposeAsync()
    {
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

    private static async Task Send(HttpClient http, HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The zone by AXFR (or IXFR from serial 1) as a zone file; the closing SOA left out.</summary>
    private async Task<List<string>> TransferAsync(string type = "AXFR")
    {
        var question = type == "AXFR" ? new[] { Zone, "AXFR" } : [Zone, "IXFR=1"];
        var r = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig")!, ["@127.0.0.1", "-p", _server.Dns.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. question],
            TimeSpan.FromSeconds(60));
        var records = r.StdoutLines.Where(l => l.Length > 0 && l[0] != ';').ToList();
        Assert.True(records.Count > 2, r.ToString());
        return records[..^1];
    }

    private async Task<ProcessResult> VerifyAsync(IEnumerable<string> records, bool combinedKey)
    {
        var file = Path.Combine(_folder, $"zone-{Guid.NewGuid():N}.db");
        await File.WriteAllLinesAsync(file, records);
        // -z: a combined signing key carries the SEP flag and signs everything (BIND wants a
        // non-SEP key for that unless told).
        string[] arguments = combinedKey ? ["-z", "-o", Zone, file] : ["-o", Zone, file];
        Assert.True(ProcessRunner.Find("dnssec-verify") is not null, "dnssec-verify is not installed (./test.sh installs bind9-utils)");
        return await ProcessRunner.RunAsync(ProcessRunner.Find("dnssec-verify")!, arguments, TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("csk")]
    [InlineData("ksk-zsk")]
    public async Task Dnssec_verify_accepts_the_transferred_zone(string keys)
    {
        using var http = Http();
        await Send(http, HttpMethod.Post, $"/v1/zones/{Zone}/dnssec", $$"""{"algorithm":13,"keys":"{{keys}}"}""");
        var records = await TransferAsync();
        var result = await VerifyAsync(records, keys == "csk");
        Assert.True(result.ExitCode == 0, result + "\n" + string.Join('\n', records));
        Assert.Contains("Zone fully signed", result.Stdout + result.Stderr, StringComparison.Ordinal);

        static string[] Fields(string r) => r.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        // The delegation: DS signed, NS not (it is the child's), glue-free here.
        var child = "128/25.2.0.192.in-addr.arpa.";
        Assert.Contains(records, r => Fields(r) is var f && f[0] == child && f[3] == "RRSIG" && f[4] == "DS");
        Assert.DoesNotContain(records, r => Fields(r) is var f && f[0] == child && f[3] == "RRSIG" && f[4] == "NS");
        // One NSEC per name: the apex, 40 PTR owners (7 with its TXT too), the delegation.
        Assert.Equal(42, records.Count(r => Fields(r)[3] == "NSEC"));

        // A record changed after signing: the same check fails.
        var tampered = records.Select(r => r.EndsWith("host5.example.net.", StringComparison.OrdinalIgnoreCase) ? r.Replace("host5", "evil5", StringComparison.OrdinalIgnoreCase) : r).ToList();
        Assert.NotEqual(records, tampered);
        Assert.NotEqual(0, (await VerifyAsync(tampered, keys == "csk")).ExitCode);
    }

    [Fact]
    public async Task An_ixfr_of_a_signed_zone_is_answered_in_full_with_signatures()
    {
        using var http = Http();
        await Send(http, HttpMethod.Post, $"/v1/zones/{Zone}/dnssec", """{"algorithm":13}""");
        var records = await TransferAsync("IXFR");
        var result = await VerifyAsync(records, combinedKey: true);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
