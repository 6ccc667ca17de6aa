using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>TCP connections are shared fairly: per network, the longest idle makes room, and clients are told the idle timeout.</summary>
public sealed class TcpFairnessTests
{
    private static readonly DnsName Q = DnsName.Parse("1.2.0.192.in-addr.arpa.");

    private static DnsServer Start(int max, int perClient, TimeSpan? idle = null, Func<IPAddress, bool>? exempt = null)
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        var server = new DnsServer(zones, new ServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
            UdpWorkers = 1,
            MaxTcpConnections = max,
            MaxTcpConnectionsPerClient = perClient,
            TcpIdleTimeout = idle ?? TimeSpan.FromSeconds(30),
            ExemptFromClientShare = exempt,
        }, NullLoggerFactory.Instance);
        server.Start();
        return server;
    }

    private static Socket Connect(DnsServer server, string from = "127.0.0.1")
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
        s.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        s.Connect(server.LocalEndPoint);
        return s;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++)
            await Task.Delay(20);
        Assert.True(condition());
    }

    private static DnsMessage? Ask(Socket s, EdnsOptions? edns = null)
    {
        var query = DnsMessage.Query(Q, RecordType.PTR, edns: edns).ToWire();
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        try
        {
            s.Send(framed);
            var length = new byte[2];
            if (s.Receive(length) < 2)
                return null;
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            int read = 0;
            while (read < body.Length)
            {
                int n = s.Receive(body, read, body.Length - read, SocketFlags.None);
                if (n == 0)
                    return null;
                read += n;
            }
            return DnsMessage.Parse(body);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    [Fact]
    public async Task One_network_cannot_hold_more_than_its_share()
    {
        using var server = Start(max: 100, perClient: 4);
        var held = Enumerable.Range(0, 4).Select(_ => Connect(server)).ToList();
        await WaitForAsync(() => server.Tcp.ActiveConnections == 4);
        using var fifth = Connect(server, "127.0.0.2");
        // Same /24: refused, the connection closed at once.
        Assert.Null(Ask(fifth));
        Assert.True(server.Tcp.Connections.Refused >= 1);
        // Another network still gets in, and the four held ones still answer.
        using var other = Connect(server, "127.0.1.1");
        Assert.Single(Ask(other)!.Answers);
        Assert.All(held, s => Assert.Single(Ask(s)!.Answers));
        held.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task A_named_secondary_is_not_held_to_its_networks_share()
    {
        var secondary = IPAddress.Parse("127.0.0.3");
        using var server = Start(max: 100, perClient: 4, exempt: a => a.Equals(secondary));
        var held = Enumerable.Range(0, 4).Select(_ => Connect(server)).ToList();
        await WaitForAsync(() => server.Tcp.ActiveConnections == 4);
        // The network's share is taken, yet the secondary opens as many as it needs (transfers of many zones at once).
        var transfers = Enumerable.Range(0, 8).Select(_ => Connect(server, "127.0.0.3")).ToList();
        Assert.All(transfers, s => Assert.Single(Ask(s)!.Answers));
        // Anyone else in that network is still refused.
        using var other = Connect(server, "127.0.0.2");
        Assert.Null(Ask(other));
        held.Concat(transfers).ToList().ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task When_every_slot_is_taken_the_longest_idle_connection_makes_room()
    {
        using var server = Start(max: 8, perClient: 64);
        var idle = new List<Socket>();
        for (int i = 0; i < 8; i++)
        {
            idle.Add(Connect(server, $"127.0.{i}.1"));
            await WaitForAsync(() => server.Tcp.ActiveConnections == idle.Count);
        }
        // The newest of the idle ones asks a question: it is no longer the longest idle.
        Assert.NotNull(Ask(idle[0]));
        using var newcomer = Connect(server, "127.0.100.1");
        Assert.Single(Ask(newcomer)!.Answers);
        Assert.Equal(1, server.Tcp.Connections.Evicted);
        // The one idle the longest (the second opened; the first has just asked) was closed.
        Assert.Null(Ask(idle[1]));
        Assert.NotNull(Ask(idle[2]));
        idle.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task The_idle_timeout_is_offered_to_clients_that_ask_and_shortened_under_pressure()
    {
        using var server = Start(max: 8, perClient: 64, idle: TimeSpan.FromSeconds(20));
        using var first = Connect(server);
        var keepalive = new EdnsOptions(Options: [0, 11, 0, 0]);
        Assert.Equal(200, KeepaliveOf(Ask(first, keepalive)!));
        // Without the option in the query, none in the answer.
        Assert.Null(KeepaliveOfOrNull(Ask(first, new EdnsOptions())!));
        var more = Enumerable.Range(0, 5).Select(i => Connect(server, $"127.0.{i + 1}.1")).ToList();
        await WaitForAsync(() => server.Tcp.ActiveConnections == 6);
        // Six of eight: three quarters full, so idle connections get a tenth of the timeout.
        Assert.Equal(20, KeepaliveOf(Ask(first, keepalive)!));
        more.ForEach(s => s.Dispose());
    }

    private static int KeepaliveOf(DnsMessage m) => KeepaliveOfOrNull(m) ?? throw new Xunit.Sdk.XunitException("no edns-tcp-keepalive option");

    private static int? KeepaliveOfOrNull(DnsMessage m)
    {
        var options = m.Edns!.Options!;
        for (int pos = 0; pos + 4 <= options.Length;)
        {
            int code = BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(pos));
            int length = BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(pos + 2));
            if (code == 11)
                return BinaryPrimitives.ReadUInt16BigEndian(options.AsSpan(pos + 4));
            pos += 4 + length;
        }
        return null;
    }
}
