using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver.Tests.Support;

/// <summary>One query as the fake resolver received it.</summary>
public sealed record ReceivedQuery(DnsMessage Message, bool OverTcp, IPEndPoint? Client = null);

/// <summary>
/// A resolver that misbehaves on demand, on 127.0.0.1 with the same port for UDP and TCP. It reads
/// queries and writes replies with our own message reader and writer, because no real server can be
/// made to drop, garble or mis-address its replies when a test asks. <see cref="Behaviour"/> decides
/// which datagrams (or TCP messages) go back for each query, in order, each after its delay.
/// </summary>
public sealed class FakeResolver : IAsyncDisposable
{
    public delegate IEnumerable<FakeReply> Behaviour(DnsMessage query, bool overTcp);

    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly Behaviour _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    private FakeResolver(Socket udp, Socket tcp, Behaviour behaviour)
    {
        _udp = udp;
        _tcp = tcp;
        _behaviour = behaviour;
        Endpoint = (IPEndPoint)udp.LocalEndPoint!;
    }

    public IPEndPoint Endpoint { get; }

    public ConcurrentQueue<ReceivedQuery> Received { get; } = new();

    public int UdpCount => Received.Count(q => !q.OverTcp);

    public int TcpCount => Received.Count(q => q.OverTcp);

    /// <param name="tcp">False: the TCP port is held but not listening, so connections are refused.</param>
    public static FakeResolver Start(Behaviour behaviour, bool tcp = true)
    {
        for (int attempt = 0; ; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var tcpSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcpSocket.Bind(udp.LocalEndPoint!);
                if (tcp)
                    tcpSocket.Listen();
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcpSocket.Dispose();
                continue;
            }
            var fake = new FakeResolver(udp, tcpSocket, behaviour);
            fake._loops.Add(Task.Run(fake.UdpLoopAsync));
            if (tcp)
                fake._loops.Add(Task.Run(fake.TcpLoopAsync));
            return fake;
        }
    }

    private static readonly Lazy<Task> WarmUp = new(async () =>
    {
        await using var fake = Start(Answering);
        var resolver = new StubResolver(new ResolverOptions { Servers = [fake.Endpoint], Timeout = TimeSpan.FromSeconds(10) });
        await resolver.LookupAddressesAsync(DnsName.Parse("warm.example.test."), default);
        await resolver.LookupTxtAsync(DnsName.Parse("warm.example.test."), default);
    });

    /// <summary>
    /// One exchange with everything compiled, once per test run: the first query of a process
    /// spends tens of milliseconds compiling, which a 200 ms timeout would take for silence.
    /// </summary>
    public static Task WarmUpAsync() => WarmUp.Value;

    // ---- behaviours

    public static IEnumerable<FakeReply> Silent(DnsMessage query, bool overTcp) => [];

    /// <summary>Answers every A query with 192.0.2.1 and every AAAA query with 2001:db8::1.</summary>
    public static IEnumerable<FakeReply> Answering(DnsMessage query, bool overTcp) => [FakeReply.Of(Answer(query))];

    public static Behaviour Rcode(Rcode rcode) => (query, _) => [FakeReply.Of(Reply(query, rcode))];

    // ---- message builders

    public static readonly IPAddress V4 = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress V6 = IPAddress.Parse("2001:db8::1");

    /// <summary>A response to <paramref name="query"/>: same ID and question, QR, RD copied, RA set; OPT echoed when asked with one.</summary>
    public static DnsMessage Reply(DnsMessage query, Rcode rcode = Protocol.Wire.Rcode.NoError)
    {
        var reply = new DnsMessage
        {
            Id = query.Id,
            Opcode = query.Opcode,
            Flags = HeaderFlags.QR | HeaderFlags.RA | (query.Flags & HeaderFlags.RD),
            Rcode = (int)rcode,
            Edns = query.Edns is null ? null : new EdnsOptions(1232),
        };
        reply.Questions.AddRange(query.Questions);
        return reply;
    }

    public static DnsMessage Answer(DnsMessage query)
    {
        var reply = Reply(query);
        var q = query.Questions[0];
        if (q.Type == RecordType.A)
            reply.Answers.Add(new ResourceRecord(q.Name, RecordType.A, 60, Rdata.A(V4)));
        else if (q.Type == RecordType.AAAA)
            reply.Answers.Add(new ResourceRecord(q.Name, RecordType.AAAA, 60, Rdata.Aaaa(V6)));
        else if (q.Type == RecordType.TXT)
            reply.Answers.Add(new ResourceRecord(q.Name, RecordType.TXT, 60, Rdata.Txt("fake")));
        return reply;
    }

    public static DnsMessage Cname(DnsMessage query, string target)
    {
        var reply = Reply(query);
        reply.Answers.Add(new ResourceRecord(query.Questions[0].Name, RecordType.CNAME, 60, Rdata.FromName(DnsName.Parse(target))));
        return reply;
    }

    // ---- loops

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult got;
            try
            {
                got = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP errors from clients that went away
            }
            if (!DnsMessage.TryParse(buffer.AsSpan(0, got.ReceivedBytes), out var query, out _))
                continue;
            var client = (IPEndPoint)got.RemoteEndPoint;
            Received.Enqueue(new ReceivedQuery(query, OverTcp: false, client));
            _ = Task.Run(async () =>
            {
                foreach (var reply in _behaviour(query, false))
                {
                    if (reply.Delay > TimeSpan.Zero)
                        await Task.Delay(reply.Delay);
                    try
                    {
                        await _udp.SendToAsync(reply.Wire, SocketFlags.None, client);
                    }
                    catch (Exception) when (_stop.IsCancellationRequested)
                    {
                    }
                }
            });
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeTcpAsync(connection));
        }
    }

    private async Task ServeTcpAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                var length = new byte[2];
                while (await ReadExactlyAsync(connection, length))
                {
                    var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                    if (!await ReadExactlyAsync(connection, body) || !DnsMessage.TryParse(body, out var query, out _))
                        return;
                    Received.Enqueue(new ReceivedQuery(query, OverTcp: true, connection.RemoteEndPoint as IPEndPoint));
                    foreach (var reply in _behaviour(query, true))
                    {
                        if (reply.Delay > TimeSpan.Zero)
                            await Task.Delay(reply.Delay, _stop.Token);
                        var framed = new byte[reply.Wire.Length + 2];
                        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Wire.Length);
                        reply.Wire.CopyTo(framed, 2);
                        await connection.SendAsync(framed, SocketFlags.None, _stop.Token);
                    }
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, _stop.Token);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Dispose();
        try
        {
            await Task.WhenAll(_loops);
        }
        catch (Exception)
        {
        }
    }
}

/// <summary>Octets to send back, after a delay.</summary>
public sealed record FakeReply(byte[] Wire, TimeSpan Delay = default)
{
    public static FakeReply Of(DnsMessage message, TimeSpan delay = default) => new(message.ToWire(), delay);
}
