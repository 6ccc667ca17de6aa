using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>
/// `./rdns view list|add|set|delete` as an operator, and `./rdns ptr set|get|reset --view` as a
/// tenant in its own network, against a running server; answers checked with kdig from the view's address.
/// </summary>
public sealed class ViewVerbTests : IAsyncLifetime
{
    private RdnsServer _server = null!;
    private string _tenantId = "";
    private string _tenantKey = "";

    public async Task InitializeAsync()
    {
        _server = await RdnsServer.StartAsync(null, []);
        using var http = new HttpClient { BaseAddress = _server.Http };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        async Task<JsonNode> Post(string path, object body)
        {
            using var response = await http.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return JsonNode.Parse(text)!;
        }
        var tenant = await Post("/v1/tenants", new { name = "cli" });
        _tenantId = (string)tenant["id"]!;
        _tenantKey = (string)(await Post($"/v1/tenants/{_tenantId}/keys", new { label = "cli" }))["key"]!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ProcessResult> Rdns(string key, params string[] args) =>
        RdnsProcess.RunAsync([.. args, "--api", _server.Http!.ToString(), "--key", key]);

    [Fact]
    public async Task An_operator_manages_views_and_a_tenant_its_private_ptrs_from_the_command_line()
    {
        var add = await Rdns(_server.AdminKey, "view", "add", "office", "--match", "127.0.0.2/32", "--match", "10.20.0.0/16", "--tenant", _tenantId);
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal($"office\t127.0.0.2/32,10.20.0.0/16\t-\t-\t{_tenantId}\t0 zones", add.Stdout.Trim());

        var set = await Rdns(_tenantKey, "ptr", "set", "10.20.0.1", "gw.office.example.", "--view", "office");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("10.20.0.1\tgw.office.example.\tview office\tzone 0.20.10.in-addr.arpa.", set.Stdout.Trim());
        var dig = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig is not installed"),
            [$"@{_server.Dns.Address}", "-p", _server.Dns.Port.ToString(), "-b", "127.0.0.2", "+short", "-x", "10.20.0.1"], TimeSpan.FromSeconds(30));
        Assert.Equal("gw.office.example.", dig.Stdout.Trim());

        var list = await Rdns(_server.AdminKey, "view", "list");
        Assert.Equal($"office\t127.0.0.2/32,10.20.0.0/16\t-\t-\t{_tenantId}\t1 zones", list.Stdout.Trim());
        var change = await Rdns(_server.AdminKey, "view", "set", "office", "--match", "127.0.0.3/32");
        Assert.StartsWith("office\t127.0.0.3/32\t", change.Stdout);

        // Bad input: one line naming the rule, exit code 2.
        var bad = await Rdns(_server.AdminKey, "view", "add", "Bad_Name", "--match", "10.0.0.0/8");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("invalid_view_name", bad.Stderr);
        var notEmpty = await Rdns(_server.AdminKey, "view", "delete", "office");
        Assert.Equal(2, notEmpty.ExitCode);
        Assert.Contains("view_not_empty", notEmpty.Stderr);
        var notTenants = await Rdns(_tenantKey, "view", "add", "mine", "--match", "10.0.0.0/8");
        Assert.Equal(2, notTenants.ExitCode);

        var reset = await Rdns(_tenantKey, "ptr", "reset", "10.20.0.1", "--view", "office");
        Assert.Equal("10.20.0.1\tremoved from view office", reset.Stdout.Trim());
    }
}
