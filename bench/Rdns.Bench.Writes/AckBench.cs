using System.Diagnostics;
using System.Text;

namespace Rdns.Bench.Writes;

/// <summary>
/// PUT /v1/ptr acknowledged (a durable commit, visible in DNS) against a real ./rdns serve on
/// SQLite, for a change in (a) a 256-record zone alone, (b) a 1,000,000-record zone, (c) a
/// 256-record zone among 40,000 zones; sequential calls, so each is its own transaction.
/// </summary>
internal static class AckBench
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var a = await CaseAsync(options, "(a) 256-record zone, 1 zone", "a", dir => Write(dir, "2.0.192.in-addr.arpa.", 256), "192.0.2");
        var b = await CaseAsync(options, "(b) 1,000,000-record zone", "b", dir => Write(dir, "10.in-addr.arpa.", 1_000_000), "10.0.0");
        var c = await CaseAsync(options, "(c) 256-record zone among 40,000 zones", "c", dir =>
        {
            for (int i = 0; i < 40_000; i++)
                Write(dir, $"{i & 255}.{(i >> 8) & 255}.100.in-addr.arpa.", i == 0 ? 256 : 4);
        }, "100.0.0");
        Console.WriteLine($"ratios: (b)/(a) {b / a:F2}, (c)/(a) {c / a:F2}");
        return 0;
    }

    private static async Task<double> CaseAsync(BenchOptions options, string title, string name, Action<string> generate, string network)
    {
        var zones = Path.Combine(options.Work, "ack-zones-" + name);
        if (!Directory.Exists(zones))
        {
            Directory.CreateDirectory(zones);
            generate(zones);
        }
        var data = Path.Combine(options.Work, "ack-data-" + name);
        if (Directory.Exists(data))
            Directory.Delete(data, recursive: true);
        var started = Stopwatch.StartNew();
        await using var server = await ServerProcess.StartAsync(options, data, ["--zones", zones], TimeSpan.FromMinutes(15));
        Console.WriteLine($"{title}: started with its zones in {started.Elapsed.TotalSeconds:F1} s");
        var times = new List<double>();
        for (int i = 0; i < options.Changes + 100; i++)
        {
            var clock = Stopwatch.StartNew();
            await server.PutPtrAsync($"{network}.{i % 250 + 1}", $"ack{i}.example.net.");
            if (i >= 100)
                times.Add(clock.Elapsed.TotalMilliseconds);
        }
        double p50 = Percentiles.Of(times, 0.5);
        Console.WriteLine($"{title}: PUT /v1/ptr acknowledged p50 {p50:F2} ms, p99 {Percentiles.Of(times, 0.99):F2} ms ({options.Changes} changes)");
        return p50;
    }

    /// <summary>A reverse zone file with <paramref name="ptrs"/> PTRs at its first addresses.</summary>
    private static void Write(string directory, string origin, int ptrs)
    {
        var sb = new StringBuilder();
        sb.Append("$ORIGIN ").Append(origin).Append("\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n");
        int labels = origin.Count(ch => ch == '.') switch { 5 => 1, 4 => 2, _ => 3 };
        for (int i = 0; i < ptrs; i++)
        {
            sb.Append(labels switch
            {
                1 => $"{i & 255}",
                2 => $"{i & 255}.{(i >> 8) & 255}",
                _ => $"{i & 255}.{(i >> 8) & 255}.{(i >> 16) & 255}",
            });
            sb.Append(" PTR h").Append(i).Append(".example.net.\n");
        }
        File.WriteAllText(Path.Combine(directory, origin + "zone"), sb.ToString());
    }
}
