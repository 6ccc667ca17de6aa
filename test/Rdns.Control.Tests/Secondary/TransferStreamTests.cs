using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Transfer;

namespace Rdns.Control.Tests.Secondary;

/// <summary>The answer forms of AXFR and IXFR (RFC 5936 §2.2, RFC 1995 §4), read record by record as they arrive.</summary>
public class TransferStreamTests
{
    private static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    private static ResourceRecord Soa(uint serial) =>
        new(Zone, RecordType.SOA, 300, Rdata.Soa(DnsName.Parse("ns.example.net."), DnsName.Parse("host.example.net."), serial, 3600, 600, 86400, 60));

    private static ResourceRecord Ptr(string label, string target) =>
        new(Zone.Prepend(label), RecordType.PTR, 300, Rdata.Ptr(DnsName.Parse(target)));

    private static ZoneTransfer Read(params ResourceRecord[] records)
    {
        var stream = new TransferStream(Zone);
        foreach (var r in records)
            stream.Add(r);
        return stream.Result(100, 1);
    }

    [Fact]
    public void A_full_transfer_is_every_record_between_two_soas()
    {
        var full = Assert.IsType<FullTransfer>(Read(Soa(5), Ptr("1", "a.example."), Ptr("2", "b.example."), Soa(5)));
        Assert.Equal(5u, full.Serial);
        Assert.Equal(3, full.Records.Count);
        Assert.Equal(RecordType.SOA, full.Records[0].Type);
    }

    [Fact]
    public void An_incremental_transfer_is_a_chain_of_changesets()
    {
        var ixfr = Assert.IsType<IncrementalTransfer>(Read(
            Soa(7),
            Soa(5), Ptr("1", "a.example."), Soa(6), Ptr("1", "b.example."),
            Soa(6), Soa(7), Ptr("2", "c.example."),
            Soa(7)));
        Assert.Equal(7u, ixfr.Serial);
        Assert.Equal([(5u, 6u), (6u, 7u)], ixfr.Changes.Select(c => (c.FromSerial, c.ToSerial)));
        Assert.Equal(2, ixfr.Changes[0].Removed.Count);
        Assert.Equal(2, ixfr.Changes[1].Added.Count);
    }

    [Fact]
    public void The_soa_alone_says_nothing_is_newer()
    {
        var stream = new TransferStream(Zone);
        stream.Add(Soa(9));
        Assert.True(stream.HasOnlySoa);
        Assert.IsType<NoNewerVersion>(stream.Result(10, 1));
    }

    [Fact]
    public void A_newer_soa_alone_in_the_first_message_is_not_the_end()
    {
        // PowerDNS answers IXFR with the whole zone, its first SOA in a message of its own.
        var stream = new TransferStream(Zone);
        stream.Add(Soa(9));
        Assert.False(stream.SaysNothingNewerThan(8));
        Assert.True(stream.SaysNothingNewerThan(9));
        Assert.True(stream.SaysNothingNewerThan(10));
        stream.Add(Ptr("1", "one.example.net."));
        stream.Add(Soa(9));
        Assert.False(stream.SaysNothingNewerThan(8));
        Assert.Equal(9u, Assert.IsType<FullTransfer>(stream.Result(100, 2)).Serial);
    }

    [Fact]
    public void Changesets_that_do_not_chain_are_refused()
    {
        var e = Assert.Throws<TransferException>(() => Read(Soa(8), Soa(5), Soa(6), Soa(7), Soa(8), Soa(8)));
        Assert.Equal(TransferFailure.Malformed, e.Failure);
        Assert.Contains("do not chain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transfer_that_stops_before_its_closing_soa_is_refused()
    {
        var e = Assert.Throws<TransferException>(() => Read(Soa(5), Ptr("1", "a.example.")));
        Assert.Contains("before its closing SOA", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transfer_that_does_not_start_with_the_soa_is_refused()
    {
        Assert.Throws<TransferException>(() => Read(Ptr("1", "a.example."), Soa(5)));
    }

    [Fact]
    public void Primaries_are_written_ip_port_and_key()
    {
        Assert.True(PrimaryServer.TryParse("192.0.2.1:53@Edge-Key", out var ep, out var key, out _));
        Assert.Equal("192.0.2.1:53", ep!.ToString());
        Assert.Equal("edge-key.", key);
        Assert.True(PrimaryServer.TryParse("[2001:db8::1]:5300", out ep, out key, out _));
        Assert.Equal(5300, ep!.Port);
        Assert.Null(key);
        Assert.False(PrimaryServer.TryParse("192.0.2.1", out _, out _, out var error));
        Assert.Contains("IP:PORT", error, StringComparison.Ordinal);
        Assert.False(PrimaryServer.TryParse("192.0.2.1:53@", out _, out _, out error));
        Assert.Contains("key name", error, StringComparison.Ordinal);
    }
}
