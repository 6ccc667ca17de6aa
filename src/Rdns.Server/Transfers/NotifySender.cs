using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Server.Transfers;

/// <summary>Signs outgoing NOTIFY messages for peers that use a TSIG key, and checks their answers.</summary>
public interface INotifySigner
{
    /// <summary>Signs the message in place; returns the new length.</summary>
    int Sign(Span<byte> message, int length, string keyName, out object? state);

    /// <summary>True when the answer carries a valid signature for the request signed with <paramref name="state"/>.</summary>
    bool Verify(ReadOnlySpan<byte> response, string keyName, object? state);
}

/// <summary>
/// NOTIFY (RFC 1996) to every secondary after each committed change, so they transfer at once
/// instead of waiting for the SOA refresh timer. Each (secondary, zone) is retried with doubling
/// delays until the secondary acknowledges; a newer serial replaces a pending older one. Changes
/// are gathered for <see cref="Hold"/> before they are sent, so a zone changed several times in
/// that window is announced once (with its newest serial), and while a NOTIFY of a zone awaits
/// its answer the zone's later changes wait for it and go as one. Every NOTIFY goes out on one
/// shared UDP socket per address family (<see cref="NotifySocket"/>).
/// </summary>
public sealed partial class NotifySender : IAsyncDisposable
{
    /// <summary>First wait for an acknowledgement; RFC 1996 §3.6 suggests a few seconds and retrying.</summary>
    public static readonly TimeSpan FirstTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between tries.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>Tries before giving up on one serial (about 15 minutes with the caps above).</summary>
    public const int MaxTries = 20;

    /// <summary>
    /// NOTIFYs awaiting their answer at once per secondary: 64. They share one socket, so the bound
    /// is not for file descriptors but for the secondary: a burst of changes reaches it at the pace
    /// it answers, not as thousands of datagrams at once (a secondary that is down then costs one
    /// timer per NOTIFY in flight, not one per zone). Per secondary, so one that is down does not
    /// hold up the others.
    /// </summary>
    public const int MaxSendsPerSecondary = 64;

    /// <summary>
    /// 20 ms: how long changes are gathered before their NOTIFYs go out. A zone changed many times
    /// in that window costs each secondary one NOTIFY and one transfer, not one per change; the
    /// window adds at most that much to the time a change takes to reach the secondaries.
    /// </summary>
    public static readonly TimeSpan DefaultHold = TimeSpan.FromMilliseconds(20);

    private readonly NotifySocket _socket = new();

    private readonly ConcurrentDictionary<IPEndPoint, SemaphoreSlim> _sending = new();

    private volatile IReadOnlyList<SecondaryPeer> _peers;
    private readonly ServedZones _zones;
    private readonly INotifySigner? _signer;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(IPEndPoint, DnsName), uint> _pending = new();
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>(secondary, zone) pairs that may need a delivery started: what changed, and what a delivery left pending.</summary>
    private readonly ConcurrentQueue<(IPEndPoint, DnsName)> _ready = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<(IPEndPoint, DnsName), Task> _inFlight = new();
    private readonly ConcurrentDictionary<IPEndPoint, SecondaryStatus> _status;
    private readonly ConcurrentDictionary<IPEndPoint, Stages.LogThrottle> _silentLog;
    private readonly TimeProvider _time;

    /// <summary>
    /// The try after which an unanswered NOTIFY is a warning (about 7 s after the first): long
    /// enough to ride out a lost datagram, short enough that a dead secondary is noticed in seconds.
    /// </summary>
    public const int WarnAfterTries = 3;

