using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Server;

/// <summary>
/// UDP service: several sockets bound to the same address with SO_REUSEPORT, so the kernel
/// spreads datagrams across them, each drained by its own thread with its own buffers. The loop
/// receives, processes and sends in place, allocating nothing per query. With batched receives
/// (Linux), two loops share each socket: the first waits on it, the second sleeps until the first
/// finds its queue more than <see cref="HelperAfter"/> batches deep, then drains it beside the
/// first until it is empty. A loop that is keeping up alone finds more queries waiting per call
/// and wakes less than two would (CPU per query); one that is not gets help (throughput).
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

    /// <summary>
    /// Full batches in a row after which a socket's first loop wakes its second: more than two
    /// batches (128 queries) were waiting, so one loop is not keeping up.
    /// </summary>
    internal static readonly int HelperAfter =
        int.TryParse(Environment.GetEnvironmentVariable("RDNS_UDP_HELPER_AFTER"), out int after) && after > 0 ? after : 2;

    private readonly bool _batched;
    private readonly int _workers;

    public UdpListener(DnsPipeline pipeline, ServerOptions options, ILogger logger, int index = 0)
    {
        _pipeline = pipeline;
        _logger = logger;
        _options = options;
        int workers = Math.Max(1, options.UdpWorkers);
        _workers = workers;
        _batched = BatchedUdp.IsSupported && options.BatchedUdp;
        // Where SO_REUSEPORT is used, nobody else may hold the address: a fixed port is proven
        // free, and any port (0) is chosen by a socket without the option (see FreeUdpEndpoint).
        bool reusePort = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();
        var endpoint = options.Endpoint;
        if (reusePort && endpoint.Port != 0)
            SocketOptions.ProveUdpAddressFree(endpoint);
        else if (reusePort)
            endpoint = SocketOptions.FreeUdpEndpoint(endpoint);
        // Batched loops go two to a socket (the second a helper), others one each.
        int sockets = _batched ? (workers + 1) / 2 : workers;
        try
        {
            for (int i = 0; i < sockets; i++)
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                if (reusePort)
                    SocketOptions.EnableReusePort(socket);
                else if (i > 0)
                {
                    socket.Dispose();
                    break;
                }
                _sockets.Add(socket);
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                    socket.DualMode = false;
                SocketOptions.NeverFragment(socket);
                socket.ReceiveBufferSize = 4 * 1024 * 1024;
                socket.SendBufferSize = 4 * 1024 * 1024;
                socket.Bind(endpoint);
            }
        }
        catch
        {
            // A socket that failed to bind, and those bound before it, are let go with the error.
            foreach (var s in _sockets)
                s.Dispose();
            throw;
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

    /// <summary>The listener's sockets (one per SO_REUSEPORT member), for tests of their options.</summary>
    internal IReadOnlyList<Socket> Sockets => _sockets;

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

    /// <summary>Times a socket's first loop woke its second: how often one loop alone was not keeping up.</summary>
    public long HelperWakes => _helpers.Sum(h => h?.Wakes ?? 0);

    private HelperSignal?[] _helpers = [];

    /// <summary>Batched loops still running on each socket: the last to exit closes it (see <see cref="BatchedUdp"/>).</summary>
    private int[] _loopsOn = [];

    public void Start()
    {
        // Batched: every loop asked for, two to a socket; otherwise one per socket (one in all
        // where SO_REUSEPORT is missing).
        int threads = _batched ? _workers : _sockets.Count;
        _allocated = new long[threads];
        _helpers = new HelperSignal?[_sockets.Count];
        for (int g = 0; g < _sockets.Count; g++)
            _helpers[g] = _batched && 2 * g + 1 < threads ? new HelperSignal() : null;
        _loopsOn = new int[_sockets.Count];
        if (_batched)
        {
            for (int i = 0; i < threads; i++)
                _loopsOn[i / 2]++;
        }
        for (int i = 0; i < threads; i++)
        {
            int worker = i;
            var socket = _batched ? _sockets[i / 2] : _sockets[i];
            var helper = _batched ? _helpers[i / 2] : null;
            int group = i / 2;
            ThreadStart run = !_batched ? () => Run(socket, worker)
                : i % 2 == 0 ? () => Closing(group, () => RunBatched(socket, worker, helper))
                : () => Closing(group, () => RunHelper(socket, worker, helper!));
            var thread = new Thread(run) { IsBackground = true, Name = $"rdns-udp-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>Runs a batched loop of socket <paramref name="group"/>; the last of the socket's loops to exit closes it.</summary>
    private void Closing(int group, Action loop)
    {
        try
        {
            loop();
        }
        finally
        {
            if (Interlocked.Decrement(ref _loopsOn[group]) == 0)
                _sockets[group].Dispose();
        }
    }

    private void Run(Socket socket, int worker)
    {
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
    /// one call. A receive timeout lets the loop notice it is being stopped. Full batches
    /// <see cref="HelperAfter"/> times running wake the socket's second loop, if it has one.
    /// </summary>
    private void RunBatched(Socket socket, int worker, HelperSignal? helper)
    {
        socket.ReceiveTimeout = 500;
        using var loop = NewLoopBuffers(socket);
        int full = 0;
        while (!_stopping)
        {
            int received = loop.Batch.Receive(socket);
            if (received < 0)
                return;
            if (helper is not null)
            {
                full = received == BatchedUdp.Batch ? full + 1 : 0;
                if (full >= HelperAfter)
                    helper.Wake();
            }
            Answer(loop, socket, received, worker);
        }
    }

    /// <summary>
    /// A socket's second loop: asleep until the first wakes it, then takes what is queued without
    /// waiting, batch after batch, and sleeps again once the queue is empty.
    /// </summary>
    private void RunHelper(Socket socket, int worker, HelperSignal helper)
    {
        using var loop = NewLoopBuffers(socket);
        while (!_stopping)
        {
            // What the loop's buffers and its first sleep allocated is not the query path's.
            Volatile.Write(ref _allocated[worker], GC.GetAllocatedBytesForCurrentThread());
            if (!helper.Wait(500))
                continue;
            while (!_stopping)
            {
                int received = loop.Batch.Receive(socket, wait: false);
                if (received < 0)
                    return;
                if (received == 0)
                    break;
                Answer(loop, socket, received, worker);
            }
            helper.Parked();
        }
    }

    /// <summary>Answers a received batch: prefetched, each query through the pipeline, the answers sent with one call.</summary>
    private void Answer(LoopBuffers loop, Socket socket, int received, int worker)
    {
        var batch = loop.Batch;
        // What the prefetch found is handed to each query's answer; only hints, checked where used.
        var prefetch = loop.Prefetch is { } p && received > 1 ? p : null;
        if (prefetch is not null)
        {
            try
            {
                Prefetch(prefetch, batch, received);
            }
            catch (Exception e) when (!_stopping)
            {
                // Only hints: a bug there must cost nothing but the hints.
                LogQueryFailed(_logger, e);
                prefetch.End();
                prefetch = null;
            }
        }
        // One timestamp per batch at receipt and one when its answers are ready: a query's
        // processing time is the batch's, which is what its client waits, as the answers leave
        // together.
        long receivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        int answered = 0;
        var addresses = loop.Addresses;
        var lengths = loop.Lengths;
        for (int i = 0; i < received; i++)
        {
            lengths[i] = 0;
            if (batch.Truncated(i))
                continue;
            try
            {
                var source = new RequestSource(DnsTransport.Udp, batch.Client(i, socket.AddressFamily), _info, receivedAt, timedByBatch: true);
                var result = _pipeline.Process(batch.Request(i), batch.Response(i), source, _workerBase + worker, prefetch is null ? default : prefetch.Found(i));
                if (result.Action == ResponseAction.Deferred)
                {
                    // Only an answer sent later needs the address as an object of its own; it is
                    // timed when it is ready, not with the batch.
                    batch.CopyAddress(i, addresses[i]);
                    HandOff(socket, batch.Request(i), addresses[i], source with { TimedByBatch = false }, result);
                }
                else if ((lengths[i] = result.Length) > 0)
                    answered++;
            }
            catch (Exception e) when (!_stopping)
            {
                LogQueryFailed(_logger, e);
            }
        }
        prefetch?.End();
        _pipeline.BatchAnswered(_workerBase + worker, receivedAt, answered);
        if (received > 0)
            batch.Send(socket, lengths.AsSpan(0, received));
        Volatile.Write(ref _allocated[worker], GC.GetAllocatedBytesForCurrentThread());
    }

    private LoopBuffers NewLoopBuffers(Socket socket) => new(socket.AddressFamily, Math.Max((int)_options.MaxUdpPayload, 512));

    /// <summary>A batched loop's own buffers, made once: the native batch, address slots, answer lengths, prefetch state.</summary>
    private sealed class LoopBuffers : IDisposable
    {
        public LoopBuffers(AddressFamily family, int responseSize)
        {
            Batch = new BatchedUdp(requestSize: 4096, responseSize: responseSize);
            Addresses = new SocketAddress[BatchedUdp.Batch];
            for (int i = 0; i < Addresses.Length; i++)
                Addresses[i] = new SocketAddress(family);
        }

        public BatchedUdp Batch { get; }

        public SocketAddress[] Addresses { get; }

        public int[] Lengths { get; } = new int[BatchedUdp.Batch];

        public ZonePrefetch? Prefetch { get; } = PrefetchEnabled ? new ZonePrefetch(BatchedUdp.Batch) : null;

        public void Dispose() => Batch.Dispose();
    }

    /// <summary>
    /// Wakes a socket's second loop at most once per spell of help: <see cref="Wake"/> sets the
    /// event only while the helper is asleep, and the helper says when it goes back to sleep.
    /// </summary>
    private sealed class HelperSignal : IDisposable
    {
        private readonly ManualResetEventSlim _event = new(false, spinCount: 1);
        private int _running;
        private long _wakes;

        public long Wakes => Interlocked.Read(ref _wakes);

        public void Wake()
        {
            if (Volatile.Read(ref _running) == 0 && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            {
                Interlocked.Increment(ref _wakes);
                _event.Set();
            }
        }

        /// <summary>True when woken (the event is reset for the next spell), false after <paramref name="milliseconds"/>.</summary>
        public bool Wait(int milliseconds)
        {
            if (!_event.Wait(milliseconds))
                return false;
            _event.Reset();
            return true;
        }

        /// <summary>The queue was found empty: the next full batches wake the helper again.</summary>
        public void Parked() => Volatile.Write(ref _running, 0);

        /// <summary>Wakes the helper whatever it is doing (a stop).</summary>
        public void Release() => _event.Set();

        public void Dispose() => _event.Dispose();
    }

    /// <summary>
    /// Prefetching across a batch (<see cref="ZonePrefetch"/>) on x86-64, unless
    /// <c>RDNS_UDP_PREFETCH=0</c> turns it off (to measure what it saves).
    /// </summary>
    private static readonly bool PrefetchEnabled = ZonePrefetch.IsSupported && Environment.GetEnvironmentVariable("RDNS_UDP_PREFETCH") != "0";

    /// <summary>Fetches what the batch's queries will read, one level per pass over the batch, before any is answered (the caller ends the batch once answered).</summary>
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
        foreach (var helper in _helpers)
            helper?.Release();
        if (_batched && _threads.Count > 0)
        {
            // A batched loop sees the flag within its receive timeout, and the last loop of a
            // socket to exit closes it: a loop that has not exited when the wait ends (one held up
            // in a stage) still has its socket, whose number it uses, and closes it when it exits.
            Join();
        }
        else
        {
            // The portable loop's blocking receive ends only when its socket is closed.
            foreach (var s in _sockets)
                s.Dispose();
            Join();
        }
        foreach (var helper in _helpers)
            helper?.Dispose();
    }

    private void Join()
    {
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
