using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Control.Zones;

/// <summary>What Control commits beside a write's zone changes (tenant rows), carried in <see cref="ZoneWrite.Attachment"/>.</summary>
public sealed record TenantAttachment(IReadOnlyList<TenantWrite> Writes);

/// <summary>DNSSEC policy and key rows committed with a write's DNSKEY, CDS and CDNSKEY records, carried in <see cref="ZoneWrite.Attachment"/>.</summary>
public sealed record DnssecAttachment(IReadOnlyList<DnssecWrite> Writes);

/// <summary>
/// The one write path: every change of zone data — from the API, tenants, DNS UPDATE, and the
/// follower of other nodes' commits — goes through one queue. A single loop takes what is waiting
/// (group commit: up to <see cref="MaxBatch"/> requests share one durable transaction), catches
/// the zones up with what other nodes committed (under their store locks, so plans cannot go
/// stale), plans each request on the zones as the ones before it left them, applies it under its
/// own savepoint, commits once, publishes every changed zone in one swap, and only then completes
/// the requests and tells listeners (NOTIFY, the catalog). A request that fails leaves nothing;
/// the others in its batch still land.
/// </summary>
public sealed partial class ZoneWriter : IZoneWriter, IAsyncDisposable
{
    /// <summary>256 requests per transaction: enough to turn a burst into a few commits, small enough to keep each one short.</summary>
    public const int MaxBatch = 256;

    private readonly IRdnsStore _store;
    private readonly ServedZones _zones;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    /// <summary>The meter of the write path: commit latency and batch sizes, exported as Prometheus metrics by the host.</summary>
    public const string MeterName = "Rdns.Store";

    private readonly Histogram<double>? _commitDuration;
    private readonly Histogram<int>? _batchSize;

    public ZoneWriter(IRdnsStore store, ServedZones zones, ILogger<ZoneWriter> logger, IMeterFactory? meters = null)
        : this(store, zones, logger, Addressing.ViewName.Public, meters)
    {
    }

