using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Wire;

namespace Rdns.Transfer;

/// <summary>
/// DNS over TCP: each message after its two-octet length (RFC 1035 §4.2.2). A connection may carry
/// one exchange after another (RFC 7766 §6.2.1); <see cref="Reused"/> says whether this exchange
/// is not its first.
/// </summary>
internal sealed class TcpConnection(Socket socket, IPEndPoint server, TimeSpan idle) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly byte[] _length = new byte[2];

    public IPEndPoint Server => server;

    /// <summary>True when an earlier exchange went over this connection.</summary>
    public bool Reused { get; set; }

    /// <summary>
    /// The last exchange stopped reading before the server's end of it (an IXFR answered in full
    /// after its first message said nothing newer): the rest may still arrive, so the connection
    /// must not carry another request.
    /// </summary>
    public bool Unfinished { get; set; }

    /// <summary>When the last exchange over it ended (<see cref="Environment.TickCount64"/>).</summary>
    public long IdleSince { get; set; }

    /// <summary>
    /// Whether an idle connection can take another request: nothing is waiting to be read (a
    /// server that closed it has sent its FIN, one that misbehaved sent something unasked).
    /// </summary>
    public bool LooksUsable()
    {
        try
        {
            return socket.Connected && !socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async Task SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        try
        {
            await _stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new TransferException(TransferFailure.Unreachable, $"{server}: {e.Message}", inner: e);
        }
    }

    /// <summary>The next message, or null when the server closed the connection cleanly between messages.</summary>
    public async Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactlyAsync(_length, cancellationToken, allowEnd: true).ConfigureAwait(false))
            return null;
        int length = BinaryPrimitives.ReadUInt16BigEndian(_length);
        if (length < DnsHeader.Size)
            throw new TransferException(TransferFailure.Malformed, $"{server} sent a message of {length} octets");
        var message = new byte[length];
        await ReadExactlyAsync(message, cancellationToken, allowEnd: false).ConfigureAwait(false);
        return message;
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken, bool allowEnd)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(idle);
        int read = 0;
        try
        {
            while (read < buffer.Length)
            {
                int n = await _stream.ReadAsync(buffer.AsMemory(read), wait.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    if (allowEnd && read == 0)
                        return false;
                    throw new TransferException(TransferFailure.Unreachable, $"{server} closed the connection in the middle of a message");
                }
                read += n;
            }
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransferException(TransferFailure.Timeout, $"{server} sent nothing for {idle.TotalSeconds:0} s");
        }
        catch (IOException e)
        {
            throw new TransferException(TransferFailure.Unreachable, $"{server}: {e.Message}", inner: e);
        }
    }

    public void Dispose() => _stream.Dispose();
}
