using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

public sealed class ListenerTests : IDisposable
{
    private static readonly DnsName Q = DnsName.Parse("1.2.0.192.in-addr.arpa.");
    private readonly DnsServer _server;
    private readonly Pipeline.QueryCounters _counters;

    public ListenerTests()
    {
        var zones = new ServedZones();
        var b = ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.");
        for (int i = 0; i < 40; i++)
            b.Txt("big", new string('x', 60) + i);
        zones.Replace(ZoneSet.From([b.Build()]));
        var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 2, TcpIdleTimeout = TimeSpan.FromSeconds(1) };
        // The counters stage runs after every answer, and view selection before it walks a hundred
        // views that do not match loopback clients, so the allocation test below covers both.
        _counters = new Pipeline.QueryCounters(options.UdpWorkers);
        var views = new Views.ViewSelector();
        views.Use([.. Enumerable.Range(0, 100).Select(i => new Views.ServedView($"v{i}", [Views.AddressMatch.From(Addressing.IpPrefix.Parse($"10.{i}.0.0/16"))],
            [], [], new ServedZones()))]);
        _server = new DnsServer(new Pipeline.DnsPipeline(zones, options, stages: [views, _counters]), NullLoggerFactory.Instance);
        _server.Start();
    }

    public void Dispose() => _server.Dispose();

    private DnsMessage Udp(DnsMessage query)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.SendTo(query.ToWire(), _server.LocalEndPoint);
        var buffer = new byte[65535];
        int n = s.Receive(buffer);
        return DnsMessage.Parse(buffer.AsSpan(0, n));
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
        var len = new byte[2];
        ReceiveExactly(s, len);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
        ReceiveExactly(s, body);
        return DnsMessage.Parse(body);
    }

    private static void ReceiveExactly(Socket s, byte[] buffer)
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

    [Fact]
    public void An_ephemeral_port_taken_for_tcp_is_given_up_for_another()
    {
        var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 1 };
        var processor = new Pipeline.DnsPipeline(new ServedZones(), options);
        var given = new List<UdpListener>();
        int tcpTries = 0;
        var (udp, tcp) = DnsServer.BindOnePort(
            () =>
            {
                var u = new UdpListener(processor, options, NullLogger.Instance);
                given.Add(u);
                return u;
            },
            endpoint => ++tcpTries <= 3
                ? throw new SocketException((int)SocketError.AddressAlreadyInUse)
                : new DnsTcpListener(processor, options, NullLogger.Instance, endpoint),
            anyPort: true);
        using (udp)
        using (tcp)
        {
            Assert.Equal(4, given.Count);
            Assert.Same(given[3], udp);
            Assert.Equal(udp.LocalEndPoint, tcp.LocalEndPoint);
            // The three UDP sockets given up were closed.
            foreach (var old in given.Take(3))
                AssertUdpPortLetGo(old.LocalEndPoint);
        }
    }

    [Fact]
    public void An_ephemeral_udp_port_taken_before_it_was_bound_is_chosen_again()
    {
        var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 1 };
        var processor = new Pipeline.DnsPipeline(new ServedZones(), options);
        int udpTries = 0;
        var (udp, tcp) = DnsServer.BindOnePort(
            () => ++udpTries <= 2
                ? throw new SocketException((int)SocketError.AddressAlreadyInUse)
                : new UdpListener(processor, options, NullLogger.Instance),
            endpoint => new DnsTcpListener(processor, options, NullLogger.Instance, endpoint),
            anyPort: true);
        using (udp)
        using (tcp)
        {
            Assert.Equal(3, udpTries);
            Assert.Equal(udp.LocalEndPoint, tcp.LocalEndPoint);
        }
        // With a fixed port, the same error is the caller's (one line naming the address).
        var e = Assert.Throws<AddressInUseException>(() => DnsServer.BindOnePort(
            () => throw new SocketException((int)SocketError.AddressAlreadyInUse),
            endpoint => new DnsTcpListener(processor, options, NullLogger.Instance, endpoint),
            anyPort: false));
        Assert.Equal("UDP", e.Transport);
    }

    [Fact]
    public void A_fixed_port_taken_for_tcp_is_an_error()
    {
        var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 1 };
        var processor = new Pipeline.DnsPipeline(new ServedZones(), options);
        UdpListener? given = null;
        var e = Assert.Throws<AddressInUseException>(() => DnsServer.BindOnePort(
            () => given = new UdpListener(processor, options, NullLogger.Instance),
            _ => throw new SocketException((int)SocketError.AddressAlreadyInUse),
            anyPort: false));
        Assert.Equal("TCP", e.Transport);
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(e.InnerException).SocketErrorCode);
        AssertUdpPortLetGo(given!.LocalEndPoint);
    }

    /// <summary>
    /// No socket of this process holds the IPv4 UDP port any more: it binds again, or, when another
    /// process of the machine (a test suite runs many servers on ephemeral ports) took it in the
    /// meantime, the kernel's table of UDP sockets shows it held by a socket that is not ours.
    /// </summary>
    private static void AssertUdpPortLetGo(IPEndPoint endpoint)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Bind(endpoint);
            return;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
        }
        var ours = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                ours.Add(target["socket:[".Length..^1]);
        }
        string port = $":{endpoint.Port:X4}";
        var holders = File.ReadLines("/proc/net/udp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[1].EndsWith(port, StringComparison.Ordinal))
            .Select(f => f[9])
            .ToList();
        Assert.NotEmpty(holders);
        Assert.DoesNotContain(holders, ours.Contains);
    }

    [Fact]
    public void A_second_server_on_the_same_fixed_port_is_refused_not_given_a_share()
    {
        // SO_REUSEPORT would let the second one join the first one's group and take half the
        // queries; it must fail instead, over UDP and over TCP alike.
        var options = new ServerOptions { Endpoint = _server.LocalEndPoint, UdpWorkers = 2 };
        var e = Assert.Throws<AddressInUseException>(() => new DnsServer(new ServedZones(), options, NullLoggerFactory.Instance));
        Assert.Equal("UDP", e.Transport);
        Assert.Contains(_server.LocalEndPoint.ToString(), e.Message);

        using var tcpOnly = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcpOnly.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        tcpOnly.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tcpOnly.Listen();
        var taken = (IPEndPoint)tcpOnly.LocalEndPoint!;
        var t = Assert.Throws<AddressInUseException>(() => new DnsServer(new ServedZones(), new ServerOptions { Endpoint = taken, UdpWorkers = 1 }, NullLoggerFactory.Instance));
        Assert.Equal("TCP", t.Transport);
    }

    [Fact]
    public void Udp_answers_and_truncates_what_does_not_fit()
    {
        Assert.Single(Udp(DnsMessage.Query(Q, RecordType.PTR, id: 1)).Answers);
        var big = Udp(DnsMessage.Query(DnsName.Parse("big.2.0.192.in-addr.arpa."), RecordType.TXT, id: 2));
        Assert.True(big.Has(HeaderFlags.TC));
        Assert.Empty(big.Answers);
    }

    [Fact]
    public void Tcp_answers_several_pipelined_queries_on_one_connection_in_order()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.ReceiveTimeout = 3000;
        s.Connect(_server.LocalEndPoint);
        var both = Frame(DnsMessage.Query(Q, RecordType.PTR, id: 10).ToWire())
            .Concat(Frame(DnsMessage.Query(DnsName.Parse("big.2.0.192.in-addr.arpa."), RecordType.TXT, id: 11).ToWire())).ToArray();
        s.Send(both);
        var first = ReadFramed(s);
        var second = ReadFramed(s);
        Assert.Equal(10, first.Id);
        Assert.Equal(11, second.Id);
        Assert.False(second.Has(HeaderFlags.TC));
        Assert.Equal(40, second.Answers.Count);
    }

    [Fact]
    public void Tcp_closes_an_idle_connection()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.ReceiveTimeout = 5000;
        s.Connect(_server.LocalEndPoint);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int n = s.Receive(new byte[10]); // returns 0 when the server closes
        Assert.Equal(0, n);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void Udp_path_allocates_nothing_over_ten_thousand_queries()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.Connect(_server.LocalEndPoint);
        var query = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var buffer = new byte[2048];
        for (int i = 0; i < 20_000; i++)
        {
            s.Send(query);
            s.Receive(buffer);
        }
        AssertSteadyStateAllocatesNothing(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                s.Send(query);
                Assert.True(s.Receive(buffer) > 12);
            }
        });
        Assert.True(_counters.Responses(Pipeline.AnswerKind.Positive) >= 30_000);
    }

    /// <summary>
    /// The JIT's profile-guided tier-up may allocate once, late; steady state is a whole window of
    /// 10,000 queries (<paramref name="window"/>) without a single managed allocation on the
    /// receive threads, within five windows.
    /// </summary>
    private void AssertSteadyStateAllocatesNothing(Action window)
    {
        var windows = new List<long>();
        for (int w = 0; w < 5; w++)
        {
            long before = _server.Udp.WorkerAllocatedBytes;
            window();
            windows.Add(_server.Udp.WorkerAllocatedBytes - before);
            if (windows[^1] == 0)
                break;
        }
        Assert.True(windows[^1] == 0, $"allocated bytes per 10,000-query window: {string.Join(", ", windows)}");
    }

    [Fact]
    public void Udp_path_allocates_nothing_when_queries_arrive_in_batches()
    {
        // Bursts of queries reach the loop together, so batches are prefetched (ZonePrefetch) before they are answered.
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.Connect(_server.LocalEndPoint);
        var query = DnsMessage.Query(Q, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var buffer = new byte[2048];
        const int Burst = 16;
        void Bursts(int count)
        {
            for (int b = 0; b < count; b++)
            {
                for (int i = 0; i < Burst; i++)
                    s.Send(query);
                for (int i = 0; i < Burst; i++)
                    Assert.True(s.Receive(buffer) > 12);
            }
        }
        Bursts(1_250);
        AssertSteadyStateAllocatesNothing(() => Bursts(625));
    }

    [Fact]
    public async Task A_sockets_second_loop_sleeps_while_the_first_keeps_up_and_is_woken_when_queries_pile_up()
    {
        Assert.True(BatchedUdp.IsSupported, "the batched loops are Linux's (x86-64, arm64)");
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 2 };
        using var udp = new UdpListener(new Pipeline.DnsPipeline(zones, options), options, NullLogger.Instance);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.ReceiveTimeout = 3000;
        client.ReceiveBufferSize = 1 << 20;
        client.Connect(udp.LocalEndPoint);
        var buffer = new byte[512];

        // Queries piled up before the loops start: the first finds full batches, more than two
        // running, and wakes the second to drain the queue beside it (whether the second finds any
        // left depends on how soon it is scheduled).
        const int Piled = 200;
        for (ushort id = 1; id <= Piled; id++)
            client.Send(DnsMessage.Query(Q, RecordType.PTR, id: id).ToWire());
        var answered = new HashSet<ushort>();
        var reading = Task.Run(() =>
        {
            try
            {
                while (answered.Count < Piled)
                {
                    var reply = DnsMessage.Parse(buffer.AsSpan(0, client.Receive(buffer)));
                    Assert.Single(reply.Answers);
                    answered.Add(reply.Id);
                }
            }
            catch (SocketException)
            {
                // Silence: every query the server's socket held is answered.
            }
        });
        udp.Start();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));
        // The server's socket holds 128 queries at least (a receive buffer of 212,992 octets, the kernel's least default maximum).
        Assert.True(answered.Count >= 2 * BatchedUdp.Batch, $"{answered.Count} of {Piled} answered");
        long woken = udp.HelperWakes;
        Assert.True(woken >= 1, "the second loop was never woken");

        // One query at a time: the first loop keeps up, and the second sleeps.
        for (ushort id = 1; id <= 200; id++)
        {
            client.Send(DnsMessage.Query(Q, RecordType.PTR, id: id).ToWire());
            Assert.Equal(id, DnsMessage.Parse(buffer.AsSpan(0, client.Receive(buffer))).Id);
        }
        Assert.Equal(woken, udp.HelperWakes);
    }

    [Fact]
    public void Udp_answers_leave_with_dont_fragment_set_and_no_identification_drawn()
    {
        // RFC 9715 §3.1: answers are never fragmented. Seen on the wire by a raw socket (CI runs
        // as root): the answer's IPv4 header has DF set and, as Linux leaves it for an atomic
        // datagram of an unconnected socket, identification 0 (RFC 6864 §4.1).
        Assert.True(OperatingSystem.IsLinux(), "the options set are Linux's");
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // It sees every UDP datagram to 127.0.0.1, other tests' included: room for bursts of them.
        raw.ReceiveBufferSize = 8 * 1024 * 1024;
        raw.ReceiveTimeout = 2000;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = 2000;
        int clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        int serverPort = ((IPEndPoint)_server.LocalEndPoint).Port;
        int answers = 0;
        var packet = new byte[65535];
        for (ushort id = 1; id <= 20; id++)
        {
            // Asked again (at most five times) when the raw socket dropped the answer in a burst
            // of other datagrams: what is checked is each answer seen, not that all are.
            for (int attempt = 0; attempt < 5; attempt++)
            {
                client.SendTo(DnsMessage.Query(Q, RecordType.PTR, id: id).ToWire(), _server.LocalEndPoint);
                Assert.Equal(id, DnsMessage.Parse(packet.AsSpan(0, client.Receive(packet))).Id);
                if (SeenOnTheWire(raw, packet, serverPort, clientPort, id))
                {
                    answers++;
                    break;
                }
            }
        }
        Assert.Equal(20, answers);
    }

    /// <summary>
    /// Reads the raw socket until the answer from <paramref name="serverPort"/> to
    /// <paramref name="clientPort"/> with DNS id <paramref name="id"/> comes by, and checks its IPv4
    /// header: DF set, not a fragment, identification 0. False when it did not come within five
    /// seconds (dropped from the raw socket's queue).
    /// </summary>
    private static bool SeenOnTheWire(Socket raw, byte[] packet, int serverPort, int clientPort, ushort id)
    {
        // Others' datagrams may keep coming: a bound on the whole search, not only on each read.
        var searching = System.Diagnostics.Stopwatch.StartNew();
        while (searching.Elapsed < TimeSpan.FromSeconds(5))
        {
            int n;
            try
            {
                n = raw.Receive(packet);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                return false;
            }
            int header = (packet[0] & 0xF) * 4;
            int from = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(header));
            int to = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(header + 2));
            if (from != serverPort || to != clientPort || n < header + 8 + DnsHeader.Size
                || BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(header + 8)) != id)
                continue;
            ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6));
            Assert.True((fragment & 0x4000) != 0, "DF set");
            Assert.Equal(0, fragment & 0x3FFF); // MF clear, offset 0: one whole datagram
            Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4)));
            return true;
        }
        return false;
    }

    [Fact]
    public void Udp_sockets_over_ipv6_are_set_never_to_fragment_and_to_ignore_learned_path_mtus()
    {
        Assert.True(OperatingSystem.IsLinux(), "the options read are Linux's");
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        foreach (bool batched in new[] { true, false })
        {
            var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.IPv6Loopback, 0), UdpWorkers = 2, BatchedUdp = batched };
            using var udp = new UdpListener(new Pipeline.DnsPipeline(zones, options), options, NullLogger.Instance);
            Assert.NotEmpty(udp.Sockets);
            var value = new byte[4];
            foreach (var socket in udp.Sockets)
            {
                socket.GetRawSocketOption(41, 23, value); // IPV6_MTU_DISCOVER
                Assert.Equal(3, BitConverter.ToInt32(value)); // IPV6_PMTUDISC_PROBE
                socket.GetRawSocketOption(41, 62, value); // IPV6_DONTFRAG
                Assert.Equal(1, BitConverter.ToInt32(value));
            }
            udp.Start();
            using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            client.ReceiveTimeout = 2000;
            client.SendTo(DnsMessage.Query(Q, RecordType.PTR, id: 7).ToWire(), udp.LocalEndPoint);
            var buffer = new byte[512];
            var reply = DnsMessage.Parse(buffer.AsSpan(0, client.Receive(buffer)));
            Assert.Equal(7, reply.Id);
            Assert.Single(reply.Answers);
        }
    }

    /// <summary>Records the client every answered query came from.</summary>
    private sealed class ClientRecorder : Pipeline.IQueryStage
    {
        public System.Collections.Concurrent.ConcurrentQueue<Pipeline.ClientAddress> Seen { get; } = new();

        public bool Admits => false;

        public Pipeline.StageVerdict Admit(ref Pipeline.DnsRequest request) => Pipeline.StageVerdict.Continue;

        public void Complete(ref Pipeline.DnsRequest request) => Seen.Enqueue(request.Source.Client);
    }

    /// <summary>
    /// Sends <paramref name="count"/> queries at once from a client bound on <paramref name="loopback"/>
    /// (so the batched loop takes more than one in a batch) and checks each is answered; returns the client.
    /// </summary>
    private static Socket AskAtOnce(UdpListener udp, IPAddress loopback, int count)
    {
        var client = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            client.Bind(new IPEndPoint(loopback, 0));
            client.ReceiveTimeout = 2000;
            for (ushort id = 1; id <= count; id++)
                client.SendTo(DnsMessage.Query(Q, RecordType.PTR, id: id).ToWire(), udp.LocalEndPoint);
            var buffer = new byte[512];
            for (int i = 0; i < count; i++)
                Assert.Single(DnsMessage.Parse(buffer.AsSpan(0, client.Receive(buffer))).Answers);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    [Fact]
    public void Stages_see_the_clients_address_and_port_over_either_loop_and_either_family()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        foreach (var loopback in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            foreach (bool batched in new[] { true, false })
            {
                var recorder = new ClientRecorder();
                var options = new ServerOptions { Endpoint = new IPEndPoint(loopback, 0), UdpWorkers = 2, BatchedUdp = batched };
                using var udp = new UdpListener(new Pipeline.DnsPipeline(zones, options, stages: [recorder]), options, NullLogger.Instance);
                udp.Start();
                using var client = AskAtOnce(udp, loopback, 8);
                var expected = Pipeline.ClientAddress.From((IPEndPoint)client.LocalEndPoint!);
                Assert.Equal(8, recorder.Seen.Count);
                Assert.All(recorder.Seen, seen => Assert.Equal(expected, seen));
                Assert.Equal(loopback.AddressFamily == AddressFamily.InterNetworkV6, expected.IsV6);
                Assert.NotEqual(0, expected.Port);
            }
        }
    }

    [Fact]
    public void Every_answer_sent_over_either_loop_has_its_processing_time_counted_once()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        foreach (bool batched in new[] { true, false })
        {
            var counters = new Pipeline.QueryCounters(2);
            var options = new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 2, BatchedUdp = batched };
            using var udp = new UdpListener(new Pipeline.DnsPipeline(zones, options, stages: [counters]), options, NullLogger.Instance);
            udp.Start();
            using var client = AskAtOnce(udp, IPAddress.Loopback, 12);
            // Counted before the answers left (the batched loop times its batch just before sending).
            Assert.Equal(12, counters.Total);
            Assert.Equal(12, counters.ProcessingTimes().Count);
        }
    }

    [Fact]
    public void The_portable_one_datagram_loop_answers_too()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        using var server = new DnsServer(zones, new ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), UdpWorkers = 1, BatchedUdp = false }, NullLoggerFactory.Instance);
        server.Start();
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        for (ushort id = 1; id <= 50; id++)
        {
            s.SendTo(DnsMessage.Query(Q, RecordType.PTR, id: id).ToWire(), server.LocalEndPoint);
            var buffer = new byte[512];
            var reply = DnsMessage.Parse(buffer.AsSpan(0, s.Receive(buffer)));
            Assert.Equal(id, reply.Id);
            Assert.Single(reply.Answers);
        }
    }
}
