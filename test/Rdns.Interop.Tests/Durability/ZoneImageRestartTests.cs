using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Durability;

/// <summary>
/// The zone image of the data directory (docs/OPERATIONS.md) is only a cache: a server killed with
/// SIGKILL after changes made through the API and through DNS UPDATE, before it could write the
/// image again, serves those changes after a restart; the restart after that takes the zone from
/// the image.
/// </summary>
public sealed class ZoneImageRestartTests
{
    private const string Zone = "113.0.203.in-addr.arpa.";

    [Fact]
    public async Task Changes_made_after_the_image_was_written_survive_sigkill_and_are_served_after_a_restart()
    {
        string data = Directory.CreateTempSubdirectory("rdns-image-").FullName;
        try
        {
            byte[] secret;
            await using (var first = await RdnsServer.StartAsync(data, []))
            {
                using var http = Client(first);
                (await http.PostAsync("/v1/zones", Json(new { prefix = "203.0.113.0/24" }))).EnsureSuccessStatusCode();
                for (int i = 1; i <= 20; i++)
                    (await http.PutAsync($"/v1/ptr/203.0.113.{i}", Json(new { ptrdname = $"host{i}.example.net." }))).EnsureSuccessStatusCode();
                var created = await http.PostAsync("/v1/tsig-keys", Json(new { name = "dhcp", allow = new[] { new { zone = "113.0.203.in-addr.arpa" } } }));
                created.EnsureSuccessStatusCode();
                secret = Convert.FromBase64String(JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!);
            }

            // This start builds the zone from rows and writes the image.
            var second = await RdnsServer.StartAsync(data, []);
            try
            {
                await WaitForAsync(second, "Wrote the zone image");
                // Two zones: the reverse zone and the catalog zone (docs/SECONDARIES.md).
                await WaitForAsync(second, "Loaded 2 zones from the store, 0 of them from the zone image");
                using var http = Client(second);
                (await http.PutAsync("/v1/ptr/203.0.113.5", Json(new { ptrdname = "changed-by-api.example.net." }))).EnsureSuccessStatusCode();
                var key = new Protocol.Tsig.TsigKey(DnsName.Parse("dhcp."), Protocol.Tsig.TsigAlgorithm.HmacSha256, secret);
                var update = TestSupport.DnsUpdateClient.Message(Zone,
                    updates: [TestSupport.DnsUpdateClient.DeleteRRset("6." + Zone, RecordType.PTR), TestSupport.DnsUpdateClient.Add("6." + Zone, RecordType.PTR, "changed-by-update.example.net.")]);
                Assert.Equal(Rcode.NoError, (await TestSupport.DnsUpdateClient.SendAsync(second.Dns, update, key)).Rcode);
                Assert.Equal("changed-by-update.example.net.", await PtrAsync(second, "6." + Zone));
            }
            finally
            {
                await second.KillAsync();
                await second.DisposeAsync();
            }

            // The image still holds the zone as it was: the store's revision says otherwise.
            await using (var third = await RdnsServer.StartAsync(data, []))
            {
                // The catalog zone, unchanged, comes from the image; the reverse zone from rows.
                await WaitForAsync(third, "Loaded 2 zones from the store");
                Assert.Contains("Loaded 2 zones from the store, 1 of them from the zone image", third.Output);
                Assert.Equal("changed-by-api.example.net.", await PtrAsync(third, "5." + Zone));
                Assert.Equal("changed-by-update.example.net.", await PtrAsync(third, "6." + Zone));
                Assert.Equal("host7.example.net.", await PtrAsync(third, "7." + Zone));
                await WaitForAsync(third, "Wrote the zone image");
            }

            await using (var fourth = await RdnsServer.StartAsync(data, []))
            {
                await WaitForAsync(fourth, "Loaded 2 zones from the store");
                Assert.Contains("Loaded 2 zones from the store, 2 of them from the zone image", fourth.Output);
                Assert.Equal("changed-by-api.example.net.", await PtrAsync(fourth, "5." + Zone));
                Assert.Equal("changed-by-update.example.net.", await PtrAsync(fourth, "6." + Zone));
                Assert.Equal("host20.example.net.", await PtrAsync(fourth, "20." + Zone));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Waits for a line of the server's log (the image is written in the background, just after start-up).</summary>
    private static async Task WaitForAsync(RdnsServer server, string text)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!server.Output.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException($"no \"{text}\" in the log:\n{server.Output}");
            await Task.Delay(20);
        }
    }

    private static HttpClient Client(RdnsServer node)
    {
        var http = new HttpClient { BaseAddress = node.Http, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", node.AdminKey);
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
}
