using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Transfers;
using Rdns.Server.Views;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// Transfers per view: an IXFR older than memory reaches back into the store's journal of the
/// zone of the view that matched the secondary, never the same-named zone of another view.
/// </summary>
public sealed class ViewTransferTests
{
    private static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    /// <summary>Records which view's journal was asked for; it has nothing older to give.</summary>
    private sealed class RecordingJournal : IJournalSource
    {
        public List<(string View, string Zone, uint From)> Asked { get; } = [];

        public Task<IReadOnlyList<Changeset>?> GetChangesAsync(string view, DnsName zone, uint fromSerial, CancellationToken cancellationToken)
        {
            lock (Asked)
                Asked.Add((view, zone.ToString(), fromSerial));
            return Task.FromResult<IReadOnlyList<Changeset>?>(null);
        }
    }

    private sealed class Collected : IResponseStream
    {
        public List<byte[]> Messages { get; } = [];

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            Messages.Add(message.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    private static ServedZones Served(string view, string target)
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard(Zone.ToString(), serial: 100).Ptr("5", target).Build()]).WithView(view));
        return zones;
    }

    [Fact]
    public async Task An_ixfr_from_a_views_secondary_reads_that_views_journal_and_its_zone()
    {
        var journal = new RecordingJournal();
        var acl = new TransferAcl([new SecondaryPeer(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 53), null), new SecondaryPeer(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 53), null)]);
        var security = new TsigTransferSecurity(Protocol.Tsig.TsigKeyRing.Empty);
        var selector = new ViewSelector();
        selector.Use([new ServedView("office", [AddressMatch.From(IpPrefix.Parse("127.0.0.2/32"))], [], [], Served("office", "printer.office.example."))]);
        var pipeline = new DnsPipeline(Served(ViewName.Public, "www.example.com."), new ServerOptions(),
            new RequestHandlers { Tsig = security, Transfers = new ZoneTransferHandler(acl, journal, security, NullLogger.Instance) }, [selector]);

        async Task<string> Ixfr(string client)
        {
            var query = DnsMessage.Query(Zone, RecordType.IXFR);
            query.Authority.Add(new ResourceRecord(Zone, RecordType.SOA, 0, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 50, 1, 1, 1, 1)));
            var wire = query.ToWire();
            var source = RequestSource.Tcp(ClientAddress.From(new IPEndPoint(IPAddress.Parse(client), 40000)));
            var response = new byte[65535];
            var result = pipeline.Process(wire, response, source);
            Assert.Equal(ResponseAction.Stream, result.Action);
            var stream = new Collected();
            await pipeline.StreamAsync(new PendingRequest(wire, new byte[65535], result.Parsed, source, result.Zones) { ResponseLimit = 65535 }, stream, CancellationToken.None);
            // The journal has nothing that old: the whole zone goes, as RFC 1995 §4 allows.
            return string.Join(",", stream.Messages.SelectMany(m => DnsMessage.Parse(m).Answers).Where(r => r.Type == RecordType.PTR).Select(r => Rdata.ReadName(r.Data).ToString()));
        }

        Assert.Equal("printer.office.example.", await Ixfr("127.0.0.2"));
        Assert.Equal("www.example.com.", await Ixfr("127.0.0.1"));
        Assert.Equal([("office", Zone.ToString(), 50u), (ViewName.Public, Zone.ToString(), 50u)], journal.Asked);
    }
}
