using System.Text.Json.Nodes;
using Rdns.Cli;

namespace Rdns.Api.Tests;

/// <summary>
/// The operator's day from the command line: zones, pools, tenants, allocations, keys and the
/// audit log through the API, tables for people and --json for scripts, the key read from a file.
/// </summary>
public sealed class OperatorCliTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private string _keyFile = "";

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(configure: s => s.Tenants.CoolDown = TimeSpan.Zero);
        _keyFile = Path.Combine(_api.Data, "admin.key");
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<(int Exit, string Out, string Err)> Rdns(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await Task.Run(() => RdnsCommandLine.Run([.. args, "--api", _api.Http.BaseAddress!.ToString(), "--key-file", _keyFile], output, error));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task An_operator_runs_zones_pools_tenants_and_keys_from_the_command_line()
    {
        var created = await Rdns("zone", "create", "192.0.2.0/24", "--ns", "ns1.example.net", "--ns", "ns2.example.net");
        Assert.Equal((0, ""), (created.Exit, created.Err));
        Assert.Matches(@"^NAME\s+SERIAL\s+RECORDS\s+PREFIX\n2\.0\.192\.in-addr\.arpa\.\s+\d+\s+3\s+192\.0\.2\.0/24\n$", created.Out);

        var zoneFile = Path.Combine(_api.Data, "import.zone");
        var exported = await Rdns("zone", "export", "2.0.192.in-addr.arpa", "-o", zoneFile);
        Assert.Equal(0, exported.Exit);
        await File.AppendAllTextAsync(zoneFile, "9 3600 IN PTR nine.example.\n");
        var imported = await Rdns("zone", "import", "2.0.192.in-addr.arpa", zoneFile);
        Assert.Equal(0, imported.Exit);
        Assert.Contains("4 records", imported.Out);
        var shown = await Rdns("zone", "show", "2.0.192.in-addr.arpa");
        Assert.Matches(@"9\.2\.0\.192\.in-addr\.arpa\.\s+3600\s+PTR\s+nine\.example\.", shown.Out);

        var listed = await Rdns("zone", "list", "--json");
        Assert.Contains("2.0.192.in-addr.arpa.", JsonNode.Parse(listed.Out)!.AsArray().Select(z => (string?)z!["name"]));

        var pool = await Rdns("pool", "create", "203.0.113.0/24", "--default-ptr", "ip-{ip}.pool.rdns.test.", "--json");
        Assert.Equal(0, pool.Exit);
        var poolId = (string)JsonNode.Parse(pool.Out)!.AsArray()[0]!["id"]!;
        var tenant = await Rdns("tenant", "create", "Acme", "--json");
        var tenantId = (string)JsonNode.Parse(tenant.Out)!.AsArray()[0]!["id"]!;
        var allocation = await Rdns("tenant", "allocate", tenantId, "203.0.113.8/29");
        Assert.Equal(0, allocation.Exit);
        var allocationId = allocation.Out.Split('\t')[0];

        var refused = await Rdns("pool", "delete", poolId);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("409 pool_allocated", refused.Err);
        var key = await Rdns("key", "create", "--tenant", tenantId, "--label", "ci");
        Assert.StartsWith("key_", key.Out);

        Assert.Equal(0, (await Rdns("tenant", "release", allocationId)).Exit);
        Assert.Equal(0, (await Rdns("tenant", "delete", tenantId)).Exit);
        Assert.Equal($"{poolId}\tdeleted\n", (await Rdns("pool", "delete", poolId)).Out);
        var tenants = await Rdns("tenant", "list");
        Assert.Equal("ID  NAME  CREATED\n", tenants.Out);

        var audit = await Rdns("audit", "--tenant", tenantId, "--json");
        var actions = JsonNode.Parse(audit.Out)!.AsArray().Select(a => (string?)a!["action"]).ToList();
        Assert.Equal(["tenant.delete", "allocation.release", "key.create", "allocation.create", "tenant.create"], actions);
    }

    [Fact]
    public async Task The_admin_key_is_rotated_against_the_store_while_the_server_runs()
    {
        var oldKey = (await File.ReadAllTextAsync(_keyFile)).Trim();
        var oldId = (string)(await _api.Send(HttpMethod.Get, "/v1/keys", null, System.Net.HttpStatusCode.OK))["items"]![0]!["id"]!;
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await Task.Run(() => RdnsCommandLine.Run(["admin-key", "rotate", "--data", _api.Data], output, error));
        Assert.Equal((0, ""), (exit, error.ToString()));
        Assert.Contains($"{oldId} revoked", output.ToString());

        var newKey = (await File.ReadAllTextAsync(_keyFile)).Trim();
        Assert.NotEqual(oldKey, newKey);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_keyFile));
        using var rotated = _api.As(newKey);
        var keys = await ApiHost.Send(rotated, HttpMethod.Get, "/v1/keys", null, System.Net.HttpStatusCode.OK);
        Assert.NotNull(keys["items"]!.AsArray().Single(k => (string?)k!["id"] == oldId)!["revokedAt"]);
        var audit = await ApiHost.Send(rotated, HttpMethod.Get, "/v1/audit?action=key.revoke", null, System.Net.HttpStatusCode.OK);
        Assert.Equal(oldId, (string?)Assert.Single(audit["items"]!.AsArray())!["target"]);
    }

    [Fact]
    public async Task A_refusal_is_one_line_with_the_code_and_a_usage_exit_code()
    {
        var missing = await Rdns("zone", "show", "nope.example");
        Assert.Equal(2, missing.Exit);
        Assert.Equal("", missing.Out);
        Assert.Matches(@"^rdns: nope\.example: 404 zone_not_found: [^\n]+\n$", missing.Err);

        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await Task.Run(() => RdnsCommandLine.Run(["tenant", "list", "--api", _api.Http.BaseAddress!.ToString(), "--key-file", "/nonexistent/key"], output, error));
        Assert.Equal(2, exit);
        Assert.StartsWith("rdns: /nonexistent/key: cannot read the key file", error.ToString());
    }
}
