using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rdns.Control.Tests.Secondary;

/// <summary>
/// The TCP side of the scripted primaries in the secondary's connection tests: a loopback listener
/// that counts the connections it accepts and hands each to a script (<c>serve</c>), which reads and
/// writes the stream as the test needs. Disposing stops accepting, cancels the scripts and waits
/// for them. A script's stream ending, failing or being cancelled ends that connection quietly.
/// </summary>
internal sealed class ScriptedTcpServer : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<NetworkStream, CancellationToken, Task> _serve;
    private readonly Task _accepting;
    private int _connections;

    public ScriptedTcpServer(Func<NetworkStream, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener.Start();
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = Task.Run(AcceptAsync);
    }

    public IPEndPoint Endpoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The next request on <paramref name="stream"/>: its two length octets, then the message.</summary>
    public static async Task<byte[]> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var length = new byte[2];
        await stream.ReadExactlyAsync(length, cancellationToken);
        var request = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await stream.ReadExactlyAsync(request, cancellationToken);
        return request;
    }

    private async Task AcceptAsync()
    {
        var served = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                served.Add(ServeAsync(client));
            }
        }
        // Stopped: while waiting (cancelled, or the socket closed), or before the first accept
        // began (the listener no longer listening).
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
        await Task.WhenAll(served);
    }

    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            await _serve(stream, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or EndOfStreamException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
