using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

public class PipelineQueryTests
{
    private static readonly DnsName Q = DnsName.Parse("1.2.0.192.in-addr.arpa.");
    private static readonly RequestSource Udp = RequestSource.Udp(ClientAddress.None);

    internal static DnsPipeline Processor(string? nsid = null)
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        return new DnsPipeline(zones, new ServerOptions { Nsid = nsid });
    }

    private static DnsMessage? Send(byte[] query, bool tcp = false)
    {
        var response = new byte[65535];
        int n = Processor("test-node").Answer(query, response, tcp ? RequestSource.Tcp(ClientAddress.None) : RequestSource.Udp(ClientAddress.None));
        return n == 0 ? null : DnsMessage.Parse(response.AsSpan(0, n));
    }

    [Fact]
    public void An_ordinary_query_is_answered_with_its_id_rd_and_question()
    {
        var m = Send(DnsMessage.Query(Q, RecordType.PTR, id: 4242, recursionDesired: true).ToWire())!;
        Assert.Equal(4242, m.Id);
        Assert.True(m.Has(HeaderFlags.QR));
        Assert.True(m.Has(HeaderFlags.RD));
        Assert.False(m.Has(HeaderFlags.RA));
        Assert.Equal(Q, Assert.Single(m.Questions).Name);
        Assert.Single(m.Answers);
    }

    [Fact]
    public void A_message_with_qr_set_or_shorter_than_a_header_gets_no_reply()
    {
        var q = DnsMessage.Query(Q, RecordType.PTR).ToWire();
        q[2] |= 0x80;
        Assert.Null(Send(q));
        Assert.Null(Send([1, 2, 3]));
    }

    [Fact]
    public void Malformed_questions_get_formerr()
    {
        var q = DnsMessage.Query(Q, RecordType.PTR).ToWire();
        Assert.Equal((int)Rcode.FormErr, Send(q[..^3])!.Rcode); // truncated question
        var two = (byte[])q.Clone();
        two[5] = 2; // QDCOUNT 2
        Assert.Equal((int)Rcode.FormErr, Send(two)!.Rcode);
        var none = q[..12];
        none[5] = 0;
        Assert.Equal((int)Rcode.FormErr, Send(none)!.Rcode);
        var badLabel = (byte[])q.Clone();
        badLabel[12] = 0x40;
        Assert.Equal((int)Rcode.FormErr, Send(badLabel)!.Rcode);
    }

    [Fact]
    public void Unknown_opcodes_get_notimp()
    {
        var q = DnsMessage.Query(Q, RecordType.PTR).ToWire();
        q[2] = (byte)((q[2] & 0x87) | (2 << 3)); // STATUS
        Assert.Equal((int)Rcode.NotImp, Send(q)!.Rcode);
    }

    [Fact]
    public void Names_outside_our_zones_and_other_classes_are_refused()
    {
        Assert.Equal((int)Rcode.Refused, Send(DnsMessage.Query(DnsName.Parse("example.com."), RecordType.A).ToWire())!.Rcode);
        var ch = DnsMessage.Query(Q, RecordType.PTR);
        ch.Questions[0] = ch.Questions[0] with { Class = RecordClass.CH };
        var m = Send(ch.ToWire())!;
        Assert.Equal((int)Rcode.Refused, m.Rcode);
        Assert.False(m.Has(HeaderFlags.AA));
    }

    [Fact]
    public void Edns_version_above_zero_gets_badvers_with_version_zero()
    {
        var m = Send(DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions(1232, Version: 1)).ToWire())!;
        Assert.Equal((int)Rcode.BadVers, m.Rcode);
        Assert.Equal(0, m.Edns!.Version);
        Assert.Empty(m.Answers);
    }

    [Fact]
    public void Edns_is_echoed_with_our_payload_size_and_the_do_bit()
    {
        var m = Send(DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions(4096, DnssecOk: true)).ToWire())!;
        Assert.Equal(1232, m.Edns!.PayloadSize);
        Assert.True(m.Edns.DnssecOk);
        Assert.Null(Send(DnsMessage.Query(Q, RecordType.PTR).ToWire())!.Edns);
    }

    [Fact]
    public void Two_opt_records_are_formerr()
    {
        var q = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var opt = q[^11..];
        var doubled = q.Concat(opt).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(doubled.AsSpan(10), 2);
        Assert.Equal((int)Rcode.FormErr, Send(doubled)!.Rcode);
    }

    [Fact]
    public void A_formerr_caused_by_the_opt_record_still_carries_an_opt()
    {
        // RFC 6891 §7: "If there is a problem with processing the OPT record itself [...] a
        // FORMERR MUST be returned. If this occurs, the response MUST include an OPT record."
        var q = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions(DnssecOk: true)).ToWire();
        var doubled = q.Concat(q[^11..]).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(doubled.AsSpan(10), 2);
        var badOption = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions(Options: [0xFD, 0xE9, 0, 9, 1])).ToWire();
        // The OPT's owner is a pointer to the question name instead of the root.
        byte[] namedOpt = [.. q[..^11], 0xC0, 12, .. q[^10..]];
        foreach (var bad in new[] { doubled, badOption, namedOpt })
        {
            var m = Send(bad)!;
            Assert.Equal((int)Rcode.FormErr, m.Rcode);
            Assert.NotNull(m.Edns);
            Assert.Equal(0, m.Edns.Version);
            Assert.Equal(Q, Assert.Single(m.Questions).Name);
        }
        // A malformed message that fails before any OPT is seen gets no OPT.
        Assert.Null(Send(q[..^13])!.Edns);
    }

    [Fact]
    public void Opt_outside_the_additional_section_is_formerr()
    {
        // RFC 6891 §6.1.1: the OPT pseudo-RR may be added to the additional data section.
        var q = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var inAnswer = (byte[])q.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(inAnswer.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt16BigEndian(inAnswer.AsSpan(10), 0);
        var m = Send(inAnswer)!;
        Assert.Equal((int)Rcode.FormErr, m.Rcode);
        Assert.Null(m.Edns);
    }

    [Fact]
    public void Octets_after_the_last_announced_record_are_formerr()
    {
        var plain = DnsMessage.Query(Q, RecordType.PTR).ToWire();
        Assert.Equal((int)Rcode.FormErr, Send([.. plain, 0])!.Rcode);
        Assert.Equal((int)Rcode.FormErr, Send([.. plain, 0xDE, 0xAD, 0xBE, 0xEF], tcp: true)!.Rcode);
        var withOpt = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var m = Send([.. withOpt, 1, 2, 3])!;
        Assert.Equal((int)Rcode.FormErr, m.Rcode);
        Assert.NotNull(m.Edns);
        Assert.Empty(m.Answers);
    }

    [Fact]
    public void Qtype_zero_is_not_implemented()
    {
        // RFC 6895 §3.1: TYPE 0 is reserved; no zone holds it.
        var m = Send(DnsMessage.Query(Q, (RecordType)0).ToWire())!;
        Assert.Equal((int)Rcode.NotImp, m.Rcode);
        Assert.Empty(m.Authority);
    }

    [Fact]
    public void Ds_at_the_apex_of_a_hosted_child_is_answered_from_the_hosted_parent()
    {
        // RFC 4035 §3.1.4.1: DS appears only on the parent zone's side of a zone cut.
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From(
        [
            ZoneBuilder.Standard("2.0.192.in-addr.arpa.", serial: 10).Ns("128-26", "ns1.example.net.").Build(),
            ZoneBuilder.Standard("128-26.2.0.192.in-addr.arpa.", serial: 20).Build(),
        ]));
        var processor = new DnsPipeline(zones, new ServerOptions());
        var response = new byte[65535];
        var childApex = DnsName.Parse("128-26.2.0.192.in-addr.arpa.");
        var ds = DnsMessage.Parse(response.AsSpan(0, processor.Answer(DnsMessage.Query(childApex, RecordType.DS).ToWire(), response, Udp)));
        Assert.Equal((int)Rcode.NoError, ds.Rcode);
        Assert.True(ds.Has(HeaderFlags.AA));
        Assert.Empty(ds.Answers);
        var soa = Assert.Single(ds.Authority);
        Assert.Equal(DnsName.Parse("2.0.192.in-addr.arpa."), soa.Owner);
        var ns = DnsMessage.Parse(response.AsSpan(0, processor.Answer(DnsMessage.Query(childApex, RecordType.NS).ToWire(), response, Udp)));
        Assert.Equal(childApex, Assert.Single(ns.Answers).Owner);
    }

    [Fact]
    public void A_query_signed_with_a_key_we_do_not_hold_gets_notauth_and_an_unsigned_badkey_tsig()
    {
        // RFC 8945 §5.2: "If a non-forwarding server does not recognize the key or algorithm used
        // by the client, the server MUST generate an error response with RCODE 9 (NOTAUTH) and
        // TSIG ERROR 17 (BADKEY). This response MUST be unsigned as specified in Section 5.3.2."
        var query = DnsMessage.Query(Q, RecordType.PTR, id: 777, edns: new EdnsOptions());
        byte[] mac = [.. Enumerable.Repeat((byte)0xAB, 32)];
        byte[] tsigData =
        [
            .. DnsName.Parse("hmac-sha256.").Wire, 0, 0, 0x65, 0x5A, 0x10, 0x00, 1, 44, 0, 32, .. mac, 0x11, 0x11, 0, 0, 0, 0,
        ];
        query.Tsig = new ResourceRecord(DnsName.Parse("Transfer-Key."), RecordType.TSIG, RecordClass.ANY, 0, tsigData);
        var m = Send(query.ToWire())!;
        Assert.Equal((int)Rcode.NotAuth, m.Rcode);
        Assert.False(m.Has(HeaderFlags.AA));
        Assert.Empty(m.Answers);
        Assert.NotNull(m.Edns);
        var tsig = m.Tsig!;
        Assert.Equal(DnsName.Parse("transfer-key."), tsig.Owner);
        Assert.Equal(RecordClass.ANY, tsig.Class);
        // Same algorithm, time signed and fudge; no MAC; the response's ID (777) as original ID.
        byte[] expected =
        [
            .. DnsName.Parse("hmac-sha256.").Wire, 0, 0, 0x65, 0x5A, 0x10, 0x00, 1, 44, 0, 0, 0x03, 0x09, 0, 17, 0, 0,
        ];
        Assert.Equal(expected, tsig.Data);

        // A name that is not ours is refused before the signature is looked at.
        query.Questions[0] = new Question(DnsName.Parse("example.com."), RecordType.A);
        Assert.Equal((int)Rcode.Refused, Send(query.ToWire())!.Rcode);
    }

    [Fact]
    public void Nsid_is_returned_only_when_asked()
    {
        byte[] nsidOption = [0, 3, 0, 0];
        var asked = Send(DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions(Options: nsidOption)).ToWire())!;
        Assert.Equal("test-node"u8.ToArray(), asked.Edns!.Options![4..]);
        var notAsked = Send(DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions()).ToWire())!;
        Assert.Empty(notAsked.Edns!.Options!);
    }

    [Fact]
    public void Axfr_over_udp_is_not_implemented()
    {
        Assert.Equal((int)Rcode.NotImp, Send(DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.AXFR).ToWire())!.Rcode);
    }

    [Fact]
    public void Steady_state_queries_allocate_nothing()
    {
        var processor = Processor();
        var query = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var miss = DnsMessage.Query(DnsName.Parse("9.2.0.192.in-addr.arpa."), RecordType.PTR).ToWire();
        var response = new byte[65535];
        SteadyState.AssertAllocatesNothing(() =>
        {
            processor.Answer(query, response, Udp);
            processor.Answer(miss, response, Udp);
        });
    }

    [Fact]
    public void Default_names_of_pools_are_answered_without_allocating()
    {
        Assert.True(Zones.Synthesis.DefaultNamePool.TryCreate(Addressing.IpPrefix.Parse("2001:db8::/32"), "ip-{ip}.v6.example.net.", 300, out var pool, out _));
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.").Build(), ZoneBuilder.Standard("v6.example.net.").Build()],
            new Zones.Synthesis.DefaultNames([pool])));
        var processor = new DnsPipeline(zones, new ServerOptions());
        var ptr = DnsMessage.Query(DnsName.Parse("9.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."), RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var aaaa = DnsMessage.Query(DnsName.Parse("ip-2001-db8--a9.v6.example.net."), RecordType.AAAA).ToWire();
        var response = new byte[65535];
        int n = processor.Answer(ptr, response, Udp);
        Assert.Equal("ip-2001-db8--a9.v6.example.net.", Rdata.ReadName(DnsMessage.Parse(response.AsSpan(0, n)).Answers[0].Data).ToString());
        n = processor.Answer(aaaa, response, Udp);
        Assert.Single(DnsMessage.Parse(response.AsSpan(0, n)).Answers);
        SteadyState.AssertAllocatesNothing(() =>
        {
            processor.Answer(ptr, response, Udp);
            processor.Answer(aaaa, response, Udp);
        });
    }

    [Fact]
    public void Notify_and_ixfr_over_udp_from_an_ipv4_client_are_answered_not_thrown()
    {
        var acl = new Transfers.TransferAcl([new Transfers.SecondaryPeer(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.53"), 53), null)]);
        var security = new Transfers.TsigTransferSecurity(Protocol.Tsig.TsigKeyRing.Empty);
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Build()]));
        var processor = new DnsPipeline(zones, new ServerOptions(), new RequestHandlers
        {
            Tsig = security,
            Notify = new Transfers.NotifyResponder(acl, security, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
            Transfers = new Transfers.ZoneTransferHandler(acl, null, security, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
        });
        // The address as a UDP receive loop has it: a socket address, read without allocating.
        var fromUdp = RequestSource.Udp(ClientAddress.From(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5300).Serialize()));
        var notify = new DnsMessage { Id = 9, Opcode = Opcode.Notify, Flags = HeaderFlags.AA };
        notify.Questions.Add(new Question(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA));
        var response = new byte[65535];
        int n = processor.Answer(notify.ToWire(), response, fromUdp);
        Assert.Equal((int)Rcode.Refused, DnsMessage.Parse(response.AsSpan(0, n)).Rcode);
        n = processor.Answer(DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.IXFR).ToWire(), response, fromUdp);
        Assert.Equal((int)Rcode.Refused, DnsMessage.Parse(response.AsSpan(0, n)).Rcode);
    }

    [Fact]
    public async Task An_ixfr_over_udp_never_exceeds_our_udp_payload_even_when_the_client_offers_more()
    {
        // Found by the packet fuzz target (bench/fuzz): IXFR over UDP with EDNS 4096 got 1,711
        // octets of increments, past our 1232-octet limit (answers must never fragment). RFC 1995
        // §2: increments that do not fit go over TCP; over UDP the SOA alone says so.
        var zone = ZoneBuilder.Standard("2.0.192.in-addr.arpa.", serial: 1).Build();
        var soa = zone.Soa;
        var added = Enumerable.Range(100, 30)
            .Select(i => new ResourceRecord(zone.Origin.Prepend($"{i}"), RecordType.PTR, 3600, Rdata.Ptr(DnsName.Parse($"added-in-an-increment-host-{i}.customers.example.net."))))
            .ToList();
        var next = zone.Apply(new Changeset(1, 2,
            [new ResourceRecord(zone.Origin, RecordType.SOA, soa.Ttl, soa.Data[0])],
            [new ResourceRecord(zone.Origin, RecordType.SOA, soa.Ttl, Rdata.WithSoaSerial(soa.Data[0], 2)), .. added]));
        var served = new ServedZones();
        served.Replace(ZoneSet.From([next]));
        var secondary = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.53"), 5300);
        var acl = new Transfers.TransferAcl([new Transfers.SecondaryPeer(secondary, null)]);
        var processor = new DnsPipeline(served, new ServerOptions(), new RequestHandlers
        {
            Transfers = new Transfers.ZoneTransferHandler(acl, null, null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
        });
        var ixfr = DnsMessage.Query(zone.Origin, RecordType.IXFR, id: 0x1f, edns: new EdnsOptions(4096));
        ixfr.Authority.Add(new ResourceRecord(zone.Origin, RecordType.SOA, soa.Ttl, soa.Data[0]));

        var response = new byte[65535];
        int n = processor.Answer(ixfr.ToWire(), response, RequestSource.Udp(ClientAddress.From(secondary.Serialize())));
        Assert.InRange(n, 1, 1232);
        var answer = DnsMessage.Parse(response.AsSpan(0, n));
        Assert.Equal(RecordType.SOA, Assert.Single(answer.Answers).Type);
        Assert.Equal(2u, Rdata.SoaSerial(answer.Answers[0].Data));

        // Over TCP the same request is streamed, with the increments.
        var tcp = RequestSource.Tcp(ClientAddress.From(secondary));
        var wire = ixfr.ToWire();
        var result = processor.Process(wire, response, tcp);
        Assert.Equal(ResponseAction.Stream, result.Action);
        var stream = new CollectingStream();
        await processor.StreamAsync(new PendingRequest(wire, new byte[65535], result.Parsed, tcp, result.Zones), stream, default);
        Assert.True(stream.Messages.Sum(m => DnsMessage.Parse(m).Answers.Count) > 30);
    }

    private sealed class CollectingStream : IResponseStream
    {
        public List<byte[]> Messages { get; } = [];

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            Messages.Add(message.ToArray());
            return ValueTask.CompletedTask;
        }
    }
}
