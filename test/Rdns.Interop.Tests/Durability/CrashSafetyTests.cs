using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;

namespace Rdns.Interop.Tests.Durability;

/// <summary>
/// `kill -9` while clients write through the API, twenty times over one store: after each restart
/// every acknowledged change is there, and no change is there by halves.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Rounds = 20;

    /// <summary>One request: three PTRs set together with one marker, so a partial apply shows.</summary>
    private sealed record Attempt(int Id, string[] Addresses, string Marker);

    [Fact]
    public async Task Every_acknowledged_write_survives_sigkill_and_nothing_is_half_applied()
    {
        string data = Directory.CreateTempSubdirectory("rdns-crash-").FullName;
        try
        {
            var acknowledged = new ConcurrentDictionary<int, Attempt>();
            var attempted = new ConcurrentDictionary<int, Attempt>();
            int next = 0;
            var random = new Random(20261122);
            for (int round = 1; round <= Rounds; round++)
            {
                await using var server = await RdnsServer.StartAsync(data, []);
                using var http = new HttpClient { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(10) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
                if (round == 1)
                    (await http.PostAsync("/v1/zones", Json(new { prefix = "10.77.0.0/16" }))).EnsureSuccessStatusCode();

                // After each restart, before writing more: everything acknowledged so far is served.
                await VerifyAsync(server, acknowledged.Values, attempted.Values);

                using var stop = new CancellationTokenSource();
                int before = acknowledged.Count;
                var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        int id = Interlocked.Increment(ref next);
                        var attempt = new Attempt(id, [Address(id, 0), Address(id, 1), Address(id, 2)], $"w{id}-r{round}");
                        attempted[id] = attempt;
                        var rrsets = attempt.Addresses.Select(a => new
                        {
                            name = string.Join('.', a.Split('.').Reverse().Take(2)),
                            type = "PTR",
                            data = new[] { $"{attempt.Marker}.example.net." },
                        });
                        try
                        {
                            using var response = await http.PatchAsync("/v1/zones/77.10.in-addr.arpa/rrsets", Json(new { rrsets }), stop.Token);
                            if (response.StatusCode == HttpStatusCode.OK)
                                acknowledged[id] = attempt;
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                        {
                            return; // the server is gone
                        }
                    }
                })).ToArray();

                // The first write after a restart can take a while on a busy machine (the code is
                // compiled, the store's files opened); the kill comes once writes are flowing.
                var flowing = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                while (acknowledged.Count == before && DateTime.UtcNow < flowing && writers.Any(w => !w.IsCompleted))
                    await Task.Delay(10);
                await Task.Delay(random.Next(300, 900));
                await server.KillAsync();
                stop.Cancel();
                await Task.WhenAll(writers);
                output.WriteLine($"round {round}: killed pid {server.ProcessId}; {acknowledged.Count} acknowledged of {attempted.Count} attempted so far");
            }

            await using var last = await RdnsServer.StartAsync(data, []);
            await VerifyAsync(last, acknowledged.Values, attempted.Values);
            Assert.True(acknowledged.Count > Rounds * 5, $"only {acknowledged.Count} writes were acknowledged: the test did not exercise much");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static string Address(int id, int part) => $"10.77.{(id * 3 + part) / 250 % 250}.{(id * 3 + part) % 250 + 1}";

    private static async Task VerifyAsync(RdnsServer server, IEnumerable<Attempt> acknowledged, IEnumerable<Attempt> attempted)
    {
        var acked = acknowledged.ToDictionary(a => a.Id);
        foreach (var attempt in attempted)
        {
            var found = new bool[attempt.Addresses.Length];
            for (int i = 0; i < found.Length; i++)
                found[i] = await PtrAsync(server, attempt.Addresses[i]) == $"{attempt.Marker}.example.net.";
            if (acked.ContainsKey(attempt.Id))
                Assert.True(found.All(f => f), $"acknowledged write {attempt.Marker} is missing after the crash: {string.Join(", ", found)}");
            else
                Assert.True(found.All(f => f) || found.All(f => !f), $"write {attempt.Marker} was applied by halves: {string.Join(", ", found)}");
        }
    }

    private static async Task<string?> PtrAsync(RdnsServer server, string address)
    {
        var name = DnsName.Parse(string.Join('.', address.Split('.').Reverse()) + ".in-addr.arpa.");
        var wire = await DnsClient.UdpAsync(server.Dns, DnsMessage.Query(name, RecordType.PTR, id: 1).ToWire(), TimeSpan.FromSeconds(2), attempts: 3)
            ?? throw new InvalidOperationException($"no answer for {name}");
        var reply = DnsMessage.Parse(wire);
        return reply.Answers.Count == 0 ? null : Rdata.ReadName(reply.Answers[0].Data).ToString();
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
