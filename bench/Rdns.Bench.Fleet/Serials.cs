using System.Diagnostics;
using System.Net;

namespace Rdns.Bench.Fleet;

/// <summary>The SOA serials of every zone as one server answers them, and waiting for a server to reach given serials.</summary>
internal static class Serials
{
    public static async Task<uint?[]> OfAsync(IPEndPoint server, int zones, int parallel = 32)
    {
        var serials = new uint?[zones];
        await Parallel.ForEachAsync(Enumerable.Range(0, zones), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (z, _) =>
            serials[z] = await Dns.SerialAsync(server, Primary.ZoneName(z), TimeSpan.FromSeconds(1)).ConfigureAwait(false)).ConfigureAwait(false);
        return serials;
    }

    /// <summary>RFC 1982: <paramref name="a"/> is <paramref name="b"/> or later.</summary>
    public static bool AtLeast(uint a, uint b) => (int)(a - b) >= 0;

    /// <summary>
    /// Asks <paramref name="server"/> for the serial of each zone still behind <paramref name="wanted"/>
    /// (exactly equal when <paramref name="exact"/>) until none is, or the limit passes. Returns
    /// the time that took (null at the limit), how many were behind at the first pass, and how
    /// many still are.
    /// </summary>
    public static async Task<(TimeSpan? Took, int BehindAtFirst, int BehindAtEnd)> ReachAsync(IPEndPoint server, uint?[] wanted, bool exact, TimeSpan limit, long since)
    {
        var pending = Enumerable.Range(0, wanted.Length).Where(z => wanted[z] is not null).ToList();
        int first = -1;
        while (true)
        {
            var still = new System.Collections.Concurrent.ConcurrentBag<int>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (z, _) =>
            {
                var s = await Dns.SerialAsync(server, Primary.ZoneName(z), TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                if (s is null || (exact ? s != wanted[z] : !AtLeast(s.Value, wanted[z]!.Value)))
                    still.Add(z);
            }).ConfigureAwait(false);
            pending = [.. still];
            if (first < 0)
                first = pending.Count;
            if (pending.Count == 0)
                return (Stopwatch.GetElapsedTime(since), first, 0);
            if (Stopwatch.GetElapsedTime(since) > limit)
                return (null, first, pending.Count);
            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
