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
    /// Whether an idle connection can take another request: nothing is waiting to be read, on the
    /// socket or read ahead (a server that closed it has sent its FIN, one that misbehaved sent
    /// something unasked).
    /// </summary>
    public bool LooksUsable()
    {
        try
        {
            // Octets read ahead and not taken are the start of something not asked for.
            return _start == _end && socket.Connected && !socket.Poll(0, SelectMode.SelectRead);
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

    /// <summary>
    /// What was read from the socket and not yet taken: a read takes whatever has arrived (up to
    /// the buffer's size), so the length and a small message (an IXFR of one change, the SOA of
    /// an answer that nothing is newer) come in one system call rather than one for the length
    /// and one for the message.
    /// </summary>
    private readonly byte[] _buffer = new byte[ReadAhead];
    private int _start;
    private int _end;

    /// <summary>4 KiB: a DNS answer of a change or two, with room to spare; a larger message is read straight into its own array.</summary>
    internal const int ReadAhead = 4096;

    /// <summary>The next message, or null when the server closed the connection cleanly between messages.</summary>
    public async Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (!await FillLengthAsync(wait).ConfigureAwait(false))
                return null;
            int length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start));
            _start += 2;
            if (length < DnsHeader.Size)
                throw new TransferException(TransferFailure.Malformed, $"{server} sent a message of {length} octets");
            var message = new byte[length];
            int have = Math.Min(length, _end - _start);
            _buffer.AsSpan(_start, have).CopyTo(message);
            _start += have;
            // The rest of a message larger than what was buffered goes straight into it.
            for (int read = have; read < length;)
            {
                wait.CancelAfter(idle);
                int n = await _stream.ReadAsync(message.AsMemory(read), wait.Token).ConfigureAwait(false);
                if (n == 0)
                    throw new TransferException(TransferFailure.Unreachable, $"{server} closed the connection in the middle of a message");
                read += n;
            }
            return message;
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

    /// <summary>
    /// Until at least a message's two-octet length is buffered, each read waiting at most the idle
    /// time; false when the server closed the connection cleanly, between messages.
    /// </summary>
    private async Task<bool> FillLengthAsync(CancellationTokenSource wait)
    {
        const int count = 2;
        if (_end - _start >= count)
            return true;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        while (_end < count)
        {
            wait.CancelAfter(idle);
            int n = await _stream.ReadAsync(_buffer.AsMemory(_end), wait.Token).ConfigureAwait(false);
            if (n == 0)
            {
                if (_end == 0)
                    return false;
                throw new TransferException(TransferFailure.Unreachable, $"{server} closed the connection in the middle of a message");
            }
            _end += n;
        }
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
