using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rdns.Interop.Tests.Support;

/// <summary>
/// A minimal DNS client for tests: sends prepared octets (well-formed or not) and returns the
/// raw reply, or null when none came. Messages are built and parsed with Rdns.Protocol's
/// <c>DnsMessage</c>, never by reading a tool's text.
/// </summary>
public static class DnsClient
{
    /// <summary>
    /// Sends <paramref name="query"/> over UDP and waits for a datagram from the server, retrying
    /// up to <paramref name="attempts"/> times. A reply must carry the query's ID (when the query
    /// has one) so a late answer to an earlier try is not taken for this one.
    /// </summary>
    public static async Task<byte[]?> UdpAsync(IPEndPoint server, byte[] query, TimeSpan timeout, int attempts = 2)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var buffer = new byte[65535];
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            await socket.SendAsync(query, SocketFlags.None);
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                    if (query.Length < 2 || (n >= 2 && buffer[0] == query[0] && buffer[1] == query[1]))
                        return buffer.AsSpan(0, n).ToArray();
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // ICMP port unreachable: nobody listens; trying again will not help.
                return null;
            }
        }
        return null;
    }

    /// <summary>
    /// Sends <paramref name="query"/> over a new TCP connection with the two-octet length prefix
    /// (RFC 1035 §4.2.2) and reads one framed reply; null when the server closed or stayed silent.
    /// </summary>
    public static async Task<byte[]?> TcpAsync(IPEndPoint server, byte[] query, TimeSpan timeout)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(server, cancel.Token);
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await socket.SendAsync(framed, SocketFlags.None, cancel.Token);
            var prefix = new byte[2];
            if (!await ReadExactlyAsync(socket, prefix, cancel.Token))
                return null;
            var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            return await ReadExactlyAsync(socket, reply, cancel.Token) ? reply : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}
