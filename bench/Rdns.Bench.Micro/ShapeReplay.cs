using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using Rdns.Server;
using Rdns.Server.Pipeline;
using Rdns.Server.Stages;
using Rdns.Server.Views;
using Rdns.Zones;

namespace Rdns.Bench.Micro;

/// <summary>
/// The in-process query path on a generated dataset of any shape (bench/out/data-SHAPE-…): every
/// zone file loaded as <c>serve --zones</c> would, with the private space of RFC 6303 beneath as
/// <c>serve</c> builds the public view, the stages of <c>serve --rrl-rate 0</c> (views,
/// cookies, rate limiting, counters), then the dataset's own query file replayed through
/// <see cref="DnsPipeline.Process"/> in rounds. Reports the query thread's CPU per query
/// (CLOCK_THREAD_CPUTIME_ID, medians of the rounds) and bytes allocated per query. No socket:
/// this is the part of the cost that is the server's own, beside the kernel's.
///
///   dotnet run -c Release --project bench/Rdns.Bench.Micro -- replay bench/out/data-huge-1048832-1 [--rounds 15] [--queries 200000]
/// </summary>
public static class ShapeReplay
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: replay DATA_DIR [--rounds N] [--queries N]");
            return 2;
        }
        string data = args[0];
        int rounds = Args.Option(args, "--rounds", 15);
        int perRound = Args.Option(args, "--queries", 200_000);

        var load = Stopwatch.StartNew();
        var zones = new List<ZoneSnapshot>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(data, "zones"), "*.zone"))
        {
            var origin = DnsName.Parse(Path.GetFileNameWithoutExtension(file));
            zones.Add(ZoneSnapshot.Build(origin, ZoneFileReader.ReadFile(file, new ZoneFileOptions { Origin = origin })));
        }
        var served = new ServedZones();
        // As `serve` builds the public view: the private space of RFC 6303 beneath, refused.
        served.Replace(ZoneSet.From(zones).WithLocalZones(LocallyServedZones.Private, serve: false));
        zones.Clear();
        var queries = new List<byte[]>();
        foreach (string line in File.ReadLines(Path.Combine(data, "queries.txt")))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
                continue;
            var type = Enum.Parse<RecordType>(line[(space + 1)..].Trim());
            queries.Add(DnsMessage.Query(DnsName.Parse(line[..space]), type, id: (ushort)queries.Count).ToWire(512));
        }
        Console.WriteLine($"# {data}: {served.Current.Count:N0} zones, {queries.Count:N0} queries, loaded in {load.Elapsed.TotalSeconds:F1} s");

        IQueryStage[] stages =
        [
            new ViewSelector(),
            new DnsCookies(new CookieSecrets()),
            new ResponseRateLimiter(new RrlOptions { Rate = 0 }, NullLogger.Instance),
            new QueryCounters(1),
        ];
        var pipeline = new DnsPipeline(served, new ServerOptions(), stages: stages);
        var client = ClientAddress.From(new IPEndPoint(IPAddress.Loopback, 53000));
        var listener = new ListenerInfo(0, new IPEndPoint(IPAddress.Loopback, 53));
        var response = new byte[1232];
        int next = 0;
        var perQuery = new List<double>();
        long allocated = 0, counted = 0;
        var rcodes = new long[16];
        for (int r = -1; r < rounds; r++)
        {
            long bytes0 = GC.GetAllocatedBytesForCurrentThread();
            long thread0 = ObservabilityCost.ThreadCpuNanoseconds();
            long stamp = 0;
            for (int i = 0; i < perRound; i++)
            {
                if ((i & 7) == 0)
                    stamp = Stopwatch.GetTimestamp();
                var query = queries[next];
                next = next + 1 == queries.Count ? 0 : next + 1;
                var result = pipeline.Process(query, response, RequestSource.Udp(client, listener, stamp), 0);
                if (r < 0)
                    rcodes[result.Length >= DnsHeader.Size ? response[3] & 0xF : 15]++;
            }
            long thread1 = ObservabilityCost.ThreadCpuNanoseconds();
            long bytes1 = GC.GetAllocatedBytesForCurrentThread();
            if (r < 0)
                continue;
            perQuery.Add((thread1 - thread0) / (double)perRound);
            allocated += bytes1 - bytes0;
            counted += perRound;
        }
        if (Array.IndexOf(args, "--steps") >= 0)
            Steps(served.Current, queries, response, perRound);
        var sorted = perQuery.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rounds} rounds x {perRound:N0} queries: median {ObservabilityCost.Median(perQuery):F0} ns/query (min {sorted[0]:F0}, max {sorted[^1]:F0}), {(double)allocated / counted:F2} B allocated per query"));
        Console.WriteLine("first round's RCODEs: " + string.Join(", ", rcodes.Select((n, code) => (n, code)).Where(x => x.n > 0).Select(x => $"{(x.code == 15 ? "none" : ((Rcode)x.code).ToString())} {x.n}")));
        return 0;
    }

    /// <summary>The query path in growing prefixes (parse; + zone; + compact lookup; + answer written), each timed alone.</summary>
    private static void Steps(ZoneSet zones, List<byte[]> queries, byte[] response, int count)
    {
        Span<byte> target = stackalloc byte[DnsName.MaxLength];
        for (int step = 0; step < 4; step++)
        {
            for (int warm = 0; warm < 2; warm++)
            {
                long t0 = ObservabilityCost.ThreadCpuNanoseconds();
                long sink = 0;
                for (int i = 0; i < count; i++)
                {
                    var query = queries[i % queries.Count];
                    DnsHeader.TryRead(query, out var header);
                    var parsed = new ParsedRequest();
                    ParsedRequest.TryParse(query, header, ref parsed);
                    var name = parsed.QuestionName(query);
                    sink += parsed.QNameLength;
                    if (step == 0)
                        continue;
                    var zone = zones.FindAnswering(name, parsed.QType);
                    if (zone is null || step == 1)
                        continue;
                    if (step == 2)
                    {
                        sink += (int)zone.FindCompact(name, out _, target, out int length) + length;
                        continue;
                    }
                    var w = new DnsMessageWriter(response, 512);
                    w.TryWriteQuestion(name, parsed.QType, RecordClass.IN);
                    AuthoritativeAnswer.Write(zone, zones.Defaults, name, parsed.QType, ref w, true);
                    sink += w.Finish();
                }
                long t1 = ObservabilityCost.ThreadCpuNanoseconds();
                if (warm == 1)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step} (parse{(step > 0 ? " + zone" : "")}{(step > 1 ? " + compact" : "")}{(step > 2 ? " + answer" : "")}): {(t1 - t0) / (double)count:F0} ns/query ({sink % 7})"));
            }
        }
    }
}
