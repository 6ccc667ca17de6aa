using System.Collections.Concurrent;
using System.Net;

namespace Rdns.Bench.Fleet;

/// <summary>
/// The end: every edge holds every zone the primary holds, with the same serial and the same
/// records (a digest of the AXFR of each zone from each server).
/// </summary>
internal static class Verifier
{
    public sealed record Outcome(int Zones, int Compared, int Mismatches, IReadOnlyList<string> Examples, TimeSpan Took);

    public static async Task<Outcome> CompareAsync(Primary primary, IReadOnlyList<Edge> edges, FleetOptions options)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var e in edges)
            e.AllowHarnessTransfers();
        await Task.Delay(1000).ConfigureAwait(false); // the reload is asynchronous to the signal
        int zones = Math.Min(options.Zones, options.VerifyZones);
        var harness = IPAddress.Parse("127.0.0.2");
        var examples = new ConcurrentQueue<string>();
        int compared = 0, mismatches = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, zones), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (z, _) =>
        {
            var name = Primary.ZoneName(z);
            var reference = await Dns.AxfrDigestAsync(primary.Dns, name, IPAddress.Loopback, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            foreach (var e in edges)
            {
                var got = await Dns.AxfrDigestAsync(e.Dns, name, harness, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                Interlocked.Increment(ref compared);
                if (reference is null || got is null || got.Value.Serial != reference.Value.Serial || got.Value.Digest != reference.Value.Digest)
                {
                    Interlocked.Increment(ref mismatches);
                    if (examples.Count < 10)
                        examples.Enqueue($"{name} at {e.Name}: primary {Describe(reference)}, edge {Describe(got)}");
                }
            }
        }).ConfigureAwait(false);
        return new Outcome(zones, compared, mismatches, [.. examples], clock.Elapsed);
    }

    private static string Describe((uint Serial, int Records, string Digest)? d) =>
        d is { } v ? $"serial {v.Serial}, {v.Records} records, digest {v.Digest}" : "no transfer";
}
