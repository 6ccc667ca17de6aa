using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Transfers;
using Rdns.Zones;
using Rdns.Zones.Tests;
using Rdns.Zones.Writes;

namespace Rdns.Server.Tests;

/// <summary>
/// A catalog zone whose members are a compact table is transferred as the catalog of nodes was:
/// AXFR sends the same records (RFC 5936 leaves their order open), IXFR the same messages.
/// </summary>
public sealed class CatalogTransferTests
{
    private sealed class Collected : IResponseStream
    {
        public List<byte[]> Messages { get; } = [];

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            Messages.Add(message.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    private static readonly IPEndPoint Secondary = new(IPAddress.Loopback, 5300);

    private static async Task<List<byte[]>> TransferAsync(ZoneSnapshot zone, DnsMessage request)
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([zone]));
        var acl = new TransferAcl([new SecondaryPeer(Secondary, null)]);
        var security = new TsigTransferSecurity(Protocol.Tsig.TsigKeyRing.Empty);
        var pipeline = new DnsPipeline(zones, new ServerOptions(),
            new RequestHandlers { Tsig = security, Transfers = new ZoneTransferHandler(acl, null, security, NullLogger.Instance) }, []);
        var wire = request.ToWire();
        var source = RequestSource.Tcp(ClientAddress.From(Secondary));
        var result = pipeline.Process(wire, new byte[65535], source);
        Assert.Equal(ResponseAction.Stream, result.Action);
        var stream = new Collected();
        await pipeline.StreamAsync(new PendingRequest(wire, new byte[65535], result.Parsed, source, result.Zones) { ResponseLimit = 65535 }, stream, CancellationToken.None);
        return stream.Messages;
    }

    private static List<string> Records(List<byte[]> messages) =>
        messages.SelectMany(m => DnsMessage.Parse(m).Answers).Select(r => $"{Convert.ToHexString(r.Owner.Wire)} {r.Type} {r.Ttl} {Convert.ToHexString(r.Data)}").ToList();

    [Fact]
    public async Task Axfr_sends_the_records_of_the_catalog_kept_as_nodes()
    {
        var records = CatalogRecords.Records(5000);
        var compact = ZoneSnapshot.Build(CatalogRecords.Catalog, records);
        var nodes = CatalogRecords.AsNodes(CatalogRecords.Catalog, records);
        Assert.Equal(5000, compact.CompactCount);
        var query = DnsMessage.Query(compact.Origin, RecordType.AXFR, id: 77);
        var sent = Records(await TransferAsync(compact, query));
        var expected = Records(await TransferAsync(nodes, query));
        Assert.Equal(records.Count + 1, sent.Count);
        Assert.Equal(expected[0], sent[0]);
        Assert.Equal(expected[^1], sent[^1]);
        Assert.Equal(expected.Order(StringComparer.Ordinal), sent.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ixfr_of_member_changes_sends_the_messages_of_the_catalog_kept_as_nodes()
    {
        var records = CatalogRecords.Records(3000);
        var compact = ZoneSnapshot.Build(CatalogRecords.Catalog, records);
        var nodes = CatalogRecords.AsNodes(CatalogRecords.Catalog, records);
        var from = compact.Soa;
        // A member added, one removed, one pointed at another zone: three journal entries.
        var added = CatalogRecords.Zone(9000);
        RecordEdit[][] changes =
        [
            [new RRsetChange(CatalogRecords.MemberName(added), RecordType.PTR, 0, [added.Wire.ToArray()])],
            [new RRsetChange(CatalogRecords.MemberName(CatalogRecords.Zone(10)), RecordType.PTR, 0, [])],
            [new RRsetChange(CatalogRecords.MemberName(CatalogRecords.Zone(11)), RecordType.PTR, 0, [DnsName.Parse("moved.example.").Wire.ToArray()])],
        ];
        foreach (var edits in changes)
        {
            compact = ZoneChangePlanner.Plan(compact, edits)!.Value.Snapshot;
            nodes = ZoneChangePlanner.Plan(nodes, edits)!.Value.Snapshot;
        }
        Assert.Equal(3000, compact.CompactCount);
        Assert.Equal(3, compact.CompactPatchCount);
        var query = DnsMessage.Query(compact.Origin, RecordType.IXFR, id: 78);
        query.Authority.Add(new ResourceRecord(compact.Origin, RecordType.SOA, from.Ttl, from.Data[0]));
        var sent = await TransferAsync(compact, query);
        var expected = await TransferAsync(nodes, query);
        Assert.Equal(expected, sent);
        // SOA, then per change the old SOA, what it removed, the new SOA and what it added, and the SOA.
        Assert.Equal(1 + 3 + 3 + 4 + 1, Records(sent).Count);
    }
}
