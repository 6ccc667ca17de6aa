using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>The query pipeline's stages and handlers: admission, the outcome stages see, deferred and streamed requests.</summary>
public sealed class PipelineStageTests
{
    private static readonly DnsName Hit = DnsName.Parse("1.2.0.192.in-addr.arpa.");
    private static readonly RequestSource From = RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 4000)));

    private static ServedZones Zones()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.")
            .Ns("child", "ns1.example.net.").Build()]));
        return zones;
    }

    /// <summary>Records what the stage after the answer saw.</summary>
    private sealed class Recorder(StageVerdict verdict = StageVerdict.Continue, Rcode refuseWith = Rcode.Refused) : IQueryStage
    {
        public List<(AnswerKind Kind, Rcode Rcode, string? Zone, ResponseAction Action, int Length, ClientAddress Client)> Seen { get; } = [];

        public int Admitted { get; private set; }

        public StageVerdict Admit(ref DnsRequest request)
        {
            Admitted++;
            if (verdict == StageVerdict.Respond)
            {
                request.Rcode = refuseWith;
                request.ExtendedError = ExtendedErrors.Prohibited;
            }
            return verdict;
        }

        public void Complete(ref DnsRequest request) =>
            Seen.Add((request.Kind, request.Rcode, request.Zone?.Origin.ToString(), request.Action, request.Length, request.Source.Client));
    }

    private static DnsMessage? Ask(DnsPipeline pipeline, DnsMessage query, RequestSource? source = null)
    {
        var response = new byte[65535];
        int n = pipeline.Answer(query.ToWire(), response, source ?? From);
        return n == 0 ? null : DnsMessage.Parse(response.AsSpan(0, n));
    }

    [Fact]
    public void The_stage_after_the_answer_sees_kind_rcode_zone_and_client_of_every_response()
    {
        var recorder = new Recorder();
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [recorder]);
        Ask(pipeline, DnsMessage.Query(Hit, RecordType.PTR));
        Ask(pipeline, DnsMessage.Query(DnsName.Parse("9.2.0.192.in-addr.arpa."), RecordType.PTR));
        Ask(pipeline, DnsMessage.Query(Hit, RecordType.TXT));
        Ask(pipeline, DnsMessage.Query(DnsName.Parse("x.child.2.0.192.in-addr.arpa."), RecordType.PTR));
        Ask(pipeline, DnsMessage.Query(DnsName.Parse("example.com."), RecordType.A));
        Assert.Equal(
            [AnswerKind.Positive, AnswerKind.NxDomain, AnswerKind.NoData, AnswerKind.Referral, AnswerKind.Refused],
            recorder.Seen.Select(s => s.Kind));
        Assert.Equal([Rcode.NoError, Rcode.NXDomain, Rcode.NoError, Rcode.NoError, Rcode.Refused], recorder.Seen.Select(s => s.Rcode));
        Assert.Equal(["2.0.192.in-addr.arpa.", "2.0.192.in-addr.arpa.", "2.0.192.in-addr.arpa.", "2.0.192.in-addr.arpa.", null], recorder.Seen.Select(s => s.Zone));
        Assert.All(recorder.Seen, s => Assert.Equal(From.Client, s.Client));
        Assert.All(recorder.Seen, s => Assert.True(s.Length > 12));
    }

    [Fact]
    public void A_malformed_query_gets_formerr_and_the_stages_still_see_it()
    {
        var recorder = new Recorder();
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [recorder]);
        var wire = DnsMessage.Query(Hit, RecordType.PTR).ToWire();
        BinaryPrimitives.WriteUInt16BigEndian(wire.AsSpan(4), 2); // QDCOUNT 2, one question present
        var response = new byte[512];
        int n = pipeline.Answer(wire, response, From);
        Assert.Equal((int)Rcode.FormErr, response[3] & 0xF);
        Assert.True(n >= 12);
        Assert.Equal((AnswerKind.Error, Rcode.FormErr), (recorder.Seen[0].Kind, recorder.Seen[0].Rcode));
    }

    [Fact]
    public void Admission_can_refuse_before_any_lookup_with_an_extended_error()
    {
        var first = new Recorder();
        var refusing = new Recorder(StageVerdict.Respond);
        var never = new Recorder();
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [first, refusing, never]);
        var m = Ask(pipeline, DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions()))!;
        Assert.Equal((int)Rcode.Refused, m.Rcode);
        Assert.Empty(m.Answers);
        Assert.Equal(Hit, Assert.Single(m.Questions).Name);
        // RFC 8914: EDE option 15 with info-code 18 (Prohibited).
        var options = m.Edns!.Options!;
        Assert.Equal(15, BinaryPrimitives.ReadUInt16BigEndian(options));
        Assert.Equal(18, BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(4)));
        // Stages after the refusing one never ran; those before it saw the outcome.
        Assert.Equal(0, never.Admitted);
        Assert.Empty(never.Seen);
        Assert.Equal(AnswerKind.Refused, Assert.Single(first.Seen).Kind);
        Assert.Null(first.Seen[0].Zone);
    }

    [Fact]
    public void Admission_can_drop_and_nothing_is_sent()
    {
        var counters = new QueryCounters(1);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters, new Recorder(StageVerdict.Drop)]);
        var response = new byte[512];
        var result = pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, From);
        Assert.Equal(0, result.Length);
        Assert.Equal(ResponseAction.Drop, result.Action);
        Assert.Equal(1, counters.Dropped);
        Assert.Equal(0, counters.Total);
    }

    /// <summary>A stage that says it neither admits nor completes, and counts the calls it should never get.</summary>
    private sealed class Declared(bool admits, bool completes) : IQueryStage
    {
        public int Admitted { get; private set; }

        public int Completed { get; private set; }

        public bool Admits => admits;

        public bool Completes => completes;

        public StageVerdict Admit(ref DnsRequest request)
        {
            Admitted++;
            return StageVerdict.Continue;
        }

        public void Complete(ref DnsRequest request) => Completed++;
    }

    [Fact]
    public void A_stage_is_called_only_for_what_it_says_it_does()
    {
        var neither = new Declared(admits: false, completes: false);
        var admitsOnly = new Declared(admits: true, completes: false);
        var completesOnly = new Declared(admits: false, completes: true);
        var refuser = new Recorder(StageVerdict.Respond);
        var after = new Recorder();
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [neither, admitsOnly, completesOnly, after]);
        Assert.NotNull(Ask(pipeline, DnsMessage.Query(Hit, RecordType.PTR)));
        Assert.Equal((0, 0), (neither.Admitted, neither.Completed));
        Assert.Equal((1, 0), (admitsOnly.Admitted, admitsOnly.Completed));
        Assert.Equal((0, 1), (completesOnly.Admitted, completesOnly.Completed));
        Assert.Equal(1, after.Admitted);
        Assert.Single(after.Seen);
        // A refusal at admission: the stages before it that complete see it, those after it do not.
        var early = new Declared(admits: false, completes: true);
        var late = new Declared(admits: false, completes: true);
        var refusing = new DnsPipeline(Zones(), new ServerOptions(), stages: [early, refuser, late]);
        Assert.Equal((int)Rcode.Refused, Ask(refusing, DnsMessage.Query(Hit, RecordType.PTR))!.Rcode);
        Assert.Equal((0, 1), (early.Admitted, early.Completed));
        Assert.Single(refuser.Seen);
        Assert.Equal((0, 0), (late.Admitted, late.Completed));
    }

    /// <summary>Adds an option to every response, as a cookie stage adds a server cookie.</summary>
    private sealed class OptionAdder : IQueryStage
    {
        public StageVerdict Admit(ref DnsRequest request)
        {
            Assert.True(request.TryAddOption(65001, "stage"u8));
            return StageVerdict.Continue;
        }

        public void Complete(ref DnsRequest request)
        {
        }
    }

    [Fact]
    public void A_stage_adds_an_edns_option_to_the_answer()
    {
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [new OptionAdder()]);
        var m = Ask(pipeline, DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions()))!;
        Assert.Single(m.Answers);
        var options = m.Edns!.Options!;
        Assert.Equal(65001, BinaryPrimitives.ReadUInt16BigEndian(options));
        Assert.Equal("stage"u8.ToArray(), options[4..9]);
        // Without EDNS in the query there is no OPT to carry it (RFC 6891 §7).
        Assert.Null(Ask(pipeline, DnsMessage.Query(Hit, RecordType.PTR))!.Edns);
    }

    /// <summary>Truncates every positive answer, as rate limiting's slip does.</summary>
    private sealed class Slipper : IQueryStage
    {
        public StageVerdict Admit(ref DnsRequest request) => StageVerdict.Continue;

        public void Complete(ref DnsRequest request)
        {
            if (request.Kind == AnswerKind.Positive)
                request.Slip();
        }
    }

    [Fact]
    public void A_stage_after_the_answer_can_slip_it_to_a_truncated_header_and_question()
    {
        var counters = new QueryCounters(1);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [new Slipper(), counters]);
        var query = DnsMessage.Query(Hit, RecordType.PTR, id: 77).ToWire();
        var response = new byte[512];
        int n = pipeline.Answer(query, response, From);
        Assert.Equal(query.Length, n);
        var m = DnsMessage.Parse(response.AsSpan(0, n));
        Assert.True(m.Has(HeaderFlags.TC));
        Assert.Equal(77, m.Id);
        Assert.Empty(m.Answers);
        Assert.Equal(Hit, Assert.Single(m.Questions).Name);
        Assert.Equal(1, counters.Truncated);
    }

    [Fact]
    public void Counters_add_up_by_kind_rcode_transport_and_opcode()
    {
        var counters = new QueryCounters(2);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters]);
        var response = new byte[65535];
        for (int i = 0; i < 3; i++)
            pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, From, worker: i % 2);
        pipeline.Answer(DnsMessage.Query(DnsName.Parse("9.2.0.192.in-addr.arpa."), RecordType.PTR).ToWire(), response, RequestSource.Tcp(ClientAddress.None));
        var notify = new DnsMessage { Opcode = Opcode.Notify };
        notify.Questions.Add(new Question(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA));
        pipeline.Answer(notify.ToWire(), response, From);
        Assert.Equal(3, counters.Responses(AnswerKind.Positive));
        Assert.Equal(1, counters.Responses(AnswerKind.NxDomain));
        Assert.Equal(1, counters.Responses(Rcode.NXDomain));
        Assert.Equal(1, counters.Responses(Rcode.NotImp));
        Assert.Equal(4, counters.Responses(DnsTransport.Udp));
        Assert.Equal(1, counters.Responses(DnsTransport.Tcp));
        Assert.Equal(4, counters.Requests(Opcode.Query));
        Assert.Equal(1, counters.Requests(Opcode.Notify));
        Assert.Equal(5, counters.Total);
    }

    [Fact]
    public void Queries_with_a_stage_allocate_nothing()
    {
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [new QueryCounters(1)]);
        var hit = DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var refused = DnsMessage.Query(DnsName.Parse("example.com."), RecordType.A, edns: new EdnsOptions()).ToWire();
        var response = new byte[65535];
        SteadyState.AssertAllocatesNothing(() =>
        {
            pipeline.Process(hit, response, From, 0);
            pipeline.Process(refused, response, From, 0);
        });
    }

    /// <summary>An UPDATE handler that answers only when the test says so.</summary>
    private sealed class HeldUpdates : IDeferredRequestHandler
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<int> Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<int> HandleAsync(PendingRequest request, CancellationToken cancellationToken)
        {
            Arrived.TrySetResult(request.Header.Id);
            await Release.Task.WaitAsync(cancellationToken);
            var w = new DnsMessageWriter(request.Response.Span, request.ResponseLimit);
            w.Id = request.Header.Id;
            w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR, Opcode.Update, (int)Rcode.NoError);
            return w.Finish();
        }
    }

    private static byte[] Update(ushort id)
    {
        var m = new DnsMessage { Id = id, Opcode = Opcode.Update };
        m.Questions.Add(new Question(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA));
        return m.ToWire();
    }

    [Fact]
    public async Task An_update_waits_off_the_udp_worker_which_keeps_answering_queries()
    {
        var updates = new HeldUpdates();
        var counters = new QueryCounters(1);
        var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 1 };
        using var server = new DnsServer(new DnsPipeline(Zones(), options, new RequestHandlers { Update = updates }, [counters]), NullLoggerFactory.Instance);
        server.Start();
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 5000;
        s.Connect(server.LocalEndPoint);
        s.Send(Update(500));
        Assert.Equal(500, await updates.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        // The single worker is free while the update waits: a query is answered at once.
        s.Send(DnsMessage.Query(Hit, RecordType.PTR, id: 501).ToWire());
        var buffer = new byte[512];
        var first = DnsMessage.Parse(buffer.AsSpan(0, s.Receive(buffer)));
        Assert.Equal(501, first.Id);
        updates.Release.SetResult();
        var second = DnsMessage.Parse(buffer.AsSpan(0, s.Receive(buffer)));
        Assert.Equal(500, second.Id);
        Assert.Equal(Opcode.Update, second.Opcode);
        Assert.Equal(1, counters.Requests(Opcode.Update));
        Assert.Equal(1, counters.Responses(AnswerKind.Update));
    }

    [Fact]
    public async Task An_update_over_tcp_is_answered_in_order_on_its_connection()
    {
        var updates = new HeldUpdates();
        updates.Release.SetResult();
        var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 1 };
        using var server = new DnsServer(new DnsPipeline(Zones(), options, new RequestHandlers { Update = updates }), NullLoggerFactory.Instance);
        server.Start();
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.ReceiveTimeout = 5000;
        await s.ConnectAsync(server.LocalEndPoint);
        s.Send(Frame(Update(600)).Concat(Frame(DnsMessage.Query(Hit, RecordType.PTR, id: 601).ToWire())).ToArray());
        Assert.Equal(600, ReadFramed(s).Id);
        Assert.Equal(601, ReadFramed(s).Id);
    }

    [Fact]
    public void Without_an_update_handler_update_is_not_implemented()
    {
        var pipeline = new DnsPipeline(Zones(), new ServerOptions());
        var response = new byte[512];
        var result = pipeline.Process(Update(9), response, From);
        Assert.Equal(ResponseAction.Send, result.Action);
        Assert.Equal((int)Rcode.NotImp, response[3] & 0xF);
    }

    [Fact]
    public void Client_addresses_are_read_from_socket_addresses_of_both_families()
    {
        var v4 = ClientAddress.From(new IPEndPoint(IPAddress.Parse("192.0.2.77"), 53).Serialize());
        Assert.False(v4.IsV6);
        Assert.Equal(0xC000024Du, (uint)v4.Value);
        Assert.Equal(53, v4.Port);
        Assert.Equal(0xC0000200u, (uint)v4.Network(24));
        var v6 = ClientAddress.From(new IPEndPoint(IPAddress.Parse("2001:db8::1:2"), 5353).Serialize());
        Assert.True(v6.IsV6);
        Assert.Equal(IPAddress.Parse("2001:db8::1:2"), v6.ToIPAddress());
        Assert.Equal(v6, ClientAddress.From(new IPEndPoint(IPAddress.Parse("2001:db8::1:2"), 5353)));
        Assert.Equal(IPAddress.Parse("2001:db8::").ToString(), new ClientAddress(true, v6.Network(56), 0).ToIPAddress().ToString());
        // An IPv4-mapped IPv6 address is the IPv4 client it carries.
        var mapped = ClientAddress.From(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.77"), 53).Serialize());
        Assert.Equal(v4, mapped);
    }

    private static byte[] Frame(byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    private static DnsMessage ReadFramed(Socket s)
    {
        var length = new byte[2];
        ReadExactly(s, length);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        ReadExactly(s, body);
        return DnsMessage.Parse(body);
    }

    private static void ReadExactly(Socket s, byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = s.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
            if (n == 0)
                throw new IOException("connection closed");
            read += n;
        }
    }
}
