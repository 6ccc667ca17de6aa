using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Server;
using Rdns.Server.Dnstap;
using Rdns.Server.Pipeline;
using Rdns.Server.Stages;

namespace Rdns.Bench.Micro;

/// <summary>
/// What seeing the server costs per query, measured where it is spent: the query path of
/// <c>serve</c> (cookies, rate limiting at rate 0) alone, with the counters behind /metrics, and
/// with dnstap of every query into fstrm_capture as well. Configurations take turns in short
/// rounds (medians of many), and CPU is read per thread (CLOCK_THREAD_CPUTIME_ID) and for the
/// process (the dnstap writer thread included), so other load on the machine moves the figures
/// far less than wall-clock or whole-server runs.
///
///   dotnet run -c Release --project bench/Rdns.Bench.Micro -- observability [--rounds 31] [--queries 200000]
/// </summary>
public static partial class ObservabilityCost
{
    public static int Run(string[] args)
    {
        int rounds = Args.Option(args, "--rounds", 31);
        int perRound = Args.Option(args, "--queries", 200_000);
        bool stamps = Array.IndexOf(args, "--no-receive-time") < 0;
        var data = new HotPathData();
        var options = new ServerOptions();
        var dir = Directory.CreateTempSubdirectory("rdns-observability-").FullName;
        var socket = Path.Combine(dir, "dnstap.sock");
        using var collector = Process.Start(new ProcessStartInfo("fstrm_capture")
        {
            ArgumentList = { "-t", "protobuf:dnstap.Dnstap", "-u", socket, "-w", "/dev/null" },
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("fstrm_capture (fstrm-bin) is needed");
        for (int i = 0; i < 100 && !File.Exists(socket); i++)
            Thread.Sleep(50);

        IQueryStage[] Base() => [new DnsCookies(new CookieSecrets()), new ResponseRateLimiter(new RrlOptions { Rate = 0 }, NullLogger.Instance)];
        var dnstap = new DnstapStage(new DnstapOptions { Socket = socket }, 1, "Rdns bench");
        dnstap.Writer.Start(NullLogger.Instance);
        var configurations = new (string Name, DnsPipeline Pipeline)[]
        {
            ("metrics off", new DnsPipeline(data.Served, options, stages: Base())),
            ("metrics on", new DnsPipeline(data.Served, options, stages: [.. Base(), new QueryCounters(1)])),
            ("metrics on + dnstap", new DnsPipeline(data.Served, options, stages: [.. Base(), new QueryCounters(1), dnstap])),
        };
        var client = ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 53000));
        var listener = new ListenerInfo(0, new IPEndPoint(IPAddress.Loopback, 53));
        var response = new byte[4096];
        var threadNs = configurations.Select(_ => new List<double>()).ToArray();
        var processNs = configurations.Select(_ => new List<double>()).ToArray();
        int next = 0;

        void Round(int c, int queries, bool record)
        {
            var pipeline = configurations[c].Pipeline;
            long thread0 = ThreadCpuNanoseconds();
            var process0 = Process.GetCurrentProcess().TotalProcessorTime;
            long stamp = 0;
            for (int i = 0; i < queries; i++)
            {
                // One receive timestamp per 32 queries, as the recvmmsg loop takes one per batch.
                if ((i & 31) == 0 && stamps)
                    stamp = Stopwatch.GetTimestamp();
                var query = data.SpreadHits[next++ & (HotPathData.SpreadCount - 1)];
                pipeline.Process(query, response, RequestSource.Udp(client, listener, stamp), 0);
            }
            long thread1 = ThreadCpuNanoseconds();
            var process1 = Process.GetCurrentProcess().TotalProcessorTime;
            if (!record)
                return;
            threadNs[c].Add((thread1 - thread0) / (double)queries);
            processNs[c].Add((process1 - process0).Ticks * 100.0 / queries);
        }

        for (int c = 0; c < configurations.Length; c++)
            Round(c, 500_000, record: false);
        for (int r = 0; r < rounds; r++)
        {
            // A different order each round, so no configuration always follows the same one.
            for (int k = 0; k < configurations.Length; k++)
                Round((r + k) % configurations.Length, perRound, record: true);
        }
        Thread.Sleep(500);

        Console.WriteLine($"# CPU per query on the query path: {rounds} rounds x {perRound:N0} queries per configuration, medians");
        Console.WriteLine();
        Console.WriteLine("| configuration | query thread ns/query | process ns/query | thread / metrics off | process / metrics off |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        double baseThread = Median(threadNs[0]), baseProcess = Median(processNs[0]);
        for (int c = 0; c < configurations.Length; c++)
        {
            double t = Median(threadNs[c]), p = Median(processNs[c]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {configurations[c].Name} | {t:F0} | {p:F0} | {t / baseThread:F3} | {p / baseProcess:F3} |"));
        }
        Console.WriteLine();
        Console.WriteLine($"dnstap: {dnstap.Logged:N0} queries logged, {dnstap.Writer.Written:N0} written to fstrm_capture, {dnstap.Dropped:N0} dropped (queue full), {dnstap.Writer.Discarded:N0} discarded");
        dnstap.Dispose();
        collector.Kill();
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    internal static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        clock_gettime(ClockThreadCpuTimeId, out var t);
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
