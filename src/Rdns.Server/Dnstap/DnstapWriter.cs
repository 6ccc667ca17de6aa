using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rdns.Server.Dnstap;

/// <summary>
/// Drains the dnstap queue onto the collector's Unix socket as Frame Streams (the bidirectional
/// handshake: READY, ACCEPT, START, data frames, STOP, FINISH; content type
/// <c>protobuf:dnstap.Dnstap</c>), many frames per write. Without a collector it keeps trying to
/// connect once a second and counts what it discards meanwhile; queries never wait for it.
/// </summary>
public sealed partial class DnstapWriter : IDisposable
{
    public const string ContentType = "protobuf:dnstap.Dnstap";

    private const uint ControlAccept = 1;
    private const uint ControlStart = 2;
    private const uint ControlStop = 3;
    private const uint ControlReady = 4;
    private const uint ControlFinish = 5;
    private const uint FieldContentType = 1;

    /// <summary>Frames are gathered into writes of up to 64 KiB: one system call for dozens of queries.</summary>
    private const int WriteSize = 64 * 1024;

    private static readonly TimeSpan ReconnectEvery = TimeSpan.FromSeconds(1);

    private readonly FrameQueue _queue;
    private readonly string _path;
    private readonly byte[] _buffer = new byte[WriteSize + DnstapStage.SlotSize];
    private ILogger _logger = NullLogger.Instance;
    private readonly Stages.LogThrottle _failureLog = new(TimeSpan.FromMinutes(1));
    private Thread? _thread;
    private volatile bool _stopping;
    private Socket? _socket;
    private long _written;
    private long _discarded;
    private int _connected;

    internal DnstapWriter(FrameQueue queue, string path)
    {
        _queue = queue;
        _path = path;
    }

    /// <summary>Requests whose frames reached the collector's socket.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Requests discarded while no collector was connected.</summary>
    public long Discarded => Interlocked.Read(ref _discarded);

    public bool Connected => Volatile.Read(ref _connected) == 1;

    public void Start(ILogger logger)
    {
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "rdns-dnstap" };
        _thread.Start();
    }

    private void Run()
    {
        var nextTry = DateTime.MinValue;
        while (!_stopping)
        {
            if (_socket is null)
            {
                if (DateTime.UtcNow >= nextTry)
                {
                    nextTry = DateTime.UtcNow + ReconnectEvery;
                    TryConnect();
                }
                if (_socket is null)
                {
                    Discard();
                    Thread.Sleep(20);
                    continue;
                }
            }
            try
            {
                if (!Drain())
                    Thread.Sleep(1);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Disconnect(e.Message);
            }
        }
        Finish();
    }

    /// <summary>Sends what is queued, in writes of up to 64 KiB; false when there was nothing.</summary>
    private bool Drain()
    {
        int used = 0;
        long requests = 0;
        while (used < WriteSize && _queue.TryPeek(out var frame))
        {
            frame.CopyTo(_buffer.AsSpan(used));
            used += frame.Length;
            if (frame.Length > 0)
                requests++;
            _queue.Release();
        }
        if (used == 0)
            return false;
        SendAll(_buffer.AsSpan(0, used));
        Interlocked.Add(ref _written, requests);
        return true;
    }

    private void Discard()
    {
        long n = 0;
        while (_queue.TryPeek(out var frame))
        {
            if (frame.Length > 0)
                n++;
            _queue.Release();
        }
        if (n > 0)
            Interlocked.Add(ref _discarded, n);
    }

    private void TryConnect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_path));
            socket.ReceiveTimeout = 5000;
            socket.SendTimeout = 5000;
            _socket = socket;
            // Bidirectional Frame Streams: offer the content type, wait for ACCEPT, then START.
            SendControl(ControlReady, withContentType: true);
            var accepted = ReadControl();
            if (accepted != ControlAccept)
                throw new SocketException((int)SocketError.ProtocolNotSupported);
            SendControl(ControlStart, withContentType: true);
            Volatile.Write(ref _connected, 1);
            LogConnected(_logger, _path);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            _socket = null;
            socket.Dispose();
            if (_failureLog.TryEnter(out long suppressed))
                LogCannotConnect(_logger, _path, e.Message, suppressed);
        }
    }

    private void Disconnect(string reason)
    {
        Volatile.Write(ref _connected, 0);
        _socket?.Dispose();
        _socket = null;
        if (_failureLog.TryEnter(out long suppressed))
            LogLost(_logger, _path, reason, suppressed);
    }

    /// <summary>On stop: what is queued, then STOP, and FINISH awaited briefly, so the collector closes its file cleanly.</summary>
    private void Finish()
    {
        if (_socket is null)
            return;
        try
        {
            while (Drain())
            {
            }
            SendControl(ControlStop, withContentType: false);
            _socket.ReceiveTimeout = 1000;
            ReadControl();
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
        _socket = null;
        Volatile.Write(ref _connected, 0);
    }

    private void SendControl(uint type, bool withContentType)
    {
        var content = Encoding.ASCII.GetBytes(ContentType);
        int length = 4 + (withContentType ? 8 + content.Length : 0);
        var frame = new byte[8 + length];
        // An escape (a zero length) marks a control frame, then its length and type.
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), type);
        if (withContentType)
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), FieldContentType);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(16), (uint)content.Length);
            content.CopyTo(frame, 20);
        }
        SendAll(frame);
    }

    private uint ReadControl()
    {
        var header = new byte[8];
        ReceiveExactly(header);
        uint escape = BinaryPrimitives.ReadUInt32BigEndian(header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        if (escape != 0 || length < 4 || length > 512)
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        var body = new byte[length];
        ReceiveExactly(body);
        return BinaryPrimitives.ReadUInt32BigEndian(body);
    }

    private void SendAll(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
            data = data[_socket!.Send(data)..];
    }

    private void ReceiveExactly(Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            int n = _socket!.Receive(into);
            if (n == 0)
                throw new SocketException((int)SocketError.ConnectionReset);
            into = into[n..];
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(3));
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "dnstap: writing to {Path}")]
    private static partial void LogConnected(ILogger logger, string path);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "dnstap: cannot connect to {Path} ({Reason}); retrying every second, discarding frames meanwhile ({Suppressed} similar lines suppressed)")]
    private static partial void LogCannotConnect(ILogger logger, string path, string reason, long suppressed);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "dnstap: lost the collector at {Path} ({Reason}); reconnecting ({Suppressed} similar lines suppressed)")]
    private static partial void LogLost(ILogger logger, string path, string reason, long suppressed);
}