    /// <summary>One warning per secondary per minute; the lines held back are counted in the next one.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    public NotifySender(IReadOnlyList<SecondaryPeer> peers, ServedZones zones, INotifySigner? signer, ILogger logger, TimeProvider? time = null, TimeSpan? hold = null)
    {
        Hold = hold ?? DefaultHold;
        _peers = peers;
        _zones = zones;
        _signer = signer;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _status = new();
        _silentLog = new();
        Replace(peers);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>
    /// The secondaries from now on (a settings reload): new ones get NOTIFY from the next change,
    /// removed ones get nothing more; pending NOTIFYs to removed ones are dropped.
    /// </summary>
    public void Replace(IReadOnlyList<SecondaryPeer> peers)
    {
        foreach (var peer in peers)
        {
            _status.TryAdd(peer.Endpoint, new SecondaryStatus(peer));
            _silentLog.TryAdd(peer.Endpoint, new Stages.LogThrottle(WarningInterval, _time));
        }
        _peers = peers;
        foreach (var key in _pending.Keys)
        {
            if (!peers.Any(p => p.Endpoint.Equals(key.Item1)))
                _pending.TryRemove(key, out _);
        }
        foreach (var gone in _status.Keys.Where(e => !peers.Any(p => p.Endpoint.Equals(e))).ToList())
            _status.TryRemove(gone, out _);
    }

    /// <summary>How long changes are gathered before their NOTIFYs go out (measured on the sender's <see cref="TimeProvider"/>).</summary>
    public TimeSpan Hold { get; }

    /// <summary>UDP sockets the NOTIFYs went out on so far: one per address family of the secondaries.</summary>
    public int Sockets => _socket.Sockets;

    /// <summary>Each secondary's NOTIFY state.</summary>
    public IReadOnlyList<SecondaryStatus> Secondaries => [.. _status.Values];

    /// <summary>Zones whose newest serial a secondary has not acknowledged yet, with that serial.</summary>
    public IReadOnlyList<(DnsName Zone, uint Serial)> PendingFor(IPEndPoint secondary) =>
        [.. _pending.Where(p => p.Key.Item1.Equals(secondary)).Select(p => (p.Key.Item2, p.Value))];

    /// <summary>Acknowledged NOTIFYs so far (for tests and health output).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    private long _acknowledged;

    /// <summary>Schedules a NOTIFY of <paramref name="zone"/> to every secondary.</summary>
    public void Enqueue(DnsName zone, uint serial)
    {
        var peers = _peers;
        if (peers.Count == 0)
            return;
        var name = zone.ToLower();
        foreach (var peer in peers)
        {
            _pending[(peer.Endpoint, name)] = serial;
            _ready.Enqueue((peer.Endpoint, name));
        }
        _wake.Release();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (Hold > TimeSpan.Zero)
            {
                try
                {
                    // The changes of the next moments join this round.
                    await Task.Delay(Hold, _time, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            // One pass for every wake that came meanwhile; only the pairs that changed are looked at,
            // not every pending one (thousands when secondaries are slow or down).
            while (_wake.CurrentCount > 0 && _wake.Wait(0))
            {
            }
            while (_ready.TryDequeue(out var key))
            {
                if (_inFlight.ContainsKey(key) || !_pending.ContainsKey(key))
                    continue;
                var peer = _peers.FirstOrDefault(p => p.Endpoint.Equals(key.Item1));
                if (peer is null)
                {
                    _pending.TryRemove(key, out _);
                    continue;
                }
                // Registered before it runs: a delivery that finds nothing pending and ends at once
                // must not outrun its registration and leave the key marked in flight for good
                // (every later NOTIFY of the zone to this secondary would then be skipped).
                var delivery = new Task<Task>(() => DeliverAsync(peer, key.Item2));
                if (_inFlight.TryAdd(key, delivery.Unwrap()))
                    delivery.Start(TaskScheduler.Default);
            }
        }
    }

    /// <summary>How many times one delivery is sent at once because its secondary answered again (see <see cref="Answering"/>).</summary>
    private const int MaxRevivals = 3;

    /// <summary>Sends until acknowledged, always the newest pending serial of this zone for this peer.</summary>
    private async Task DeliverAsync(SecondaryPeer peer, DnsName zone)
    {
        var key = (peer.Endpoint, zone);
        var delay = FirstTimeout;
        int revivals = 0;
        try
        {
            for (int attempt = 1; attempt <= MaxTries && !_stop.IsCancellationRequested; attempt++)
            {
                if (!_pending.TryGetValue(key, out uint serial))
                    return;
                var snapshot = _zones.Current.Get(zone);
                if (snapshot is null)
                {
                    _pending.TryRemove(key, out _);
                    return;
                }
                var slots = _sending.GetOrAdd(peer.Endpoint, _ => new SemaphoreSlim(MaxSendsPerSecondary));
                await slots.WaitAsync(_stop.Token).ConfigureAwait(false);
                Rcode? outcome;
                try
                {
                    // The newest serial by the time a slot is free.
                    snapshot = _zones.Current.Get(zone) ?? snapshot;
                    outcome = await SendOnceAsync(peer, snapshot, delay).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
                var status = _status.GetOrAdd(peer.Endpoint, _ => new SecondaryStatus(peer));
                if (outcome == Rcode.NoError)
                {
                    Interlocked.Increment(ref _acknowledged);
                    Answering(peer.Endpoint);
                    status.Acknowledge(zone, snapshot.Serial, _time.GetUtcNow());
                    if (_logger.IsEnabled(LogLevel.Debug))
                        LogAcknowledged(_logger, zone.ToString(), snapshot.Serial, peer.Endpoint.ToString());
                    // Done unless a newer serial arrived while this one was in flight.
                    if (_pending.TryGetValue(key, out uint now) && now == serial && _pending.TryRemove(new KeyValuePair<(IPEndPoint, DnsName), uint>(key, serial)))
                        return;
                    attempt = 0;
                    delay = FirstTimeout;
                    continue;
                }
                // Marked before the failure is counted: whoever sees the count sees the mark.
                if (outcome is null)
                    _silent[peer.Endpoint] = true;
                status.Fail();
                LogRetry(_logger, zone.ToString(), peer.Endpoint.ToString(), attempt, outcome?.ToString() ?? "no answer");
                // A secondary that stops answering is said within seconds, once a minute at most
                // per secondary however many zones change, with the count of lines held back.
                if (attempt >= WarnAfterTries && _silentLog.GetOrAdd(peer.Endpoint, _ => new Stages.LogThrottle(WarningInterval, _time)).TryEnter(out long suppressed))
                    LogNotAnswering(_logger, peer.Endpoint.ToString(), zone.ToString(), snapshot.Serial, attempt, outcome?.ToString() ?? "no answer", suppressed);
                if (outcome is not null)
                {
                    // It answered, with an error (NOTAUTH, REFUSED...): asked again after the delay.
                    await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
                }
                else if (revivals < MaxRevivals)
                {
                    if (await WaitOrRevivedAsync(peer.Endpoint, delay).ConfigureAwait(false))
                    {
                        // The secondary answers again (it was down, or restarting): this zone goes
                        // now. A few times per delivery only: a secondary that answers some tries
                        // and drops others would otherwise spend every try within seconds.
                        revivals++;
                        delay = FirstTimeout;
                        continue;
                    }
                }
                else
                {
                    await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
            }
            if (_pending.TryRemove(key, out uint dropped))
            {
                if (_status.TryGetValue(peer.Endpoint, out var gaveUp))
                    gaveUp.GiveUp();
                LogGaveUp(_logger, zone.ToString(), dropped, peer.Endpoint.ToString(), MaxTries);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
            if (_pending.ContainsKey(key))
            {
                _ready.Enqueue(key);
                _wake.Release();
            }
        }
    }

    /// <summary>Secondaries whose last try went unanswered: their next answer revives the deliveries waiting to retry.</summary>
    private readonly ConcurrentDictionary<IPEndPoint, bool> _silent = new();

    /// <summary>Per secondary, cancelled when it answers again after silence.</summary>
    private readonly ConcurrentDictionary<IPEndPoint, CancellationTokenSource> _revived = new();

    /// <summary>
    /// An answer from <paramref name="secondary"/>: when its tries had gone unanswered, the NOTIFYs
    /// waiting out their backoff to it go now, not after a wait that doubled up to a minute while
    /// it was down (a restarted secondary would otherwise hear of the zones that changed meanwhile
    /// only that much later).
    /// </summary>
    private void Answering(IPEndPoint secondary)
    {
        if (!_silent.TryRemove(secondary, out _))
            return;
        if (_revived.TryRemove(secondary, out var waiting))
            waiting.Cancel();
    }

    /// <summary>Waits <paramref name="delay"/> (on the sender's clock); true when the secondary answered again meanwhile.</summary>
    private async Task<bool> WaitOrRevivedAsync(IPEndPoint secondary, TimeSpan delay)
    {
        var revived = _revived.GetOrAdd(secondary, _ => new CancellationTokenSource());
        // It answered between this try's failure and now: no wait.
        if (!_silent.ContainsKey(secondary))
            return true;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, revived.Token);
        try
        {
            await Task.Delay(delay, _time, wait.Token).ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return true;
        }
    }

    /// <summary>One NOTIFY over UDP on the shared socket; the answer's RCODE, or null on timeout or an answer that fails its check.</summary>
    private async Task<Rcode?> SendOnceAsync(SecondaryPeer peer, ZoneSnapshot zone, TimeSpan timeout)
    {
        var (id, answer) = _socket.Reserve(peer.Endpoint, zone.Origin);
        var wire = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int length = WriteNotify(wire, id, zone);
            object? state = null;
            if (peer.KeyName is not null)
            {
                if (_signer is null)
                    return null;
                length = _signer.Sign(wire, length, peer.KeyName, out state);
            }
            if (!await _socket.SendAsync(peer.Endpoint, wire.AsMemory(0, length), _stop.Token).ConfigureAwait(false))
                return null;
            byte[] reply;
            try
            {
                reply = await answer.WaitAsync(timeout, _stop.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
            if (!DnsMessage.TryParse(reply, out var parsed, out _) || parsed.Id != id || !parsed.Has(HeaderFlags.QR) || parsed.Opcode != Opcode.Notify)
                return null;
            if (peer.KeyName is not null && !_signer!.Verify(reply, peer.KeyName, state))
                return null;
            return (Rcode)parsed.Rcode;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            _socket.Release(peer.Endpoint, id);
            ArrayPool<byte>.Shared.Return(wire);
        }
    }

    /// <summary>
    /// The NOTIFY of <paramref name="zone"/>'s current serial, written straight into
    /// <paramref name="buffer"/> (nothing allocated: a primary sends one per change and secondary).
    /// </summary>
    internal static int WriteNotify(Span<byte> buffer, ushort id, ZoneSnapshot zone)
    {
        var w = new DnsMessageWriter(buffer, NotifyLimit);
        w.Id = id;
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.AA, Opcode.Notify, 0);
        var origin = zone.Origin.Wire;
        w.TryWriteQuestion(origin, RecordType.SOA, RecordClass.IN);
        // RFC 1996 §3.7: the current SOA may ride along as a hint.
        if (!w.TryWriteRecord(Section.Answer, origin, RecordType.SOA, RecordClass.IN, zone.Soa.Ttl, zone.Soa.Data[0]))
            throw new InvalidOperationException($"the SOA of {zone.Origin} does not fit a NOTIFY");
        return w.Finish();
    }

    /// <summary>
    /// 1,024 octets for the NOTIFY itself: a question and an SOA (two names of at most 255 octets
    /// each, the owner compressed) always fit, with room for a TSIG record in the 4,096-octet buffer.
    /// </summary>
    private const int NotifyLimit = 1024;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
            await Task.WhenAll(_inFlight.Values).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _socket.Dispose();
        _stop.Dispose();
    }

    /// <summary>Debug: one line per change and secondary; each secondary's acknowledged serial is in the API, the console and the metrics.</summary>
    [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "NOTIFY of {Zone} serial {Serial} acknowledged by {Peer}")]
    private static partial void LogAcknowledged(ILogger logger, string zone, uint serial, string peer);

    [LoggerMessage(EventId = 411, Level = LogLevel.Debug, Message = "NOTIFY of {Zone} to {Peer}, try {Attempt}: {Outcome}; retrying")]
    private static partial void LogRetry(ILogger logger, string zone, string peer, int attempt, string outcome);

    [LoggerMessage(EventId = 413, Level = LogLevel.Warning, Message = "Secondary {Peer} is not answering NOTIFY: {Zone} serial {Serial}, try {Attempt}: {Outcome}; still trying ({Suppressed} similar lines suppressed)")]
    private static partial void LogNotAnswering(ILogger logger, string peer, string zone, uint serial, int attempt, string outcome, long suppressed);

    [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "NOTIFY of {Zone} serial {Serial} to {Peer} not acknowledged after {Tries} tries; the secondary will refresh on its SOA timer")]
    private static partial void LogGaveUp(ILogger logger, string zone, uint serial, string peer, int tries);
}
