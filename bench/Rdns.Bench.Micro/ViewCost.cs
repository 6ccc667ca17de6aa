using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server;
using Rdns.Server.Pipeline;
using Rdns.Server.Stages;
using Rdns.Server.Views;
using Rdns.Zones;

namespace Rdns.Bench.Micro;

/// <summary>
/// What views cost a query: the query path of <c>serve</c> (view selection, cookies, rate limiting
/// at rate 0, counters) with one view of 50 zones, against 100 views of 50 zones each (5,000
/// zones), asked by a client of the last view (every view's rules tried) and by a public client
/// (all tried, none matching). PTR hits spread over all 50 zones of the answering view.
/// Configurations take turns in short rounds; CPU is read per thread (CLOCK_THREAD_CPUTIME_ID),
/// medians of the rounds.
///
///   dotnet run -c Release --project bench/Rdns.Bench.Micro -- views [--rounds 31] [--queries 200000]
/// </summary>
public static class ViewCost
{
    private const int Zones = 50;
    private const int Views = 100;
    private const int PtrsPerZone = 256;

    public static int Run(string[] args)
    {
        int rounds = Args.Option(args, "--rounds", 31);
        int perRound = Args.Option(args, "--queries", 200_000);
        var options = new ServerOptions();

        var publicZones = Served("public", serveLocally: false);
        var oneView = Pipeline(publicZones, new ViewSelector());
        var selector = new ViewSelector();
        selector.Use([.. Enumerable.Range(0, Views).Select(i =>
            new ServedView($"v{i}", [AddressMatch.From(IpPrefix.Parse($"10.{i}.0.0/16"))], [], [], Served($"v{i}", serveLocally: true)))]);
        var hundredViews = Pipeline(publicZones, selector);

        var publicClient = ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 53000));
        var lastViewClient = ClientAddress.From(new IPEndPoint(IPAddress.Parse($"10.{Views - 1}.0.7"), 53000));
        var configurations = new (string Name, DnsPipeline Pipeline, ClientAddress Client)[]
        {
            ("one view, 50 zones", oneView, publicClient),
            ("100 views x 50 zones, client of the last view", hundredViews, lastViewClient),
            ("100 views x 50 zones, public client", hundredViews, publicClient),
        };
        var queries = new List<byte[]>();
        for (int z = 0; z < Zones; z++)
        {
            for (int h = 0; h < PtrsPerZone; h += 7)
                queries.Add(DnsMessage.Query(DnsName.Parse($"{h}.{z}.50.203.in-addr.arpa."), RecordType.PTR, edns: new EdnsOptions()).ToWire());
        }
        var shuffled = queries.OrderBy(q => q.GetHashCode()).ToArray();
        var listener = new ListenerInfo(0, new IPEndPoint(IPAddress.Loopback, 53));
        var response = new byte[4096];
        var threadNs = configurations.Select(_ => new List<double>()).ToArray();
        int next = 0;

        // Every configuration answers with a PTR of its own view.
        foreach (var (name, pipeline, client) in configurations)
        {
            int n = pipeline.Answer(shuffled[0], response, RequestSource.Udp(client, listener));
            var answer = DnsMessage.Parse(response.AsSpan(0, n));
            Console.WriteLine($"# {name}: {Rdata.ReadName(answer.Answers[0].Data)}");
        }

        void Round(int c, int count, bool record)
        {
            var (_, pipeline, client) = configurations[c];
            var source = RequestSource.Udp(client, listener);
            long t0 = ObservabilityCost.ThreadCpuNanoseconds();
            for (int i = 0; i < count; i++)
                pipeline.Process(shuffled[next++ % shuffled.Length], response, source, 0);
            long t1 = ObservabilityCost.ThreadCpuNanoseconds();
            if (record)
                threadNs[c].Add((t1 - t0) / (double)count);
        }

        for (int c = 0; c < configurations.Length; c++)
            Round(c, 500_000, record: false);
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < configurations.Length; k++)
                Round((r + k) % configurations.Length, perRound, record: true);
        }

        Console.WriteLine($"# CPU per query on the query path: {rounds} rounds x {perRound:N0} queries per configuration, medians");
        Console.WriteLine();
        Console.WriteLine("| configuration | query thread ns/query | / one view |");
        Console.WriteLine("|---|---:|---:|");
        double baseline = ObservabilityCost.Median(threadNs[0]);
        for (int c = 0; c < configurations.Length; c++)
        {
            double t = ObservabilityCost.Median(threadNs[c]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {configurations[c].Name} | {t:F0} | {t / baseline:F3} |"));
        }
        return 0;

        DnsPipeline Pipeline(ServedZones zones, ViewSelector views) =>
            new(zones, options, stages: [views, new DnsCookies(new CookieSecrets()), new ResponseRateLimiter(new RrlOptions { Rate = 0 }, NullLogger.Instance), new QueryCounters(1)]);
    }

    /// <summary>50 /24 reverse zones of 256 PTRs each, the targets naming the view.</summary>
    private static ServedZones Served(string view, bool serveLocally)
    {
        var zones = new List<ZoneSnapshot>();
        for (int z = 0; z < Zones; z++)
        {
            var origin = DnsName.Parse($"{z}.50.203.in-addr.arpa.");
            var records = new List<ResourceRecord>
            {
                new(origin, RecordType.SOA, 3600, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 1, 3600, 600, 1209600, 300)),
                new(origin, RecordType.NS, 3600, DnsName.Parse("ns1.example.net.").Wire.ToArray()),
            };
            for (int h = 0; h < PtrsPerZone; h++)
                records.Add(new ResourceRecord(DnsName.Parse($"{h}.{origin}"), RecordType.PTR, 3600, DnsName.Parse($"host-{h}.{view}.example.").Wire.ToArray()));
            zones.Add(ZoneSnapshot.Build(origin, records));
        }
        var served = new ServedZones();
        served.Replace(ZoneSet.From(zones).WithLocalZones(serveLocally ? LocallyServedZones.All : LocallyServedZones.Private, serveLocally));
        return served;
    }
}
