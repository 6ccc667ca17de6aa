using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;
using Rdns.Interop.Tests.Update;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Views;

/// <summary>
/// DNS UPDATE inside a view (as in BIND, where an update goes to the view that matches it): an
/// update signed with a view's key, or sent from a view's network, changes that view's zone, never
/// the same-named zone of another view; the key's and the unsigned rules still apply. Sent with
/// BIND's <c>nsupdate</c> and Knot's <c>knsupdate</c>, read back with <c>kdig</c> (<c>-b</c>, <c>-y</c>).
/// </summary>
public sealed class ViewUpdateTests : IAsyncLifetime
{
    private readonly TsigKey _officeKey = TsigKey.Generate(DnsName.Parse("office-ddns."), TsigAlgorithm.HmacSha256);
    private string _folder = null!;
    private RdnsServer _server = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-view-update-").FullName;
        var keys = Path.Combine(_folder, "keys.conf");
        await File.WriteAllTextAsync(keys, _officeKey.ToBindText());
        var config = Path.Combine(_folder, "rdns.json");
        // The office's DHCP key may change 20.10.in-addr.arpa. and the lower half of 192.0.2.0/24;
        // the lab's network (127.0.0.3) may send unsigned updates to 2.0.192.in-addr.arpa.
        await File.WriteAllTextAsync(config, """
            { "Update": {
                "Keys": { "office-ddns": [ { "zone": "20.10.in-addr.arpa" }, { "zone": "2.0.192.in-addr.arpa", "prefix": "192.0.2.0/25" } ] },
                "UnsignedFrom": [ "127.0.0.3/32" ],
                "UnsignedAllow": [ { "zone": "2.0.192.in-addr.arpa", "types": [ "PTR" ] } ] } }
            """);
        _server = await RdnsServer.StartAsync(null, ["--tsig-keys", keys, "--config", config]);
        await Api(HttpMethod.Post, "/v1/views", new { name = "office", keys = new[] { "office-ddns." } });
        await Api(HttpMethod.Post, "/v1/views", new { name = "lab", match = new[] { "127.0.0.3/32" } });
        foreach (var view in new[] { "public", "office", "lab" })
            await Api(HttpMethod.Post, "/v1/zones", new { name = "2.0.192.in-addr.arpa.", view });
        await Api(HttpMethod.Post, "/v1/zones", new { prefix = "10.20.0.0/16", view = "office" });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task Api(HttpMethod method, string path, object body)
    {
        using var http = new HttpClient { BaseAddress = _server.Http };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private string Office => $"hmac-sha256:office-ddns.:{Convert.ToBase64String(_officeKey.Secret)}";

    /// <summary>kdig's short answer from <paramref name="source"/>, signed with <paramref name="key"/> when given; the status line when there is no answer.</summary>
    private async Task<string> Dig(string source, string name, string? key = null)
    {
        string kdig = ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig is not installed (./test.sh installs knot-dnsutils)");
        var args = new List<string> { "@127.0.0.1", "-p", _server.Dns.Port.ToString(), "-b", source, "+retry=0", "+time=5", "+norec" };
        if (key is not null)
            args.AddRange(["-y", key]);
        args.AddRange([name, "PTR"]);
        var r = await ProcessRunner.RunAsync(kdig, args, TimeSpan.FromSeconds(20));
        Assert.True(r.ExitCode == 0, r.ToString());
        var status = r.StdoutLines.First(l => l.Contains("status: ", StringComparison.Ordinal));
        var answer = r.StdoutLines.SkipWhile(l => !l.StartsWith(";; ANSWER SECTION", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.Length > 0 && !l.StartsWith(";;", StringComparison.Ordinal)).Select(l => l.Split('\t', ' ').Last(p => p.Length > 0)).ToList();
        return answer.Count > 0 ? string.Join(' ', answer) : status[(status.IndexOf("status: ", StringComparison.Ordinal) + 8)..].Split(';')[0].Trim();
    }

    [Theory]
    [InlineData("nsupdate")]
    [InlineData("knsupdate")]
    public async Task An_update_signed_with_a_views_key_changes_that_views_zone_only(string tool)
    {
        string n = tool == "nsupdate" ? "7" : "8";
        Assert.Equal("NOERROR", await UpdateTool.RunAsync(tool, _server.Dns.Port, Office, "20.10.in-addr.arpa.",
            [$"update add {n}.0.20.10.in-addr.arpa. 300 PTR host{n}.office.example."]));
        Assert.Equal($"host{n}.office.example.", await Dig("127.0.0.1", $"{n}.0.20.10.in-addr.arpa.", Office));
        // The public never sees the office's private PTR.
        Assert.Equal("REFUSED", await Dig("127.0.0.1", $"{n}.0.20.10.in-addr.arpa."));

        // The same zone name is in every view: the office's changes, the public's and the lab's do not.
        Assert.Equal("NOERROR", await UpdateTool.RunAsync(tool, _server.Dns.Port, Office, "2.0.192.in-addr.arpa.",
            [$"update add {n}.2.0.192.in-addr.arpa. 300 PTR printer{n}.office.example."], tcp: true));
        Assert.Equal($"printer{n}.office.example.", await Dig("127.0.0.1", $"{n}.2.0.192.in-addr.arpa.", Office));
        Assert.Equal("NXDOMAIN", await Dig("127.0.0.1", $"{n}.2.0.192.in-addr.arpa."));
        Assert.Equal("NXDOMAIN", await Dig("127.0.0.3", $"{n}.2.0.192.in-addr.arpa."));

        // The key's rules hold in the view: the upper half of 192.0.2.0/24 is not the key's.
        Assert.Equal("REFUSED", await UpdateTool.RunAsync(tool, _server.Dns.Port, Office, "2.0.192.in-addr.arpa.",
            [$"update add 20{n}.2.0.192.in-addr.arpa. 300 PTR no.office.example."]));
        Assert.Equal("NXDOMAIN", await Dig("127.0.0.1", $"20{n}.2.0.192.in-addr.arpa.", Office));
    }

    [Theory]
    [InlineData("nsupdate")]
    [InlineData("knsupdate")]
    public async Task An_unsigned_update_from_a_views_network_changes_that_views_zone(string tool)
    {
        string n = tool == "nsupdate" ? "17" : "18";
        Assert.Equal("NOERROR", await UpdateTool.RunAsync(tool, _server.Dns.Port, null, "2.0.192.in-addr.arpa.",
            [$"update add {n}.2.0.192.in-addr.arpa. 300 PTR bench{n}.lab.example."], source: "127.0.0.3"));
        Assert.Equal($"bench{n}.lab.example.", await Dig("127.0.0.3", $"{n}.2.0.192.in-addr.arpa."));
        Assert.Equal("NXDOMAIN", await Dig("127.0.0.1", $"{n}.2.0.192.in-addr.arpa."));
        Assert.Equal("NXDOMAIN", await Dig("127.0.0.1", $"{n}.2.0.192.in-addr.arpa.", Office));
        // The unsigned rules hold in the view: PTR only.
        Assert.Equal("REFUSED", await UpdateTool.RunAsync(tool, _server.Dns.Port, null, "2.0.192.in-addr.arpa.",
            [$"update add {n}.2.0.192.in-addr.arpa. 300 TXT \"lease\""], source: "127.0.0.3"));
        // From elsewhere, unsigned updates are refused as ever.
        Assert.Equal("REFUSED", await UpdateTool.RunAsync(tool, _server.Dns.Port, null, "2.0.192.in-addr.arpa.",
            [$"update add {n}.2.0.192.in-addr.arpa. 300 PTR x.example."]));
    }
}
