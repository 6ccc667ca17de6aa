using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Server;

/// <summary>
/// UDP service: several sockets bound to the same address with SO_REUSEPORT, so the kernel
/// spreads datagrams across them, each drained by its own thread with its own buffers. The loop
/// receives, processes and sends in place, allocating nothing per query.
/// </summary>
public sealed partial class UdpListener : IDisposable
{
    private readonly DnsPipeline _pipeline;
    private readonly ILogger _logger;
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private volatile bool _stopping;
    private long[] _allocated = [];

    private readonly ServerOptions _options;

    /// <summary>
    /// 256 requests waiting for an asynchronous handler (UPDATE) at once: enough for bursts of DHCP
    /// updates; beyond it new ones are dropped, so a flood cannot queue without bound (clients retry).
    /// </summary>
    public const int MaxDeferred = 256;

    private int _deferred;
    private readonly ListenerInfo _info;

    public UdpListener(DnsPipeline pipeline, ServerOptions options, ILogger logger, int index = 0)
    {
        _pipeline = pipeline;
        _logger = logger;
        _options = options;
        int workers = Math.Max(1, options.UdpWorkers);
        if (options.Endpoint.Port != 0 && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
            SocketOptions.ProveUdpAddressFree(options.Endpoint);
        for (int i = 0; i < workers; i++)
        {
            var socket = new Socket(options.Endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                SocketOptions.EnableReusePort(socket);
            else if (i > 0)
            {
                socket.Dispose();
                break;
            }
            if (options.Endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = false;
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            var endpoint = i == 0 || options.Endpoint.Port != 0
                ? options.Endpoint
                : (IPEndPoint)_sockets[0].LocalEndPoint!;
            socket.Bind(endpoint);
            _sockets.Add(socket);
        }
        LocalEndPoint = (IPEndPoint)_sockets[0].LocalEndPoint!;
        _info = new ListenerInfo(index, LocalEndPoint);
        // Workers of several listeners are numbered apart, so per-worker state (counters) is never shared.
        _workerBase = Math.Max(0, index) * workers;
    }

    private readonly int _workerBase;

    /// <summary>Where this listener's queries arrive, as stages see it.</summary>
    public ListenerInfo Info => _info;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Managed bytes the receive threads have allocated so far (each thread's own count, summed):
    /// the evidence that the query path allocates nothing in steady state.
    /// </summary>
    public long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _allocated.Length; i++)
                sum += Volatile.Read(ref _allocated[i]);
            return sum;
        }
    }

    public void Start()
    {
        _allocated = new long[_sockets.Count];
        for (int i = 0; i < _sockets.Count; i++)
        {
            var socket = _sockets[i];
            int worker = i;
            var thread = new Thread(() => Run(socket, worker)) { IsBackground = true, Name = $"rdns-udp-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    private void Run(Socket socket, int worker)
    {
        if (BatchedUdp.IsSupported && _options.BatchedUdp)
        {
            RunBatched(socket, worker);
            return;
        }
        var request = new byte[65535];
        var response = new byte[65535];
        var address = new SocketAddress(socket.AddressFamily);
        while (!_stopping)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(request, SocketFlags.None, address);
            }
            catch (SocketException e) when (!_stopping && e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
            try
            {
                var source = RequestSource.Udp(ClientAddress.From(address), _info, System.Diagnostics.Stopwatch.GetTimestamp());
                var result = _pipeline.Process(request.AsSpan(0, received), response, source, _workerBase + worker);
                if (result.Action == ResponseAction.Deferred)
                    HandOff(socket, request.AsSpan(0, received), address, source, result);
                else if (result.Length > 0)
                    socket.SendTo(response.AsSpan(0, result.Length), SocketFlags.None, address);
                Volatile.Write(ref _allocated[worker], GC.GetAllocatedBytesForCurrentThread());
            }
            catch (SocketException e) when (!_stopping)
            {
                LogSendFailed(_logger, e.SocketErrorCode);
            }
            catch (Exception e) when (!_stopping)
            {
                // A bug must cost one answer, never the listener.
                LogQueryFailed(_logger, e);
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The Linux loop: receive a batch with one call, answer each in place, send the answers with
    /// one call. A receive timeout lets the loop notice it is being stopped.
    /// </summary>
    private void RunBatched(Socket socket, int worker)
    {
        socket.ReceiveTimeout = 500;
        using var batch = new BatchedUdp(requestSize: 4096, responseSize: Math.Max((int)_options.MaxUdpPayload, 512));
        var addresses = new SocketAddress[BatchedUdp.Batch];
        for (int i = 0; i < addresses.Length; i++)
            addresses[i] = new SocketAddress(socket.AddressFamily);
        var lengths = new int[BatchedUdp.Batch];
        var prefetch = PrefetchEnabled ? new ZonePrefetch(BatchedUdp.Batch) : null;
        while (!_stopping)
        {
            int received = batch.Receive(socket);
            if (received < 0)
                return;
            if (prefetch is not null && received > 1)
            {
                try
                {
                    Prefetch(prefetch, batch, received);
                }
                catch (Exception e) when (!_stopping)
                {
                    // Only hints: a bug there must cost nothing but the hints.
                    LogQueryFailed(_logger, e);
                }
            }
            // One timestamp per batch: a query's processing time includes its wait behind the
            // queries received with it, which is what its client waits too.
            long receivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < received; i++)
            {
                lengths[i] = 0;
                if (batch.Truncated(i))
                    continue;
                try
                {
                    batch.CopyAddress(i, addresses[i]);
                    var source = RequestSource.Udp(ClientAddress.From(addresses[i]), _info, receivedAt);
                    var result = _pipeline.Process(batch.Request(i), batch.Response(i), source, _workerBase + worker);
                    if (result.Action == ResponseAction.Deferred)
                        HandOff(socket, batch.Request(i), addresses[i], source, result);
                    else
                        lengths[i] = result.Length;
                }
                catch (Exception e) when (!_stopping)
                {
                    LogQueryFailed(_logger, e);
                }
            }
            if (received > 0)
                batch.Send(socket, lengths.AsSpan(0, received));
            Volatile.Write(ref _allocated[worker], GC.GetAllocatedBytesForCurrentThread());
        }
    }

    /// <summary>
    /// Prefetching across a batch (<see cref="ZonePrefetch"/>) on x86-64, unless
    /// <c>RDNS_UDP_PREFETCH=0</c> turns it off (to measure what it saves).
    /// </summary>
    private static readonly bool PrefetchEnabled = ZonePrefetch.IsSupported && Environment.GetEnvironmentVariable("RDNS_UDP_PREFETCH") != "0";

    /// <summary>Fetches what the batch's queries will read, one level per pass over the batch, before any is answered.</summary>
    private void Prefetch(ZonePrefetch prefetch, BatchedUdp batch, int received)
    {
        prefetch.Begin(_pipeline.CurrentZones);
        for (int pass = 0; pass < ZonePrefetch.Passes; pass++)
        {
            for (int i = 0; i < received; i++)
            {
                if (!batch.Truncated(i))
                    prefetch.Step(pass, i, batch.Request(i));
            }
        }
        prefetch.End();
    }

    /// <summary>
    /// Gives a request that must wait (UPDATE) to the thread pool with copies of its message and
    /// address, so the receive loop goes on at once; the answer is sent from there when ready.
    /// </summary>
    private void HandOff(Socket socket, ReadOnlySpan<byte> query, SocketAddress address, RequestSource source, in ProcessResult result)
    {
        if (Interlocked.Increment(ref _deferred) > MaxDeferred)
        {
            Interlocked.Decrement(ref _deferred);
            LogDeferredDropped(_logger, MaxDeferred);
            return;
        }
        var to = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span.CopyTo(to.Buffer.Span);
        int limit = _pipeline.UdpLimit(result.Parsed);
        var pending = new PendingRequest(query.ToArray(), new byte[limit], result.Parsed, source, result.Zones) { ResponseLimit = limit };
        _ = Task.Run(async () =>
        {
            try
            {
                int length = await _pipeline.ProcessDeferredAsync(pending, CancellationToken.None).ConfigureAwait(false);
                // A synchronous send: any asynchronous operation would switch the socket to
                // non-blocking mode for good, and the receive loop's recvmmsg would then spin.
                if (length > 0 && !_stopping)
                    socket.SendTo(pending.Response.Span[..length], SocketFlags.None, to);
            }
            catch (Exception e) when (!_stopping)
            {
                LogQueryFailed(_logger, e);
            }
            catch (Exception) when (_stopping)
            {
            }
            finally
            {
                Interlocked.Decrement(ref _deferred);
            }
        });
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _sockets)
            s.Dispose();
        foreach (var t in _threads)
            t.Join(TimeSpan.FromSeconds(2));
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "UDP send failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Unhandled exception while answering a UDP query")]
    private static partial void LogQueryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "More than {Limit} UDP requests wait for their handler; dropping new ones")]
    private static partial void LogDeferredDropped(ILogger logger, int limit);
}
