using System.Text;
using Rdns.Bench.Harness;

namespace Rdns.Bench.Flood;

/// <summary>
/// What rate limiting and cookies cost a query that is not limited: the server's CPU seconds per
/// answered query under dnsperf, over a /16 of 65,536 PTRs queried in turn (no name is asked
/// often enough to be limited), with rate limiting on and off, in one run, alternating.
/// </summary>
internal static class CpuPerQuery
{
    private const string Zone = "10.10.in-addr.arpa.";

    /// <summary>Five alternating rounds: the median holds against a busy neighbour on a shared machine.</summary>
    private const int Rounds = 5;

    public static async Task CompareAsync(string rdns, string work, int rate, int slip)
    {
        var zones = Path.Combine(work, "cpu-zones");
        Directory.CreateDirectory(zones);
        var sb = new StringBuilder();
        sb.Append("$ORIGIN ").Append(Zone).Append("\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n");
        var queries = new StringBuilder();
        for (int i = 0; i < 65_536; i++)
        {
            sb.Append(i & 255).Append('.').Append(i >> 8).Append(" PTR host-").Append(i).Append(".example.net.\n");
            queries.Append(i & 255).Append('.').Append(i >> 8).Append('.').Append(Zone).Append(" PTR\n");
        }
        await File.WriteAllTextAsync(Path.Combine(zones, Zone + "zone"), sb.ToString());
        var queryFile = Path.Combine(work, "cpu-queries.txt");
        await File.WriteAllTextAsync(queryFile, queries.ToString());
        var off = new List<double>();
        var on = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            off.Add(await MeasureAsync(rdns, work, zones, queryFile, 0, slip, "off"));
            on.Add(await MeasureAsync(rdns, work, zones, queryFile, rate, slip, "on"));
        }
        double offMedian = off.Order().ElementAt(Rounds / 2), onMedian = on.Order().ElementAt(Rounds / 2);
        Console.WriteLine($"CPU per answered query, median of {Rounds} alternating rounds: rate limiting off {offMedian:F2} µs, on {onMedian:F2} µs; on/off {onMedian / offMedian:F3}");
    }

    private static async Task<double> MeasureAsync(string rdns, string work, string zones, string queryFile, int rate, int slip, string name)
    {
        await using var server = await FloodServer.StartRdnsAsync(rdns, work, zones, rate, slip, "cpu-" + name, Zone);
        // Warm-up, then the measured run.
        Dnsperf.Run(queryFile, server.Endpoint.Port, 4, 1, 3, []);
        double before = ProcessTree.CpuSeconds(server.Process.Id);
        var result = Dnsperf.Run(queryFile, server.Endpoint.Port, 4, 1, 10, []);
        double cpu = ProcessTree.CpuSeconds(server.Process.Id) - before;
        double perQuery = cpu / result.Completed * 1e6;
        Console.WriteLine($"  rate limiting {name}: {result.QueriesPerSecond:F0} qps, {perQuery:F2} µs CPU per query, lost {result.Lost}, codes {result.ResponseCodes}");
        return perQuery;
    }
}