    /// <summary>The writer of one view's zones: everything it reads, writes and announces is of <paramref name="view"/>.</summary>
    public ZoneWriter(IRdnsStore store, ServedZones zones, ILogger<ZoneWriter> logger, string view, IMeterFactory? meters = null)
    {
        _store = store;
        _zones = zones;
        _logger = logger;
        View = view;
        if (meters is not null)
        {
            var meter = meters.Create(MeterName);
            // Exported with the meter's name as prefix: rdns_store_commit_duration, rdns_store_commit_batch.
            _commitDuration = meter.CreateHistogram<double>("commit.duration", "s",
                "Time of one write transaction in seconds: locks, catch-up, plans, and the durable commit");
            _batchSize = meter.CreateHistogram<int>("commit.batch", "{request}", "Requests that shared one transaction (group commit)");
        }
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The view whose zones this writer changes.</summary>
    public string View { get; }

    public ServedZones Served => _zones;

    /// <summary>Writes waiting for the next transaction (counted here: a single-reader channel cannot count itself).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    private int _waiting;

    /// <summary>Raised after a change of a zone is durable and visible (created, changed or deleted).</summary>
    public event Action<ChangeNotice>? Applied;

    /// <summary>Transactions committed so far, and the requests they carried: the batching at work.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public long Requests => Interlocked.Read(ref _requests);

    private long _commits;
    private long _requests;

    private sealed class Pending(ZoneWrite? write, IReadOnlyCollection<DnsName>? catchUp, CancellationToken cancellationToken)
    {
        public ZoneWrite? Write { get; } = write;
        public IReadOnlyCollection<DnsName>? CatchUp { get; } = catchUp;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<ZoneWriteResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ZoneWriteResult? Result { get; set; }
        public Exception? Error { get; set; }
        public IReadOnlyList<SignerChange> Signers { get; set; } = [];
    }

    public Task<ZoneWriteResult> WriteAsync(ZoneWrite write, CancellationToken cancellationToken = default)
    {
        // A secondary's zones are its primary's: a local change would be overwritten by the next
        // transfer (or break IXFR from the primary), so it is refused, clearly, until promotion.
        if (_readOnly is { } reason && !write.FromPrimary)
            return Task.FromException<ZoneWriteResult>(new WriteException(WriteError.Conflict, "read_only_secondary", reason) { Rcode = Protocol.Wire.Rcode.Refused });
        return Enqueue(new Pending(write, null, cancellationToken));
    }

    private volatile string? _readOnly;

    /// <summary>Why local changes are refused (this node follows a primary), or null when it takes them.</summary>
    public string? ReadOnlyReason => _readOnly;

    /// <summary>From now on only writes made for the primary (<see cref="ZoneWrite.FromPrimary"/>) are taken.</summary>
    public void FollowPrimary(string reason) => _readOnly = reason;

    /// <summary>Takes local changes again: the node is a primary now, and its serials go on from its primary's.</summary>
    public void Promote() => _readOnly = null;

    /// <summary>Brings zones up to what the store holds (other nodes' commits), through the same queue as every write.</summary>
    public Task CatchUpAsync(IReadOnlyCollection<DnsName> zones, CancellationToken cancellationToken = default) =>
        Enqueue(new Pending(null, zones, cancellationToken));

    /// <summary>
    /// Brings one zone up to what the store holds without waiting behind queued writes: reads the
    /// journal (or the zone) outside any write transaction and publishes the result only if the
    /// zone is still the snapshot it was made from. If a local write moved the zone meanwhile, that
    /// write's own transaction has caught up already, and the refresh is moot. This is how another
    /// node's commit becomes visible here within milliseconds even while local writes queue.
    /// </summary>
    public async Task RefreshAsync(DnsName zone, CancellationToken cancellationToken = default)
    {
        var current = _zones.Current.Get(zone);
        var stored = await _store.GetSerialAsync(View, zone, cancellationToken).ConfigureAwait(false);
        ZoneSnapshot? next;
        ChangeKind kind;
        if (stored is null)
        {
            if (current is null)
                return;
            next = null;
            kind = ChangeKind.Deleted;
        }
        else
        {
            if (current is not null && current.Serial == stored.Value)
                return;
            next = null;
            if (current is not null)
            {
                var journal = await _store.GetJournalAsync(View, zone, current.Serial, cancellationToken).ConfigureAwait(false);
                if (journal is not null)
                {
                    next = current;
                    foreach (var change in journal)
                        next = next.Apply(change);
                }
            }
            if (next is null)
            {
                var full = await _store.LoadAsync(View, zone, cancellationToken).ConfigureAwait(false);
                if (full is null)
                    return;
                try
                {
                    next = ZoneSnapshot.Build(full.Name, full.Records);
                }
                catch (ZoneDataException e)
                {
                    LogUnloadable(_logger, zone.ToString(), e.Message);
                    return;
                }
            }
            kind = current is null ? ChangeKind.Created : ChangeKind.Changed;
        }
        bool published = false;
        _zones.Update(set =>
        {
            if (!ZoneSnapshot.Same(set.Get(zone), current))
                return set;
            published = true;
            return next is null ? set.Without(zone) : set.With(next);
        });
        if (!published)
            return;
        if (next is not null)
            LogCaughtUp(_logger, zone.ToString(), current?.Serial ?? 0, next.Serial);
        var notice = new ChangeNotice(zone, next?.Serial ?? 0, kind) { View = View };
        try
        {
            Applied?.Invoke(notice);
        }
        catch (Exception e)
        {
            LogListenerFailed(_logger, zone.ToString(), e);
        }
    }

    private Task<ZoneWriteResult> Enqueue(Pending pending)
    {
        Interlocked.Increment(ref _waiting);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _waiting);
            throw new ObjectDisposedException(nameof(ZoneWriter));
        }
        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
                {
                    Interlocked.Decrement(ref _waiting);
                    // A caller that gave up before its turn is not written; once in a batch, it is.
                    if (pending.CancellationToken.IsCancellationRequested)
                        pending.Done.TrySetCanceled(pending.CancellationToken);
                    else
                        batch.Add(pending);
                }
                if (batch.Count == 0)
                    continue;
                try
                {
                    await RunBatchAsync(batch).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    var failure = Translate(e);
                    LogBatchFailed(_logger, batch.Count, e);
                    foreach (var p in batch)
                        p.Done.TrySetException(failure);
                }
                // Not kept until the next write: a batch can hold a whole imported zone's rows.
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        while (_queue.Reader.TryRead(out var left))
            left.Done.TrySetException(new WriteException(WriteError.Unavailable, "shutting_down", "the server is stopping; the change was not applied"));
    }

    private static Exception Translate(Exception e) => e switch
    {
        // A full disk is named as such: waiting will not help, freeing space will.
        StoreUnavailableException { Full: true } u => new WriteException(WriteError.Unavailable, "store_full",
            $"the store has no room to write ({u.Message}); nothing was applied. Free space on the store's disk and retry", inner: u),
        StoreUnavailableException u => new WriteException(WriteError.Unavailable, "store_unavailable", $"the store cannot take the change now: {u.Message}", inner: u),
        _ => e,
    };

    private async Task RunBatchAsync(List<Pending> batch)
    {
        var zones = new SortedSet<DnsName>();
        foreach (var p in batch)
        {
            foreach (var zone in ZonesOf(p))
                zones.Add(zone.ToLower());
        }
        // The zones as the batch leaves them; published together at the end.
        var working = new Dictionary<DnsName, ZoneSnapshot?>();
        var notices = new List<ChangeNotice>();
        long started = Stopwatch.GetTimestamp();
        await using (var tx = await _store.BeginBatchAsync(View, zones).ConfigureAwait(false))
        {
            // Every zone's stored serial in one read: with changes spread over many zones a batch
            // touches a zone per request, and a statement per zone was a statement per change.
            var stored = await tx.GetSerialsAsync(zones).ConfigureAwait(false);
            foreach (var zone in zones)
                await CatchUpAsync(tx, zone, stored.TryGetValue(zone, out uint serial) ? serial : null, working, notices).ConfigureAwait(false);
            var writes = new List<Pending>(batch.Count);
            foreach (var p in batch)
            {
                if (p.Write is null)
                    p.Result = ZoneWriteResult.Nothing;
                else
                    writes.Add(p);
            }
            if (writes.Count < 2 || !await ApplyGroupAsync(tx, writes, working, notices).ConfigureAwait(false))
            {
                foreach (var p in writes)
                {
                    try
                    {
                        p.Result = await ApplyAsync(tx, p.Write!, working, notices, undo: null).ConfigureAwait(false);
                        p.Signers = p.Write!.Signers;
                    }
                    catch (Exception e) when (e is not StoreUnavailableException)
                    {
                        p.Error = e;
                    }
                }
            }
            await tx.CommitAsync().ConfigureAwait(false);
        }
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _requests, batch.Count);
        _commitDuration?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _batchSize?.Record(batch.Count);

        var changed = new List<ZoneSnapshot>();
        var removed = new List<DnsName>();
        foreach (var (name, snapshot) in working)
        {
            var served = _zones.Current.Get(name);
            if (snapshot is null)
            {
                if (served is not null)
                    removed.Add(name);
            }
            else if (!ZoneSnapshot.Same(served, snapshot))
            {
                changed.Add(snapshot);
            }
        }
        var signers = batch.SelectMany(p => p.Signers).ToList();
        if (changed.Count > 0 || removed.Count > 0 || signers.Count > 0)
            _zones.Publish(changed, removed, signers);
        foreach (var p in batch)
        {
            if (p.Error is not null)
                p.Done.TrySetException(p.Error);
            else
                p.Done.TrySetResult(p.Result ?? ZoneWriteResult.Nothing);
        }
        foreach (var notice in notices)
        {
            try
            {
                Applied?.Invoke(notice);
            }
            catch (Exception e)
            {
                LogListenerFailed(_logger, notice.Zone.ToString(), e);
            }
        }
    }

    private static IEnumerable<DnsName> ZonesOf(Pending p)
    {
        if (p.CatchUp is not null)
            return p.CatchUp;
        var w = p.Write!;
        return w.Edits.Select(e => e.Zone).Concat(w.Creations.Select(c => c.Zone)).Concat(w.Deletions).Concat(w.Transferred.Select(t => t.Zone));
    }

    /// <summary>
    /// Makes the working copy of a zone what the store holds (<paramref name="stored"/>, its serial
    /// there, null when it is not there): from the journal when it reaches
    /// back to our serial, else loaded whole. Inside the batch's transaction, which holds the
    /// zone's lock, so nothing can change it again before the batch commits.
    /// </summary>
    private async Task CatchUpAsync(IWriteBatch tx, DnsName zone, uint? stored, Dictionary<DnsName, ZoneSnapshot?> working, List<ChangeNotice> notices)
    {
        var current = _zones.Current.Get(zone);
        working[zone] = current;
        if (stored is null)
        {
            if (current is not null)
            {
                working[zone] = null;
                notices.Add(new ChangeNotice(zone, 0, ChangeKind.Deleted) { View = View });
            }
            return;
        }
        if (current is not null && current.Serial == stored.Value)
            return;
        ZoneSnapshot? next = null;
        if (current is not null)
        {
            var journal = await tx.GetJournalAsync(zone, current.Serial).ConfigureAwait(false);
            if (journal is not null)
            {
                next = current;
                foreach (var change in journal)
                    next = next.Apply(change);
            }
        }
        if (next is null)
        {
            var full = await tx.LoadAsync(zone).ConfigureAwait(false);
            if (full is null)
                return;
            try
            {
                next = ZoneSnapshot.Build(full.Name, full.Records);
            }
            catch (ZoneDataException e)
            {
                LogUnloadable(_logger, zone.ToString(), e.Message);
                return;
            }
        }
        working[zone] = next;
        LogCaughtUp(_logger, zone.ToString(), current?.Serial ?? 0, next.Serial);
        notices.Add(new ChangeNotice(zone, next.Serial, current is null ? ChangeKind.Created : ChangeKind.Changed) { View = View });
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _stopping.Cancel();
        }
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "A write transaction of {Requests} requests failed; none of them was applied")]
    private static partial void LogBatchFailed(ILogger logger, int requests, Exception exception);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "A listener of zone {Zone}'s changes failed")]
    private static partial void LogListenerFailed(ILogger logger, string zone, Exception exception);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "Zone {Zone} in the store is not a valid zone and is not served: {Reason}")]
    private static partial void LogUnloadable(ILogger logger, string zone, string reason);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "Zone {Zone} caught up from serial {From} to {To}")]
    private static partial void LogCaughtUp(ILogger logger, string zone, uint from, uint to);
}
