using System.Diagnostics;
using System.Text;
using Rdns.Server.Pipeline;

namespace Rdns.Server.Dnstap;

/// <summary>
/// dnstap query logging as a stage after the answer: each sampled request is encoded as an
/// AUTH_QUERY frame and, when it was answered, an AUTH_RESPONSE frame, into a slot of a bounded
/// queue that <see cref="DnstapWriter"/> drains onto the collector's Frame Streams socket. A full
/// queue drops the request's frames and counts them: logging never slows or blocks an answer,
/// and nothing is allocated per query.
/// </summary>
public sealed class DnstapStage : IQueryStage, IDisposable
{
    /// <summary>A slot holds both frames of a request: a UDP answer (1,232 octets at most) and its query with room to spare.</summary>
    public const int SlotSize = 4096;

    private readonly FrameQueue _queue;
    private readonly byte[] _identity;
    private readonly byte[] _version;
    private readonly bool _responses;
    private readonly int _sample;
    // One sampling counter per worker (and one shared), a cache line apart.
    private readonly long[] _sampling;
    private readonly int _workers;
    private readonly long _baseTimestamp;
    private readonly long _baseUnixNanoseconds;
    private long _logged;
    private long _dropped;
    private long _tooLarge;

    public DnstapStage(DnstapOptions options, int udpWorkers, string version, TimeProvider? time = null)
    {
        options.Validate();
        _queue = new FrameQueue(options.QueueSize, SlotSize);
        _identity = Encoding.UTF8.GetBytes(options.Identity ?? Environment.MachineName);
        _version = Encoding.UTF8.GetBytes(version);
        _responses = options.Responses;
        _sample = options.Sample;
        _workers = Math.Max(1, udpWorkers);
        _sampling = new long[(_workers + 1) * 16];
        var clock = time ?? TimeProvider.System;
        _baseTimestamp = Stopwatch.GetTimestamp();
        _baseUnixNanoseconds = (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        Writer = new DnstapWriter(_queue, options.Socket ?? throw new ArgumentException("Dnstap:Socket is not set"));
    }

    /// <summary>The writer draining the queue; started by the host.</summary>
    public DnstapWriter Writer { get; }

    /// <summary>Requests whose frames went into the queue.</summary>
    public long Logged => Interlocked.Read(ref _logged);

    /// <summary>Sampled requests dropped because the queue was full (the collector is slower than the queries).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Sampled requests whose frames do not fit a slot (large TCP answers): not logged.</summary>
    public long TooLarge => Interlocked.Read(ref _tooLarge);

    public bool ObservesEveryResponse => true;

    public StageVerdict Admit(ref DnsRequest request) => StageVerdict.Continue;

    public bool Admits => false;

    public void Complete(ref DnsRequest request)
    {
        if (_sample > 1)
        {
            int worker = request.Worker;
            int slot = (worker < 0 || worker >= _workers ? 0 : worker + 1) * 16;
            long n = worker < 0 || worker >= _workers ? Interlocked.Increment(ref _sampling[slot]) : ++_sampling[slot];
            if (n % _sample != 0)
                return;
        }
        if (!_queue.TryClaim(out long position, out var into))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        int length = 0;
        try
        {
            var now = Now(Stopwatch.GetTimestamp());
            var received = request.Source.ReceivedAt != 0 ? Now(request.Source.ReceivedAt) : now;
            var zone = request.ZoneName;
            var envelope = new DnstapFrame.Envelope(_identity, _version, request.Source, zone);
            length = DnstapFrame.Write(into, envelope, DnstapFrame.AuthQuery, received, request.Query, now, default);
            bool answered = request.Action != ResponseAction.Drop && request.Length > 0;
            if (length > 0 && _responses && answered)
            {
                int second = DnstapFrame.Write(into[length..], envelope, DnstapFrame.AuthResponse, received, default, now, request.Written);
                length = second == 0 ? 0 : length + second;
            }
        }
        finally
        {
            // Always published, even empty: the writer reads slots in order and would wait forever on one left claimed.
            _queue.Publish(position, length);
        }
        if (length == 0)
            Interlocked.Increment(ref _tooLarge);
        else
            Interlocked.Increment(ref _logged);
    }

    private DnstapFrame.Time Now(long timestamp)
    {
        long nanos = _baseUnixNanoseconds + (long)((timestamp - _baseTimestamp) * (1_000_000_000.0 / Stopwatch.Frequency));
        return new DnstapFrame.Time((ulong)(nanos / 1_000_000_000), (uint)(nanos % 1_000_000_000));
    }

    public void Dispose() => Writer.Dispose();
}
