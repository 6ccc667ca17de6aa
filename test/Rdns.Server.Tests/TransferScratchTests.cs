using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Transfers;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// A transfer's buffer and compression tables are kept for the next transfer: what one transfer
/// leaves in them never shows in another's messages, and transfers at once never share them.
/// </summary>
public sealed class TransferScratchTests
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

    private static ZoneSnapshot Zone(string origin, int ptrs, string domain)
    {
        var zone = ZoneBuilder.Standard(origin, serial: 7);
        for (int i = 0; i < ptrs; i++)
            zone.Ptr($"{i % 256}.{i / 256}.0", $"host-{i}.{domain}");
        return zone.Build();
    }

    [Fact]
    public async Task A_transfer_after_others_on_the_same_handler_sends_the_same_messages_as_the_first()
    {
        var big = Zone("10.in-addr.arpa.", 6000, "big.example.net.");
        var other = Zone("11.in-addr.arpa.", 3000, "other.example.org.");
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([big, other]));
        var acl = new TransferAcl([new SecondaryPeer(new IPEndPoint(IPAddress.Loopback, 53), null)]);
        var security = new TsigTransferSecurity(Protocol.Tsig.TsigKeyRing.Empty);
        var pipeline = new DnsPipeline(zones, new ServerOptions(),
            new RequestHandlers { Tsig = security, Transfers = new ZoneTransferHandler(acl, null, security, NullLogger.Instance) }, []);

        async Task<List<byte[]>> Axfr(DnsName zone)
        {
            var wire = DnsMessage.Query(zone, RecordType.AXFR, id: 4321).ToWire();
            var source = RequestSource.Tcp(ClientAddress.From(new IPEndPoint(IPAddress.Loopback, 40000)));
            var result = pipeline.Process(wire, new byte[65535], source);
            Assert.Equal(ResponseAction.Stream, result.Action);
            var stream = new Collected();
            await pipeline.StreamAsync(new PendingRequest(wire, new byte[65535], result.Parsed, source, result.Zones) { ResponseLimit = 65535 }, stream, CancellationToken.None);
            return stream.Messages;
        }

        var first = await Axfr(big.Origin);
        Assert.True(first.Count > 1, "the zone should take several messages");
        var records = first.SelectMany(m => DnsMessage.Parse(m).Answers).ToList();
        Assert.Equal(6000, records.Count(r => r.Type == RecordType.PTR));
        Assert.Equal(RecordType.SOA, records[0].Type);
        Assert.Equal(RecordType.SOA, records[^1].Type);

        // Another zone, with other names to compress, in between; then both at once.
        var between = await Axfr(other.Origin);
        Assert.Equal(3000, between.SelectMany(m => DnsMessage.Parse(m).Answers).Count(r => r.Type == RecordType.PTR));
        var both = await Task.WhenAll(Task.Run(() => Axfr(big.Origin)), Task.Run(() => Axfr(other.Origin)));
        var again = await Axfr(big.Origin);

        Assert.Equal(first.Count, again.Count);
        for (int i = 0; i < first.Count; i++)
            Assert.Equal(first[i], again[i]);
        Assert.Equal(first.Count, both[0].Count);
        for (int i = 0; i < first.Count; i++)
            Assert.Equal(first[i], both[0][i]);
        Assert.Equal(between.Count, both[1].Count);
        for (int i = 0; i < between.Count; i++)
            Assert.Equal(between[i], both[1][i]);
    }

    [Fact]
    public void The_pool_lends_each_scratch_space_to_one_transfer_and_keeps_a_bounded_number()
    {
        var pool = new TransferScratch.Pool(4096);
        var a = pool.Rent();
        var b = pool.Rent();
        Assert.NotSame(a, b);
        Assert.NotSame(a.Buffer, b.Buffer);
        pool.Return(a);
        Assert.Same(a, pool.Rent());

        var lent = Enumerable.Range(0, TransferScratch.MaxIdle + 5).Select(_ => pool.Rent()).ToList();
        foreach (var s in lent)
            pool.Return(s);
        var kept = Enumerable.Range(0, TransferScratch.MaxIdle + 5).Select(_ => pool.Rent()).ToList();
        Assert.Equal(TransferScratch.MaxIdle, kept.Count(s => lent.Contains(s)));
    }
}
