using System.Net;
using System.Text.Json;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.TestSupport;

namespace Rdns.Interop.Tests.Operations;

/// <summary>
/// <c>/readyz</c> against a PostgreSQL store that goes away and comes back (a cluster of the
/// test's own, stopped as a failing database host would stop): not ready within 5 s, with the
/// reason; ready again once the store answers; DNS answered from memory throughout.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReadinessTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyzAsync(HttpClient http)
    {
        var response = await http.GetAsync("/readyz");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    private static async Task<TimeSpan> TimeUntilAsync(HttpClient http, HttpStatusCode wanted, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if ((await ReadyzAsync(http)).Status == wanted)
                return clock.Elapsed;
            await Task.Delay(100);
        }
        return TimeSpan.MaxValue;
    }

    [Fact]
    public async Task Readiness_follows_the_store_down_and_up()
    {
        await using var pg = await PostgresCluster.StartAsync();
        await using var server = await RdnsServer.StartAsync(null, ["--store", pg.ConnectionString]);
        using var http = new HttpClient { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(10) };
        var (status, body) = await ReadyzAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("store").GetProperty("reachable").GetBoolean());

        await pg.StopAsync();
        var down = await TimeUntilAsync(http, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10));
        Assert.True(down < TimeSpan.FromSeconds(5), $"not ready after {down}");
        (status, body) = await ReadyzAsync(http);
        Assert.Equal("not ready", body.GetProperty("status").GetString());
        Assert.Contains("store unreachable", body.GetProperty("reasons")[0].GetString());
        Assert.False(body.GetProperty("store").GetProperty("reachable").GetBoolean());
        // Liveness is another question: the process is fine, and DNS answers from memory.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.NotNull(await DnsClient.UdpAsync(server.Dns, DnsMessage.Query(DnsName.Parse("catalog.invalid."), RecordType.SOA).ToWire(), TimeSpan.FromSeconds(2)));

        await pg.StartAgainAsync();
        var up = await TimeUntilAsync(http, HttpStatusCode.OK, TimeSpan.FromSeconds(15));
        Assert.True(up < TimeSpan.FromSeconds(10), $"not ready again after {up}");
        Assert.Contains("store cannot be reached", server.Output);
        // The log line comes through the process's output pipe, a moment after the state it reports.
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !server.Output.Contains("Ready again", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(10);)
            await Task.Delay(50);
        Assert.Contains("Ready again", server.Output);
    }
}
