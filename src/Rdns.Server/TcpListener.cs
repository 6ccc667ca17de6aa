using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rdns.Server.Pipeline;

namespace Rdns.Server;

/// <summary>
/// DNS over TCP per RFC 7766: two-octet length framing (RFC 1035 §4.2.2), several queries per
/// connection answered in order, an idle timeout (shorter under pressure, and told to clients that
/// ask, RFC 7828), and fair shares of the connections (<see cref="TcpConnectionTable"/>).
/// </summary>
public sealed partial class DnsTcpListener : IDisposable
{
    private readonly DnsPipeline _pipeline;
    private readonly ServerOptions _options;
    private readonly ListenerInfo _listenerInfo;
    private readonly ILogger _logger;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly TcpConnectionTable _table;
    private readonly Stages.LogThrottle _refusedLog = new(TimeSpan.FromSeconds(10));
    private Task? _acceptLoop;

    public DnsTcpListener(DnsPipeline pipeline, ServerOptions options, ILogger logger, IPEndPoint endpoint, int index = 0, TcpConnectionTable? table = null)
    {
        _pipeline = pipeline;
        _table = table ?? new TcpConnectionTable(options);
        _options = options;
        _logger = logger;
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        SocketOptions.EnableReuseAddress(_listener);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            _listener.DualMode = false;
        _listener.Bind(endpoint);
        _listener.Listen(512);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _listenerInfo = new ListenerInfo(index, LocalEndPoint);
    }

    public IPEndPoint LocalEndPoint { get; }

    public int ActiveConnections => _table.Count;

    public TcpConnectionTable Connections => _table;

    public void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(_logger, e.SocketErrorCode);
                continue;
            }
            IPEndPoint remote;
            try
            {
                remote = (IPEndPoint)client.RemoteEndPoint!;
            }
            catch (SocketException)
            {
                client.Dispose();
                continue;
            }
            var connection = _table.TryAdmit(client, ClientAddress.From(remote), out var refusal);
            if (connection is null)
            {
                if (_refusedLog.TryEnter(out long suppressed))
                    LogConnectionRefused(_logger, remote, refusal!, suppressed);
                client.Dispose();
                continue;
            }
            _ = ServeAsync(connection, remote);
        }
    }

    private async Task ServeAsync(TcpConnectionTable.Connection connection, IPEndPoint remote)
    {
        var client = connection.Socket;
        var clientAddress = ClientAddress.From(remote);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, connection.Closing.Token);
        // An idle connection holds two octets; the buffers of a request are borrowed only while it is answered.
        var header = new byte[2];
        byte[]? request = null;
        byte[]? response = null;
        var stream = new SocketResponseStream(client);
        try
        {
            client.NoDelay = true;
            while (!closing.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
                idle.CancelAfter(_table.IdleTimeout);
                if (!await ReadExactlyAsync(client, header, idle.Token).ConfigureAwait(false))
                    return;
                int length = BinaryPrimitives.ReadUInt16BigEndian(header);
                if (length == 0)
                    return;
                request = ArrayPool<byte>.Shared.Rent(length);
                response = ArrayPool<byte>.Shared.Rent(65535 + 2);
                if (!await ReadExactlyAsync(client, request.AsMemory(0, length), idle.Token).ConfigureAwait(false))
                    return;

                connection.Begin(_table.Now);
                var source = RequestSource.Tcp(clientAddress, _listenerInfo, System.Diagnostics.Stopwatch.GetTimestamp()) with { KeepaliveUnits = _table.KeepaliveUnits };
                // Parsed once: a transfer or an update continues from the pipeline's parse.
                var result = _pipeline.Process(request.AsSpan(0, length), response.AsSpan(2, 65535), source);
                int written = result.Length;
                if (result.Action == ResponseAction.Stream)
                {
                    var pending = new PendingRequest(request.AsMemory(0, length), response.AsMemory(2, 65535), result.Parsed, source, result.Zones) { ResponseLimit = 65535 };
                    await _pipeline.StreamAsync(pending, stream, _stop.Token).ConfigureAwait(false);
                    connection.End(_table.Now);
                    Return(ref request, ref response);
                    continue;
                }
                if (result.Action == ResponseAction.Deferred)
                {
                    var pending = new PendingRequest(request.AsMemory(0, length), response.AsMemory(2, 65535), result.Parsed, source, result.Zones) { ResponseLimit = 65535 };
                    written = await _pipeline.ProcessDeferredAsync(pending, _stop.Token).ConfigureAwait(false);
                }
                if (written > 0)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)written);
                    await client.SendAsync(response.AsMemory(0, written + 2), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
                connection.End(_table.Now);
                Return(ref request, ref response);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (Exception e)
        {
            LogConnectionFailed(_logger, remote, e);
        }
        finally
        {
            Return(ref request, ref response);
            try
            {
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            client.Dispose();
            _table.Release(connection);
        }
    }

    private static void Return(ref byte[]? request, ref byte[]? response)
    {
        if (request is not null)
            ArrayPool<byte>.Shared.Return(request);
        if (response is not null)
            ArrayPool<byte>.Shared.Return(response);
        request = null;
        response = null;
    }

    private static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _acceptLoop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    private sealed class SocketResponseStream(Socket socket) : IResponseStream
    {
        public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            var framed = ArrayPool<byte>.Shared.Rent(message.Length + 2);
            try
            {
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
                message.CopyTo(framed.AsMemory(2));
                await socket.SendAsync(framed.AsMemory(0, message.Length + 2), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(framed);
            }
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "TCP accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "TCP connection from {Remote} refused: {Reason}; {Suppressed} more since the last line")]
    private static partial void LogConnectionRefused(ILogger logger, IPEndPoint remote, string reason, long suppressed);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Unhandled exception on TCP connection from {Remote}")]
    private static partial void LogConnectionFailed(ILogger logger, IPEndPoint remote, Exception exception);
}
