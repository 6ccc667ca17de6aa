using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Update;

/// <summary>
/// The tools operators and DHCP scripts use, against <c>./rdns serve</c>: every prerequisite form
/// (RFC 2136 §2.4), every update form (§2.5), each error RCODE, signed with keys from the key file
/// and from the API, over UDP and TCP, with BIND's <c>nsupdate</c> and Knot's <c>knsupdate</c> alike.
/// </summary>
public sealed class NsupdateInteropTests : IAsyncLifetime
{
    private const string Zone = "2.0.192.in-addr.arpa.";
    private readonly TsigKey _fileKey = TsigKey.Generate(DnsName.Parse("ops."), TsigAlgorithm.HmacSha256);
    private string _folder = null!;
    private RdnsServer _server = null!;
    private string _narrow = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-nsupdate-").FullName;
        var keys = Path.Combine(_folder, "keys.conf");
        await File.WriteAllTextAsync(keys, _fileKey.ToBindText());
        var config = Path.Combine(_folder, "rdns.json");
        await File.WriteAllTextAsync(config, """{ "Update": { "Keys": { "ops": [ { "zone": "2.0.192.in-addr.arpa" } ] } } }""");
        _server = await RdnsServer.StartAsync(null, ["--tsig-keys", keys, "--config", config]);
        using var http = Http();
        (await http.PostAsync("/v1/zones", Json("""{"prefix":"192.0.2.0/24"}"""))).EnsureSuccessStatusCode();
        var created = await http.PostAsync("/v1/tsig-keys", Json("""{"name":"narrow","allow":[{"zone":"2.0.192.in-addr.arpa","prefix":"192.0.2.0/25","types":["PTR","DHCID"]}]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString();
        _narrow = $"hmac-sha256:narrow:{secret}";
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private HttpClient Http()
    {
        var http = new HttpClient { BaseAddress = _server.Http, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        return http;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private string Ops => $"hmac-sha256:ops:{Convert.ToBase64String(_fileKey.Secret)}";

    private async Task<string> Dig(string name, string type)
    {
        var r = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig")!, ["@127.0.0.1", "-p", _server.Dns.Port.ToString(), "+short", "+norec", name, type], TimeSpan.FromSeconds(10));
        return string.Join(' ', r.StdoutLines.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("nsupdate", 60)]
    [InlineData("knsupdate", 80)]
    public async Task Every_prerequisite_and_update_form_gives_the_rcode_rfc_2136_names(string tool, int first)
    {
        string n = $"{first}.{Zone}", missing = $"{first + 1}.{Zone}";
        Task<string> Run(bool tcp, params string[] commands) => UpdateTool.RunAsync(tool, _server.Dns.Port, Ops, Zone, commands, tcp);

        // nxdomain, then adds (PTR and DHCID, as Kea writes them), over TCP.
        Assert.Equal("NOERROR", await Run(true, $"prereq nxdomain {n}", $"update add {n} 300 PTR a.example.", $"update add {n} 300 DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="));
        Assert.Equal("a.example.", await Dig(n, "PTR"));
        Assert.Equal("YXDOMAIN", await Run(false, $"prereq nxdomain {n}", $"update add {n} 300 PTR b.example."));
        Assert.Equal("NXDOMAIN", await Run(false, $"prereq yxdomain {missing}", $"update add {missing} 300 PTR b.example."));
        Assert.Equal("NOERROR", await Run(false, $"prereq yxdomain {n}", $"update add {n} 300 TXT \"lease\""));
        Assert.Equal("YXRRSET", await Run(false, $"prereq nxrrset {n} PTR", $"update add {n} 300 PTR b.example."));
        Assert.Equal("NXRRSET", await Run(false, $"prereq yxrrset {n} CNAME", $"update add {n} 300 PTR b.example."));
        Assert.Equal("NXRRSET", await Run(false, $"prereq yxrrset {n} PTR b.example.", $"update add {n} 300 PTR b.example."));
        Assert.Equal("NOERROR", await Run(false, $"prereq yxrrset {n} PTR a.example.", $"update add {n} 300 PTR c.example."));
        Assert.Equal("a.example. c.example.", await Dig(n, "PTR"));
        // Delete one RR, then an RRset, then the whole name.
        Assert.Equal("NOERROR", await Run(false, $"prereq nxrrset {n} CNAME", $"update delete {n} PTR a.example."));
        Assert.Equal("c.example.", await Dig(n, "PTR"));
        Assert.Equal("NOERROR", await Run(false, $"update delete {n} TXT"));
        Assert.Equal("", await Dig(n, "TXT"));
        Assert.Equal("NOERROR", await Run(true, $"update delete {n}"));
        Assert.Equal("", await Dig(n, "PTR"));
        Assert.Equal("", await Dig(n, "DHCID"));
    }

    [Theory]
    [InlineData("nsupdate")]
    [InlineData("knsupdate")]
    public async Task Each_error_rcode_reaches_the_tool(string tool)
    {
        int port = _server.Dns.Port;
        Assert.Equal("NOTAUTH", await UpdateTool.RunAsync(tool, port, Ops, "example.org.", ["update add www.example.org. 300 A 192.0.2.1"]));
        Assert.Equal("NOTZONE", await UpdateTool.RunAsync(tool, port, Ops, Zone, ["update add www.example.org. 300 A 192.0.2.1"]));
        Assert.Equal("REFUSED", await UpdateTool.RunAsync(tool, port, _narrow, Zone, [$"update add 200.{Zone} 300 PTR x.example."]));
        Assert.Equal("REFUSED", await UpdateTool.RunAsync(tool, port, _narrow, Zone, [$"update add 20.{Zone} 300 TXT \"no\""]));
        Assert.Equal("REFUSED", await UpdateTool.RunAsync(tool, port, null!, Zone, [$"update add 21.{Zone} 300 PTR x.example."]));
        var wrong = $"hmac-sha256:ops:{Convert.ToBase64String(TsigKey.Generate(DnsName.Parse("ops."), TsigAlgorithm.HmacSha256).Secret)}";
        var badSig = await UpdateTool.RunAsync(tool, port, wrong, Zone, [$"update add 22.{Zone} 300 PTR x.example."]);
        Assert.Contains(badSig, tool == "nsupdate" ? ["NOTAUTH(BADSIG)"] : new[] { "BADSIG", "NOTAUTH" });
        Assert.Equal("NOERROR", await UpdateTool.RunAsync(tool, port, _narrow, Zone, [$"update add 23.{Zone} 300 PTR ok.example."]));
        Assert.Equal("ok.example.", await Dig($"23.{Zone}", "PTR"));
    }
}
