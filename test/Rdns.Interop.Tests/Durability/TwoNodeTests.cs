using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;

namespace Rdns.Interop.Tests.Durability;

/// <summary>
/// Two `rdns serve` processes on one PostgreSQL (the one ./test.sh starts): a change made through
/// either is answered by both.
/// </summary>
public sealed class TwoNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// A node learns of another's commit by PostgreSQL's LISTEN/NOTIFY; without that push, only the
    /// change listener's idle check (every 30 s) would bring it. A bound well under the idle check
    /// proves the push without timing it: how fast it is (milliseconds) goes to the test output and
    /// the benchmarks, and a loaded machine does not fail the test.
    /// </summary>
    private static readonly TimeSpan Pushed = TimeSpan.FromSeconds(10);

    private readonly string _database = "rdns_nodes_" + Guid.NewGuid().ToString("N");
    private string _store = "";

    /// <summary>Unset is a failure, not a skip: a green run must have run two nodes on PostgreSQL.</summary>
    private static string Server =>
        Environment.GetEnvironmentVariable("RDNS_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("RDNS_TEST_POSTGRES is not set; run ./test.sh, which starts a PostgreSQL server for the tests");

    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection))
            await create.ExecuteNonQueryAsync();
        _store = new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static HttpClient Client(RdnsServer node, string key)
    {
        var http = new HttpClient { BaseAddress = node.Http, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static async Task<string?> PtrAsync(RdnsServer node, string name)
    {
        var wire = await DnsClient.UdpAsync(node.Dns, DnsMessage.Query(DnsName.Parse(name), RecordType.PTR, id: 2).ToWire(), TimeSpan.FromSeconds(1));
        if (wire is null)
            return null;
        var reply = DnsMessage.Parse(wire);
        return reply.Answers.Count == 0 ? null : Rdata.ReadName(reply.Answers[0].Data).ToString();
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_ptr_set_through_one_node_is_pushed_to_the_other_and_answered_there()
    {
        await using var a = await RdnsServer.StartAsync(null, ["--store", _store]);
        await using var b = await RdnsServer.StartAsync(null, ["--store", _store]);
        // The first node made the admin key; the second found one in the store and wrote none.
        Assert.False(File.Exists(Path.Combine(b.Data, "admin.key")));
        var key = a.AdminKey;
        using var viaA = Client(a, key);
        using var viaB = Client(b, key);

        (await viaA.PostAsync("/v1/zones", Json(new { prefix = "198.51.100.0/24" }))).EnsureSuccessStatusCode();
        foreach (var (via, node, other, n) in new[] { (viaA, "A", b, 1), (viaB, "B", a, 2), (viaA, "A", b, 3) })
        {
            string target = $"host{n}.example.net.";
            (await via.PutAsync($"/v1/ptr/198.51.100.{n}", Json(new { ptrdname = target }))).EnsureSuccessStatusCode();
            var clock = Stopwatch.StartNew();
            string name = $"{n}.100.51.198.in-addr.arpa.";
            while (await PtrAsync(other, name) != target)
            {
                Assert.True(clock.Elapsed < Pushed, $"the change through node {node} was not answered by the other node within {Pushed.TotalSeconds} s");
                await Task.Delay(5);
            }
            output.WriteLine($"set through node {node}, answered by the other after {clock.Elapsed.TotalMilliseconds:F1} ms");
        }
        // Both nodes serve the same serial.
        var soaA = DnsMessage.Parse((await DnsClient.UdpAsync(a.Dns, DnsMessage.Query(DnsName.Parse("100.51.198.in-addr.arpa."), RecordType.SOA).ToWire(), TimeSpan.FromSeconds(1)))!);
        var soaB = DnsMessage.Parse((await DnsClient.UdpAsync(b.Dns, DnsMessage.Query(DnsName.Parse("100.51.198.in-addr.arpa."), RecordType.SOA).ToWire(), TimeSpan.FromSeconds(1)))!);
        Assert.Equal(Rdata.SoaSerial(soaA.Answers[0].Data), Rdata.SoaSerial(soaB.Answers[0].Data));
    }

    [Fact]
    public async Task A_key_revoked_with_the_cli_through_one_node_is_refused_by_the_other_within_5_seconds()
    {
        await using var a = await RdnsServer.StartAsync(null, ["--store", _store]);
        await using var b = await RdnsServer.StartAsync(null, ["--store", _store]);
        var admin = a.AdminKey;
        using var viaA = Client(a, admin);
        using var tenant = await viaA.PostAsync("/v1/tenants", Json(new { name = "Acme" }));
        var tenantId = JsonDocument.Parse(await tenant.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var created = await viaA.PostAsync($"/v1/tenants/{tenantId}/keys", Json(new { label = "leaked" }));
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        string keyId = key.GetProperty("id").GetString()!, secret = key.GetProperty("key").GetString()!;
        using var leaked = Client(b, secret);
        (await leaked.GetAsync("/v1/domains")).EnsureSuccessStatusCode(); // node B has it cached now

        var list = await RdnsProcess.RunAsync("key", "list", "--tenant", tenantId, "--api", a.Http!.ToString(), "--key", admin);
        Assert.Equal(0, list.ExitCode);
        var line = Assert.Single(list.StdoutLines).Split('\t');
        Assert.Equal([keyId, "tenant", tenantId], line[..3]);
        Assert.Equal(["-", "leaked"], line[4..]);
        Assert.DoesNotContain(secret, list.Stdout);

        var revoke = await RdnsProcess.RunAsync("key", "revoke", keyId, "--tenant", tenantId, "--server", a.Http!.ToString(), "--key", admin);
        Assert.Equal((0, $"{keyId}\trevoked"), (revoke.ExitCode, revoke.Stdout.Trim()));
        var clock = Stopwatch.StartNew();
        while ((await leaked.GetAsync("/v1/domains")).StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the revoked key still works on the other node after 5 s");
            await Task.Delay(50);
        }
        output.WriteLine($"revoked through node A, refused by node B after {clock.Elapsed.TotalMilliseconds:F0} ms");

        var last = await RdnsProcess.RunAsync("key", "revoke", JsonDocument.Parse(await viaA.GetStringAsync("/v1/keys")).RootElement.GetProperty("items")[0].GetProperty("id").GetString()!,
            "--api", b.Http!.ToString(), "--key", admin);
        Assert.Equal(2, last.ExitCode);
        Assert.Contains("last_admin_key", Assert.Single(last.StderrLines));
    }

    [Fact]
    public async Task A_node_pointed_at_an_empty_database_instead_of_its_own_refuses_to_start()
    {
        var data = Directory.CreateTempSubdirectory("rdns-node-").FullName;
        var empty = "rdns_empty_" + Guid.NewGuid().ToString("N");
        await using var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Pooling = false }.ConnectionString);
        await server.OpenAsync();
        try
        {
            await using (var node = await RdnsServer.StartAsync(data, ["--store", _store]))
                Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(10)));
            await using (var create = new NpgsqlCommand($"CREATE DATABASE {empty}", server))
                await create.ExecuteNonQueryAsync();
            var wrong = new NpgsqlConnectionStringBuilder(Server) { Database = empty }.ConnectionString;

            var refused = await RdnsProcess.RunAsync("serve", "--data", data, "--store", wrong, "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0");
            Assert.NotEqual(0, refused.ExitCode);
            var line = Assert.Single(refused.StderrLines);
            Assert.Contains(data, line);
            Assert.Contains($"PostgreSQL database '{empty}'", line);
            Assert.Contains("is empty", line);
            Assert.DoesNotContain("Password", line);

            // Its own store is still welcome.
            await using var again = await RdnsServer.StartAsync(data, ["--store", _store]);
            Assert.True(again.IsRunning);
        }
        finally
        {
            await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {empty} WITH (FORCE)", server))
                await drop.ExecuteNonQueryAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_tsig_key_made_on_one_node_signs_updates_at_the_other_and_is_refused_there_once_deleted()
    {
        await using var a = await RdnsServer.StartAsync(null, ["--store", _store]);
        // Nodes of one store share the seal key of stored TSIG secrets (docs/DDNS.md).
        string dataB = Directory.CreateTempSubdirectory("rdns-node-b-").FullName;
        File.Copy(Path.Combine(a.Data, "tsig-seal.key"), Path.Combine(dataB, "tsig-seal.key"));
        try
        {
            await using var b = await RdnsServer.StartAsync(dataB, ["--store", _store]);
            using var viaA = Client(a, a.AdminKey);
            (await viaA.PostAsync("/v1/zones", Json(new { prefix = "203.0.113.0/24" }))).EnsureSuccessStatusCode();
            var created = await viaA.PostAsync("/v1/tsig-keys", Json(new { name = "dhcp-east", allow = new[] { new { zone = "113.0.203.in-addr.arpa" } } }));
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
            var secret = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
            var key = new Protocol.Tsig.TsigKey(DnsName.Parse("dhcp-east."), Protocol.Tsig.TsigAlgorithm.HmacSha256, Convert.FromBase64String(secret));
            var update = TestSupport.DnsUpdateClient.Message("113.0.203.in-addr.arpa.",
                updates: [TestSupport.DnsUpdateClient.Add("7.113.0.203.in-addr.arpa.", RecordType.PTR, "east.example.net.")]);

            var clock = Stopwatch.StartNew();
            Rcode rcode;
            while ((rcode = (await TestSupport.DnsUpdateClient.SendAsync(b.Dns, update, key)).Rcode) != Rcode.NoError && clock.Elapsed < Pushed)
                await Task.Delay(50);
            output.WriteLine($"key usable at B after {clock.ElapsedMilliseconds} ms");
            Assert.Equal(Rcode.NoError, rcode);
            // The other node follows B's commit as it follows any (LISTEN/NOTIFY).
            clock.Restart();
            while (await PtrAsync(a, "7.113.0.203.in-addr.arpa.") != "east.example.net." && clock.Elapsed < TimeSpan.FromSeconds(5))
                await Task.Delay(20);
            Assert.Equal("east.example.net.", await PtrAsync(a, "7.113.0.203.in-addr.arpa."));

            (await viaA.DeleteAsync("/v1/tsig-keys/dhcp-east")).EnsureSuccessStatusCode();
            clock.Restart();
            Protocol.Tsig.TsigError? error;
            while ((error = (await TestSupport.DnsUpdateClient.SendAsync(b.Dns, update, key)).Error) != Protocol.Tsig.TsigError.BadKey && clock.Elapsed < Pushed)
                await Task.Delay(20);
            output.WriteLine($"key refused at B {clock.ElapsedMilliseconds} ms after its deletion at A");
            Assert.Equal(Protocol.Tsig.TsigError.BadKey, error);
        }
        finally
        {
            Directory.Delete(dataB, recursive: true);
        }
    }
}
