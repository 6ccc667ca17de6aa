using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>
/// `./rdns ptr set|get|reset` against a running server, as a tenant would use it. The server is
/// its own forward resolver here, so the default name (which it answers) passes the forward check.
/// </summary>
public sealed class PtrVerbTests : IAsyncLifetime
{
    private RdnsServer _server = null!;
    private string _tenantKey = "";

    public async Task InitializeAsync()
    {
        // The server is its own resolver, so its port is chosen first; a port found free can be
        // taken again before the server binds it, so another is tried then.
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.ForUdpAndTcp();
            try
            {
                _server = await RdnsServer.StartAsync(null, ["--dns", $"127.0.0.1:{port}", "--resolver", $"127.0.0.1:{port}"]);
                break;
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
        using var http = new HttpClient { BaseAddress = _server.Http };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        async Task<JsonNode> Post(string path, object body)
        {
            using var response = await http.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return JsonNode.Parse(text)!;
        }
        await Post("/v1/pools", new { prefix = "203.0.113.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." });
        var tenant = await Post("/v1/tenants", new { name = "cli" });
        var key = await Post($"/v1/tenants/{(string)tenant["id"]!}/keys", new { label = "cli" });
        _tenantKey = (string)key["key"]!;
        await Post("/v1/allocations", new { tenant = (string)tenant["id"]!, prefix = "203.0.113.7/32" });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ProcessResult> Rdns(params string[] args) =>
        RdnsProcess.RunAsync(["ptr", .. args, "--api", _server.Http!.ToString(), "--key", _tenantKey]);

    [Fact]
    public async Task A_tenant_gets_sets_and_resets_a_ptr_from_the_command_line()
    {
        var get = await Rdns("get", "203.0.113.7");
        Assert.Equal(0, get.ExitCode);
        Assert.StartsWith("203.0.113.7\tip-203-0-113-7.pool.rdns.test.\tdefault", get.Stdout);

        // A name whose forward records do not hold the address: one line on stderr, exit code 2.
        var refused = await Rdns("set", "203.0.113.7", "ip-203-0-113-8.pool.rdns.test");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("forward_check_failed", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));

        var set = await Rdns("set", "203.0.113.7", "IP-203-0-113-7.pool.rdns.test");
        Assert.Equal(0, set.ExitCode);
        Assert.StartsWith("203.0.113.7\tip-203-0-113-7.pool.rdns.test.\tconfirmed\t", set.Stdout);

        var reset = await Rdns("reset", "203.0.113.7");
        Assert.Equal(0, reset.ExitCode);
        Assert.Contains("default", (await Rdns("get", "203.0.113.7")).Stdout);

        var notHeld = await Rdns("get", "203.0.113.9");
        Assert.Equal(2, notHeld.ExitCode);
        Assert.Contains("address_not_held", notHeld.Stderr);
        var bad = await Rdns("get", "300.1.1.1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("octet 300", bad.Stderr);
    }
}
