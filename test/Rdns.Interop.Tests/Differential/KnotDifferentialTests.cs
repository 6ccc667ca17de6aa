using System.Collections.Concurrent;
using System.Net;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Differential;

/// <summary>
/// Knot DNS and <c>./rdns serve</c>, both serving TestData/differential, and both servers'
/// replies to every query of <see cref="DifferentialCatalog"/>, gathered once for the class.
/// Queries run side by side so the few that get no reply cost one timeout, not one each.
/// </summary>
public sealed class DifferentialServers : IAsyncLifetime
{
    /// <summary>Generous for loopback; a case without a reply waits two of these per server.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (byte[]? Knot, byte[]? Rdns)> _replies = new();

    public static string ZoneDirectory => Path.Combine(AppContext.BaseDirectory, "TestData", "differential");

    public KnotDaemon Knot { get; private set; } = null!;

    public RdnsServer Rdns { get; private set; } = null!;

    public (byte[]? Knot, byte[]? Rdns) Replies(string title) => _replies[title];

    public async Task InitializeAsync()
    {
        var knot = KnotDaemon.StartFromDirectoryAsync(ZoneDirectory);
        var rdns = RdnsServer.StartAsync(ZoneDirectory);
        Knot = await knot;
        Rdns = await rdns;
        await Parallel.ForEachAsync(DifferentialCatalog.All, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, _) =>
        {
            var fromKnot = Ask(Knot.EndPoint, c);
            var fromRdns = Ask(Rdns.Dns, c);
            _replies[c.Title] = (await fromKnot, await fromRdns);
        });
    }

    private static Task<byte[]?> Ask(IPEndPoint server, DifferentialCase c) =>
        c.Transport == Transport.Udp ? DnsClient.UdpAsync(server, c.Wire, Timeout) : DnsClient.TcpAsync(server, c.Wire, Timeout * 2);

    public async Task DisposeAsync()
    {
        if (Rdns is not null)
            await Rdns.DisposeAsync();
        if (Knot is not null)
            await Knot.DisposeAsync();
    }
}

/// <summary>
/// The same queries to Knot DNS 3.2 and to rdns, serving the same zone files; every response must
/// match in RCODE, flags, OPT, TSIG and the records of each section. Differences the RFCs allow
/// and we keep on purpose are listed in docs/COMPLIANCE.md and relaxed only where marked.
/// </summary>
public class KnotDifferentialTests(DifferentialServers servers) : IClassFixture<DifferentialServers>
{
    public static TheoryData<string> Titles => new(DifferentialCatalog.All.Select(c => c.Title));

    public static TheoryData<string> WellFormedTitles => new(DifferentialCatalog.All.Where(c => !c.Raw).Select(c => c.Title));

    [Fact]
    public void The_differential_set_has_at_least_200_queries() =>
        Assert.InRange(DifferentialCatalog.All.Count, 200, int.MaxValue);

    [Theory]
    [MemberData(nameof(Titles))]
    public void Rdns_answers_like_Knot(string query)
    {
        var c = DifferentialCatalog.Get(query);
        var (fromKnot, fromRdns) = servers.Replies(c.Title);
        var knot = ResponseView.From(fromKnot);
        var rdns = ResponseView.From(fromRdns);
        if (!AcceptedDifferences.Match(c, knot, rdns))
        {
            Assert.Fail($"{c.Title} over {c.Transport}\nquery: {Convert.ToHexString(c.Wire)}\n" +
                        $"--- Knot DNS\n{knot.Render()}--- rdns\n{rdns.Render()}");
        }
    }

    /// <summary>
    /// The comparison ignores the question section; for well-formed queries ours must echo it
    /// octet for octet, so a client using DNS 0x20 finds its own mixed case (RFC 4343 §4.1).
    /// </summary>
    [Theory]
    [MemberData(nameof(WellFormedTitles))]
    public void Rdns_echoes_the_question_exactly(string query)
    {
        var c = DifferentialCatalog.Get(query);
        var sent = DnsMessage.Parse(c.Wire);
        var reply = DnsMessage.Parse(servers.Replies(c.Title).Rdns ?? throw new Xunit.Sdk.XunitException($"{c.Title}: no reply"));
        var echoed = Assert.Single(reply.Questions);
        Assert.Equal(Convert.ToHexString(sent.Questions[0].Name.Wire), Convert.ToHexString(echoed.Name.Wire));
        Assert.Equal(sent.Questions[0].Type, echoed.Type);
        Assert.Equal(sent.Questions[0].Class, echoed.Class);
    }

    [Fact]
    public void Rdns_is_still_running_and_logged_no_failure()
    {
        Assert.True(servers.Rdns.IsRunning, servers.Rdns.Output);
        Assert.Empty(servers.Rdns.FailureLines());
    }
}
