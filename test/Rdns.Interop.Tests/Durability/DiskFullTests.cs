using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Durability;

/// <summary>
/// A server whose disk fills up, for real: its data directory is a 2 MiB tmpfs, and an import
/// that needs more is answered 507 <c>store_full</c> with what to do, changes nothing, and the
/// server goes on answering. Mounting needs root (as ./test.sh's PostgreSQL does) or password-less sudo.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private readonly string _mount = Directory.CreateTempSubdirectory("rdns-full-").FullName;

    public async Task InitializeAsync() =>
        await PrivilegedAsync("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", _mount);

    public async Task DisposeAsync()
    {
        await PrivilegedAsync("umount", _mount);
        Directory.Delete(_mount);
    }

    private static async Task PrivilegedAsync(string program, params string[] arguments)
    {
        var result = Environment.UserName == "root"
            ? await ProcessRunner.RunAsync(program, arguments, TimeSpan.FromSeconds(30))
            : await ProcessRunner.RunAsync("sudo", ["-n", program, .. arguments], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {result}");
    }

    [Fact]
    public async Task An_import_the_disk_cannot_hold_is_refused_as_store_full_and_the_server_goes_on()
    {
        var data = Directory.CreateDirectory(Path.Combine(_mount, "data")).FullName;
        await using var server = await RdnsServer.StartAsync(data, []);
        using var http = new HttpClient { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);

        // 64 × 256 PTRs: a few kilobytes of text, several megabytes of rows and journal.
        var zone = new StringBuilder("$ORIGIN 10.in-addr.arpa.\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n");
        for (int i = 0; i < 64; i++)
            zone.Append("$GENERATE 0-255 $.").Append(i).Append(".0 PTR host-$-").Append(i).Append(".a-rather-long-name-to-fill-pages.example.net.\n");
        using var response = await http.PostAsync("/v1/zones/10.in-addr.arpa/import", new StringContent(zone.ToString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"expected 507, got {(int)response.StatusCode}: {text}");
        var problem = JsonNode.Parse(text)!;
        Assert.Equal("store_full", (string?)problem["code"]);
        Assert.Contains("Free space", (string?)problem["detail"]);

        // Nothing of it was applied, and the server still answers what it had.
        using var zones = await http.GetAsync("/v1/zones/10.in-addr.arpa");
        Assert.Equal(HttpStatusCode.NotFound, zones.StatusCode);
        Assert.Contains("ready", await http.GetStringAsync("/readyz"));
        Assert.DoesNotContain(server.FailureLines(), l => !l.Contains("store", StringComparison.OrdinalIgnoreCase));
    }
}
