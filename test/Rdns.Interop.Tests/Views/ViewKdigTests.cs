using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Views;

/// <summary>
/// Split horizon as clients see it, with Knot's kdig from different loopback source addresses
/// (<c>-b 127.0.0.2</c>, <c>-b 127.0.0.3</c>), to a second listening address, and signed with a
/// view's TSIG key: the real <c>./rdns serve</c>, views and zones made through its API.
/// </summary>
public sealed partial class ViewKdigTests : IAsyncLifetime
{
    private static readonly TsigKey OfficeKey = TsigKey.Generate(DnsName.Parse("office-key."), TsigAlgorithm.HmacSha256);
    private RdnsServer _rdns = null!;
    private HttpClient _http = null!;
    private string _keys = null!;
    private IPEndPoint _inside = null!;

    public async Task InitializeAsync()
    {
        _keys = Path.Combine(Path.GetTempPath(), $"rdns-view-keys-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(_keys, OfficeKey.ToBindText());
        // Two listening addresses: the views below match on the client, the key and the address a query arrives on.
        _rdns = await RdnsServer.StartAsync(null, ["--dns", "127.0.0.1:0", "--dns", "127.0.0.10:0", "--tsig-keys", _keys,
            "--secondary", "127.0.0.1:53@office-key."]);
        _inside = Listeners().Single(e => e.Address.Equals(IPAddress.Parse("127.0.0.10")));
        _http = new HttpClient { BaseAddress = _rdns.Http };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _rdns.AdminKey);

        await Api(HttpMethod.Post, "/v1/views", new { name = "office", match = new[] { "127.0.0.2/32" } });
        await Api(HttpMethod.Post, "/v1/views", new { name = "lab", match = new[] { "127.0.0.3/32" } });
        await Api(HttpMethod.Post, "/v1/views", new { name = "signed", keys = new[] { "office-key." } });
        await Api(HttpMethod.Post, "/v1/views", new { name = "inside", destinations = new[] { "127.0.0.10/32" } });
        foreach (var (view, target) in new[] { ("public", "www.example.com."), ("office", "printer.office.example."), ("lab", "bench.lab.example."),
                     ("signed", "signed.office.example."), ("inside", "inside.example.") })
        {
            await Api(HttpMethod.Post, "/v1/zones", new { name = "2.0.192.in-addr.arpa.", view });
            await Api(HttpMethod.Put, $"/v1/ptr/192.0.2.5?view={view}", new { ptrdname = target });
        }
        await Api(HttpMethod.Post, "/v1/zones", new { prefix = "10.20.0.0/16", view = "office" });
        await Api(HttpMethod.Put, "/v1/ptr/10.20.0.1?view=office", new { ptrdname = "gw.office.example." });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _rdns.DisposeAsync();
        File.Delete(_keys);
    }

    private IEnumerable<IPEndPoint> Listeners() =>
        ListeningLine().Matches(_rdns.Output).Select(m => IPEndPoint.Parse(m.Groups[1].Value));

    [GeneratedRegex(@"DNS listening on (\S+)")]
    private static partial Regex ListeningLine();

