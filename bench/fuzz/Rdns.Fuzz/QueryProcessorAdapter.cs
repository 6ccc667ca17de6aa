using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Server;
using Rdns.Server.Pipeline;
using Rdns.Server.Transfers;
using Rdns.Zones;

namespace Rdns.Fuzz;

/// <summary>
/// The one place that knows how the query pipeline is built and called, with the stages a server
/// runs (cookies, rate limiting, counters); when its construction changes, this file is the only
/// one the fuzzer needs changed.
/// </summary>
internal sealed class QueryProcessorAdapter
{
    private readonly DnsPipeline _processor;

    public QueryProcessorAdapter(ZoneSet zones, TimeProvider clock, IPAddress secondary)
    {
        var served = new ServedZones();
        served.Replace(zones);
        Options = new ServerOptions { Nsid = "fuzz-node" };
        var security = new TsigTransferSecurity(FuzzZones.Keys, clock);
        // One secondary without a key and the same address with one, so the transfer ACL and
        // NOTIFY are reached both with and without TSIG.
        var acl = new TransferAcl([new SecondaryPeer(new IPEndPoint(secondary, 53), null), new SecondaryPeer(new IPEndPoint(secondary, 54), "xfr.key.")]);
        Transfers = new ZoneTransferHandler(acl, null, security, NullLogger.Instance);
        var handlers = new RequestHandlers { Transfers = Transfers, Notify = new NotifyResponder(acl, security, NullLogger.Instance), Tsig = security };
        // The stages a server runs, except rate limiting: it rightly drops answers to a flood from
        // one address, which is what a fuzzer is, and its own tests cover it.
        _processor = new DnsPipeline(served, Options, handlers,
            [new Server.Stages.DnsCookies(new Server.Stages.CookieSecrets(), clock), new QueryCounters(1)]);
    }

    public ServerOptions Options { get; }

    /// <summary>AXFR and IXFR over TCP, which the pipeline streams through this handler.</summary>
    public ZoneTransferHandler Transfers { get; }

    public DnsPipeline Pipeline => _processor;

    /// <summary>One request as the UDP or TCP listener passes it: the response length, 0 for no response (or a stream, over TCP).</summary>
    public int Process(ReadOnlySpan<byte> query, Span<byte> response, bool overTcp, SocketAddress udpSource, IPEndPoint tcpRemote) =>
        _processor.Answer(query, response, overTcp ? RequestSource.Tcp(ClientAddress.From(tcpRemote)) : RequestSource.Udp(ClientAddress.From(udpSource)));
}
