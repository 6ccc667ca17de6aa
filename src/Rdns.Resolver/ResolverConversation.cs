using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

/// <summary>
/// One query's exchanges with one resolver: a random ID and a connected UDP socket of its own
/// (so the kernel picks a random ephemeral source port and drops datagrams from anyone else),
/// kept across attempts so a late reply to an earlier try still counts; TCP when asked.
/// </summary>
internal sealed class ResolverConversation(IPEndPoint endpoint) : IDisposable
{
    private Socket? _udp;

    public IPEndPoint Endpoint { get; } = endpoint;

    /// <summary>RFC 5452 §9.2: an unpredictable ID, together with the random port, makes forging a reply a 32-bit guess.</summary>
    public ushort Id { get; } = (ushort)RandomNumberGenerator.GetInt32(0x10000);

    /// <summary>The server rejected EDNS (FORMERR or NOTIMP without OPT); later queries go without it.</summary>
    public bool WithoutEdns { get; set; }

    /// <summary>The server gave an answer that asking again would not change; it is not asked again for this query.</summary>
    public bool Finished { get; set; }

    public async ValueTask<Exchange> UdpAsync(ReadOnlyMemory<byte> query, Memory<byte> buffer, DnsName name, RecordType type,
        TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        try
        {
            if (_udp is null)
            {
                _udp = new Socket(Endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                _udp.Connect(Endpoint);
            }
            await _udp.SendAsync(query, SocketFlags.None, deadline.Token);
            while (true)
            {
                int received = await _udp.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                var reply = buffer[..received];
                if (!QueryWire.IsReplyTo(reply.Span, Id, name, type))
                    continue;
                return Read(reply.Span);
            }
        }
        catch (Exception e) when (IsCancellation(e))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Exchange.Timeout;
        }
        catch (SocketException)
        {
            // ICMP port or host unreachable comes back as ECONNREFUSED / EHOSTUNREACH on a connected socket.
            return Exchange.Unreachable;
        }
    }

    /// <summary>
    /// RFC 7766 §8: over TCP each message is preceded by its two-octet length. One query per
    /// connection; the connection is closed after the reply.
    /// </summary>
    public async ValueTask<Exchange> TcpAsync(ReadOnlyMemory<byte> framedQuery, Memory<byte> buffer, DnsName name, RecordType type,
        TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        Socket? tcp = null;
        try
        {
            tcp = new Socket(Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await tcp.ConnectAsync(Endpoint, deadline.Token);
            while (!framedQuery.IsEmpty)
            {
                int sent = await tcp.SendAsync(framedQuery, SocketFlags.None, deadline.Token);
                framedQuery = framedQuery[sent..];
            }
            while (true)
            {
                int got = await ReceiveAsync(tcp, buffer[..2], deadline.Token);
                if (got == 0)
                    return Exchange.Unreachable;
                if (got < 2)
                    return Exchange.Malformed;
                int length = BinaryPrimitives.ReadUInt16BigEndian(buffer.Span);
                var reply = buffer[..length];
                if (await ReceiveAsync(tcp, reply, deadline.Token) < length)
                    return Exchange.Malformed;
                if (QueryWire.IsReplyTo(reply.Span, Id, name, type))
                    return Read(reply.Span);
            }
        }
        catch (Exception e) when (IsCancellation(e))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Exchange.Timeout;
        }
        catch (SocketException)
        {
            return Exchange.Unreachable;
        }
        finally
        {
            tcp?.Dispose();
        }
    }

    public void Dispose() => _udp?.Dispose();

    private static Exchange Read(ReadOnlySpan<byte> reply) =>
        DnsMessage.TryParse(reply, out var message, out _) ? new Exchange(ExchangeStatus.Response, message) : Exchange.Malformed;

    /// <summary>Reads until <paramref name="destination"/> is full or the peer closes; returns the octets read.</summary>
    private static async ValueTask<int> ReceiveAsync(Socket socket, Memory<byte> destination, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = await socket.ReceiveAsync(destination[total..], SocketFlags.None, cancellationToken);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException || e is SocketException { SocketErrorCode: SocketError.OperationAborted };
}