    private async Task Api(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<ProcessResult> Kdig(IPEndPoint server, string source, string name, string type, params string[] extra)
    {
        string kdig = ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig is not installed (./test.sh installs knot-dnsutils)");
        var result = await ProcessRunner.RunAsync(kdig,
            [$"@{server.Address}", "-p", server.Port.ToString(), "-b", source, "+retry=0", "+time=5", .. extra, name, type], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static string Y(TsigKey key) => $"{TsigAlgorithms.ToText(key.Algorithm)}:{key.Name}:{Convert.ToBase64String(key.Secret)}";

    private static string Ptr(ProcessResult result)
    {
        var m = Regex.Match(result.Stdout, @"\d+\s+IN\s+PTR\s+(\S+)");
        return m.Success ? m.Groups[1].Value : Regex.Match(result.Stdout, @"status: (\w+)").Groups[1].Value;
    }

    [Fact]
    public async Task The_same_ptr_question_gets_each_views_answer_by_source_address()
    {
        Assert.Equal("www.example.com.", Ptr(await Kdig(_rdns.Dns, "127.0.0.1", "5.2.0.192.in-addr.arpa.", "PTR")));
        Assert.Equal("printer.office.example.", Ptr(await Kdig(_rdns.Dns, "127.0.0.2", "5.2.0.192.in-addr.arpa.", "PTR")));
        Assert.Equal("bench.lab.example.", Ptr(await Kdig(_rdns.Dns, "127.0.0.3", "5.2.0.192.in-addr.arpa.", "PTR")));
        Assert.Equal("printer.office.example.", Ptr(await Kdig(_rdns.Dns, "127.0.0.2", "5.2.0.192.in-addr.arpa.", "PTR", "+tcp")));
    }

    [Fact]
    public async Task A_private_zone_is_answered_in_its_view_and_refused_to_the_public()
    {
        Assert.Equal("gw.office.example.", Ptr(await Kdig(_rdns.Dns, "127.0.0.2", "1.0.20.10.in-addr.arpa.", "PTR")));
        var refused = await Kdig(_rdns.Dns, "127.0.0.1", "1.0.20.10.in-addr.arpa.", "PTR");
        Assert.Contains("status: REFUSED", refused.Stdout);
        Assert.DoesNotContain("gw.office.example.", refused.Stdout);
    }

    [Fact]
    public async Task An_rfc_6303_zone_is_nxdomain_with_its_soa_inside_a_view()
    {
        var result = await Kdig(_rdns.Dns, "127.0.0.3", "7.7.168.192.in-addr.arpa.", "PTR");
        Assert.Contains("status: NXDOMAIN", result.Stdout);
        Assert.Contains(";; Flags: qr aa", result.Stdout);
        Assert.Matches(@"168\.192\.in-addr\.arpa\.\s+\d+\s+IN\s+SOA\s+168\.192\.in-addr\.arpa\.\s+nobody\.invalid\.\s+1\s", result.Stdout);
        var office = await Kdig(_rdns.Dns, "127.0.0.2", "9.9.9.10.in-addr.arpa.", "PTR");
        Assert.Matches(@"10\.in-addr\.arpa\.\s+\d+\s+IN\s+SOA\s", office.Stdout);
        Assert.Contains("status: NXDOMAIN", office.Stdout);
    }

    [Fact]
    public async Task A_query_signed_with_a_views_key_gets_that_views_answer_signed()
    {
        var signed = await Kdig(_rdns.Dns, "127.0.0.1", "5.2.0.192.in-addr.arpa.", "PTR", "-y", Y(OfficeKey));
        Assert.Equal("signed.office.example.", Ptr(signed));
        Assert.Contains(";; TSIG PSEUDOSECTION:", signed.Stdout);
        Assert.DoesNotContain("failed to verify", signed.Stdout + signed.Stderr);
        // A wrong secret under the same name gets no data.
        var forged = await Kdig(_rdns.Dns, "127.0.0.1", "5.2.0.192.in-addr.arpa.", "PTR", "-y", Y(new TsigKey(OfficeKey.Name, TsigAlgorithm.HmacSha256, new byte[32])));
        Assert.DoesNotContain("signed.office.example.", forged.Stdout);
        Assert.Matches(@"status: (NOTAUTH|BADSIG)", forged.Stdout);
    }

    [Fact]
    public async Task A_query_to_the_second_listening_address_gets_the_view_bound_to_it()
    {
        Assert.Equal("inside.example.", Ptr(await Kdig(_inside, "127.0.0.1", "5.2.0.192.in-addr.arpa.", "PTR")));
        Assert.Equal("inside.example.", Ptr(await Kdig(_inside, "127.0.0.1", "5.2.0.192.in-addr.arpa.", "PTR", "+tcp")));
        // The source-address view is tried first: 127.0.0.2 is the office's wherever it asks.
        Assert.Equal("printer.office.example.", Ptr(await Kdig(_inside, "127.0.0.2", "5.2.0.192.in-addr.arpa.", "PTR")));
    }

    [Fact]
    public async Task A_transfer_signed_with_a_views_key_carries_that_views_zone()
    {
        var axfr = await Kdig(_rdns.Dns, "127.0.0.1", "2.0.192.in-addr.arpa.", "AXFR", "-y", Y(OfficeKey));
        Assert.Contains("signed.office.example.", axfr.Stdout);
        Assert.DoesNotContain("www.example.com.", axfr.Stdout);
        Assert.DoesNotContain("printer.office.example.", axfr.Stdout);
    }
}
