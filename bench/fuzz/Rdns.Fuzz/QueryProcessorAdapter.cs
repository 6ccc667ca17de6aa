using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Server;
using Rdns.Server.Transfers;
using Rdns.Zones;

namespace Rdns.Fuzz;

/// <summary>
/// The one place that knows how the query processor is built and called. The processor is being
/// reworked into a staged pipeline; when its constructor or <c>Process</c> change, this file is
/// the only one the fuzzer needs changed.
/// </summary>
internal sealed class QueryProcessorAdapter
{
    private readonly QueryProcessor _processor;

    public QueryProcessorAdapter(ZoneSet zones, TimeProvider clock, IPAddress secondary)
    {
        var served = new ServedZones();
        served.Replace(zones);
        Options = new ServerOptions { Nsid = "fuzz-node" };
        var security = new TsigTransferSecurity(FuzzZones.Keys, clock);
        // One secondary without a key and the same address with one, so the transfer ACL and
        // NOTIFY are reached both with and without TSIG.
        var acl = new TransferAcl([new SecondaryPeer(new IPEndPoint(secondary, 53), null), new SecondaryPeer(new IPEndPoint(secondary, 54), "xfr.key.")]);
        Transfers = new ZoneTransferHandler(served, acl, null, security, NullLogger.Instance);
        _processor = new QueryProcessor(served, Options)
        {
            Transfers = Transfers,
            Notify = new NotifyResponder(acl, security, NullLogger.Instance),
            Tsig = security,
        };
    }

    public ServerOptions Options { get; }

    /// <summary>AXFR and IXFR over TCP, which the TCP listener hands to this handler instead of the processor.</summary>
    public ZoneTransferHandler Transfers { get; }

    /// <summary>One request as the UDP or TCP listener passes it: the response length, 0 for no response.</summary>
    public int Process(ReadOnlySpan<byte> query, Span<byte> response, bool overTcp, SocketAddress udpSource, IPEndPoint tcpRemote) =>
        _processor.Process(query, response, overTcp ? new QueryContext(true, null, tcpRemote) : new QueryContext(false, udpSource));
}
