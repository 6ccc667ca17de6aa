using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Operations;

/// <summary>
/// A secondary's primaries change with its settings file and SIGHUP, without a restart: a primary
/// added is followed (its zones arrive), one removed is no longer asked, and a list left empty is
/// refused (the node keeps following what it followed).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrimaryReloadTests : IDisposable
{
    private const int SigHup = 1;
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-primary-reload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HttpClient Client(RdnsServer server)
    {
        var http = new HttpClient { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        return http;
    }

    private static async Task<string?> PtrAsync(RdnsServer server, string name)
    {
        var wire = await DnsClient.UdpAsync(server.Dns, DnsMessage.Query(DnsName.Parse(name), RecordType.PTR).ToWire(), TimeSpan.FromSeconds(2));
        if (wire is null)
            return null;
        var m = DnsMessage.Parse(wire);
        return m.Answers.Count == 1 ? Rdata.ReadName(m.Answers[0].Data).ToString() : null;
    }

    private static async Task<bool> WaitFor(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
                return false;
            await Task.Delay(100);
        }
        return true;
    }

    private static async Task<List<string>> PrimariesAsync(HttpClient edge)
    {
        using var doc = JsonDocument.Parse(await edge.GetStringAsync("/v1/secondary"));
        return doc.RootElement.GetProperty("primaries").EnumerateArray().Select(p => p.GetString()!).ToList();
    }

    [Fact]
    public async Task Sighup_adds_and_replaces_primaries_and_refuses_an_empty_list()
    {
        int edgePort = FreePort.ForUdpAndTcp();
        int nobody = FreePort.ForUdpAndTcp();
        await using var primary = await RdnsServer.StartAsync(null, ["--secondary", $"127.0.0.1:{edgePort}", "--rrl-rate", "0"]);
        using var api = Client(primary);
        (await api.PostAsync("/v1/zones", new StringContent("""{"prefix":"192.0.2.0/24"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await api.PutAsync("/v1/ptr/192.0.2.1", new StringContent("""{"ptrdname":"first.example.net."}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        // The edge starts following a primary that does not answer: it has nothing.
        var data = Path.Combine(_dir, "edge");
        Directory.CreateDirectory(data);
        var config = Path.Combine(data, "rdns.json");
        await File.WriteAllTextAsync(config, $$"""{ "Primaries": ["127.0.0.1:{{nobody}}"] }""");
        await using var edge = await RdnsServer.StartAsync(data, ["--dns", $"127.0.0.1:{edgePort}", "--rrl-rate", "0"]);
        using var edgeApi = Client(edge);
        Assert.Null(await PtrAsync(edge, "1.2.0.192.in-addr.arpa."));
        Assert.Equal([$"127.0.0.1:{nobody}"], await PrimariesAsync(edgeApi));

        // SIGHUP with the real primary in place of the silent one: its catalog and zone arrive.
        await File.WriteAllTextAsync(config, $$"""{ "Primaries": ["127.0.0.1:{{primary.Dns.Port}}"] }""");
        edge.Signal(SigHup);
        Assert.True(await WaitFor(() => Task.FromResult(edge.Output.Contains("Settings reloaded: primaries: [127.0.0.1:" + nobody + "] -> [127.0.0.1:" + primary.Dns.Port + "]")), TimeSpan.FromSeconds(10)), edge.Output);
        Assert.True(await WaitFor(async () => await PtrAsync(edge, "1.2.0.192.in-addr.arpa.") == "first.example.net.", TimeSpan.FromSeconds(30)), edge.Output);
        Assert.Equal([$"127.0.0.1:{primary.Dns.Port}"], await PrimariesAsync(edgeApi));

        // A change on the primary arrives by its NOTIFY, taken from the new primary.
        (await api.PutAsync("/v1/ptr/192.0.2.1", new StringContent("""{"ptrdname":"second.example.net."}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        Assert.True(await WaitFor(async () => await PtrAsync(edge, "1.2.0.192.in-addr.arpa.") == "second.example.net.", TimeSpan.FromSeconds(30)), edge.Output);

        // An empty list is refused: the node goes on following the primary it has.
        await File.WriteAllTextAsync(config, """{ "Primaries": [] }""");
        edge.Signal(SigHup);
        Assert.True(await WaitFor(() => Task.FromResult(edge.Output.Contains("Settings not reloaded, the running ones stay: Primaries: a secondary needs at least one primary")), TimeSpan.FromSeconds(10)), edge.Output);
        Assert.Equal([$"127.0.0.1:{primary.Dns.Port}"], await PrimariesAsync(edgeApi));
        (await api.PutAsync("/v1/ptr/192.0.2.1", new StringContent("""{"ptrdname":"third.example.net."}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        Assert.True(await WaitFor(async () => await PtrAsync(edge, "1.2.0.192.in-addr.arpa.") == "third.example.net.", TimeSpan.FromSeconds(30)), edge.Output);
        Assert.True(edge.IsRunning);
        Assert.DoesNotContain("Unhandled exception", edge.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("crit:", edge.Output, StringComparison.Ordinal);
    }
}
