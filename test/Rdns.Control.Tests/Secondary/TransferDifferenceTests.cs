using Rdns.Control.Secondary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Transfer;
using Rdns.Zones;

namespace Rdns.Control.Tests.Secondary;

/// <summary>A whole zone from the primary is kept as its difference from what the secondary holds, so the secondary's own secondaries can follow by IXFR.</summary>
public class TransferDifferenceTests
{
    private static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    private static ResourceRecord Soa(uint serial) =>
        new(Zone, RecordType.SOA, 300, Rdata.Soa(DnsName.Parse("ns.example.net."), DnsName.Parse("host.example.net."), serial, 3600, 600, 86400, 60));

    private static ResourceRecord Record(string label, RecordType type, string target, uint ttl = 300) =>
        new(label == "@" ? Zone : Zone.Prepend(label), type, ttl, Rdata.Ptr(DnsName.Parse(target)));

    [Fact]
    public void The_difference_applied_to_the_old_zone_is_the_new_zone()
    {
        var old = ZoneSnapshot.Build(Zone, [Soa(1), Record("@", RecordType.NS, "ns.example.net."), Record("1", RecordType.PTR, "one.example."),
            Record("2", RecordType.PTR, "two.example."), Record("3", RecordType.PTR, "three.example.")]);
        var records = new List<ResourceRecord> { Soa(5), Record("@", RecordType.NS, "ns.example.net."), Record("1", RecordType.PTR, "uno.example."),
            Record("2", RecordType.PTR, "two.example.", ttl: 60), Record("4", RecordType.PTR, "four.example.") };
        var change = SecondaryFollower.Difference(old, new FullTransfer(records[0], records, 0, 1));

        Assert.Equal((1u, 5u), (change.FromSerial, change.ToSerial));
        // Old SOA, one, two (old TTL), three out; new SOA, uno, two (new TTL), four in; NS untouched.
        Assert.Equal(4, change.Removed.Count);
        Assert.Equal(4, change.Added.Count);
        var applied = old.Apply(change);
        Assert.Equal(ZoneSnapshot.Build(Zone, records).Records().Select(r => r.ToString()).Order(), applied.Records().Select(r => r.ToString()).Order());
        Assert.Equal(5u, applied.Serial);
    }
}
