using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Control.Zones;

/// <summary>Replace one RRset (or delete it, when <see cref="Data"/> is empty).</summary>
public sealed record RRsetChange(DnsName Owner, RecordType Type, uint Ttl, IReadOnlyList<byte[]> Data)
{
    public bool IsDelete => Data.Count == 0;
}

/// <summary>Changes to one zone inside an atomic request.</summary>
public sealed record ZoneEdit(DnsName Zone, IReadOnlyList<RRsetChange> Changes);

/// <summary>The zone a request named is not hosted here.</summary>
public sealed class ZoneNotFoundException(DnsName zone) : Exception($"zone {zone} is not hosted here")
{
    public DnsName Zone { get; } = zone;
}

/// <summary>
/// The one path by which zones change: validate, commit to the store (durable), then swap the
/// new snapshots in. Nothing is answered in DNS before the store has it, and a committed change
/// is visible as soon as the call returns. Also follows changes committed by other nodes.
/// </summary>
public sealed partial class ZoneService
{
    private const int MaxAttempts = 4;

    private readonly IRdnsStore _store;
    private readonly ServedZones _zones;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<DnsName, SemaphoreSlim> _locks = new();

    public ZoneService(IRdnsStore store, ServedZones zones, ILogger<ZoneService> logger)
    {
        _store = store;
        _zones = zones;
        _logger = logger;
    }

    public ServedZones Served => _zones;

    public IRdnsStore Store => _store;

    /// <summary>Called when another node changed the address pools (and at each resync), to rebuild default names.</summary>
    public Func<CancellationToken, Task>? PoolsChanged { get; set; }

    /// <summary>Raised after a change of a zone is visible (created, changed or deleted).</summary>
    public event Action<ChangeNotice>? Applied;

    /// <summary>Loads every zone from the store into memory; a zone that cannot be built is logged and left out.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken = default)
    {
        var rows = new BuilderRows();
        await _store.LoadAllAsync(rows, cancellationToken).ConfigureAwait(false);
        // Zones build independently: use every core.
        var builders = rows.Builders.Values.ToArray();
        var built = new ZoneSnapshot?[builders.Length];
        Parallel.For(0, builders.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var (builder, failure) = builders[i];
            try
            {
                if (failure is not null)
                    throw new ZoneDataException(failure);
                built[i] = builder.Build();
            }
            catch (ZoneDataException e)
            {
                LogUnloadable(_logger, builder.Origin.ToString(), e.Message);
            }
        });
        _zones.Replace(ZoneSet.From(built.OfType<ZoneSnapshot>()));
    }

    /// <summary>Feeds stored rows into one builder per zone; a zone whose rows break a rule is remembered as failed.</summary>
    private sealed class BuilderRows : IZoneRowReader
    {
        public Dictionary<long, (ZoneSnapshotBuilder Builder, string? Failure)> Builders { get; } = [];

        public void Zone(long id, DnsName name, uint serial) => Builders[id] = (new ZoneSnapshotBuilder(name), null);

        public void Row(long zoneId, ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
        {
            if (!Builders.TryGetValue(zoneId, out var entry) || entry.Failure is not null)
                return;
            try
            {
                entry.Builder.Add(owner, type, cls, ttl, data);
            }
            catch (ZoneDataException e)
            {
                Builders[zoneId] = (entry.Builder, e.Message);
            }
        }
    }

    private ZoneSnapshot? TryBuild(StoredZone zone)
    {
        try
        {
            return ZoneSnapshot.Build(zone.Name, zone.Records);
        }
        catch (ZoneDataException e)
        {
            LogUnloadable(_logger, zone.Name.ToString(), e.Message);
            return null;
        }
    }

    /// <summary>Creates (or with <paramref name="replace"/>, replaces) a zone from its records; they must form a valid zone.</summary>
    public Task<ZoneSnapshot> CreateAsync(DnsName name, IReadOnlyList<ResourceRecord> records, bool replace, AuditEntry audit, CancellationToken cancellationToken = default) =>
        CreateAsync(name, records, replace, audit, enforcePolicy: true, cancellationToken);

    private async Task<ZoneSnapshot> CreateAsync(DnsName name, IReadOnlyList<ResourceRecord> records, bool replace, AuditEntry audit, bool enforcePolicy, CancellationToken cancellationToken)
    {
        var snapshot = ZoneSnapshot.Build(name, records);
        if (enforcePolicy)
            ZoneContentPolicy.Check(snapshot);
        var gate = Gate(name);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.CreateZoneAsync(name, [.. snapshot.Records()], replace, audit, cancellationToken).ConfigureAwait(false);
            _zones.Publish([snapshot], []);
        }
        finally
        {
            gate.Release();
        }
        Applied?.Invoke(new ChangeNotice(name, snapshot.Serial, ChangeKind.Created));
        return snapshot;
    }

    public async Task<bool> DeleteAsync(DnsName name, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        var gate = Gate(name);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool deleted;
        try
        {
            deleted = await _store.DeleteZoneAsync(name, audit, cancellationToken).ConfigureAwait(false);
            _zones.Publish([], [name]);
        }
        finally
        {
            gate.Release();
        }
        if (deleted)
            Applied?.Invoke(new ChangeNotice(name, 0, ChangeKind.Deleted));
        return deleted;
    }

    /// <summary>
    /// Applies edits to one or more zones as one transaction. Each changed zone gets one new
    /// serial; RRsets equal to what is there already change nothing. Invalid results (a CNAME
    /// beside other data, say) throw <see cref="ZoneDataException"/> before anything is written.
    /// Returns the new snapshots of the zones that changed.
    /// </summary>
    public Task<IReadOnlyList<ZoneSnapshot>> ChangeAsync(IReadOnlyList<ZoneEdit> edits, AuditEntry audit, CancellationToken cancellationToken = default) =>
        ChangeAsync(edits, [], audit, cancellationToken);

    /// <summary>
    /// As above, with tenant writes committed in the same transaction as the zone changes (a
    /// release and the PTR resets it causes, say); the writes are committed even when the edits
    /// change no zone.
    /// </summary>
    public Task<IReadOnlyList<ZoneSnapshot>> ChangeAsync(IReadOnlyList<ZoneEdit> edits, IReadOnlyList<TenantWrite> writes, AuditEntry audit, CancellationToken cancellationToken = default) =>
        ChangeAsync(edits, writes, audit, enforcePolicy: true, cancellationToken);

    private async Task<IReadOnlyList<ZoneSnapshot>> ChangeAsync(IReadOnlyList<ZoneEdit> edits, IReadOnlyList<TenantWrite> writes, AuditEntry audit, bool enforcePolicy, CancellationToken cancellationToken)
    {
        var names = edits.Select(e => e.Zone).Distinct().Order().ToArray();
        var gates = names.Select(Gate).ToArray();
        // Always in name order, so two multi-zone requests cannot deadlock.
        int held = 0;
        try
        {
            foreach (var gate in gates)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                held++;
            }
            for (int attempt = 1; ; attempt++)
            {
                var commits = new List<ZoneCommit>();
                var next = new List<ZoneSnapshot>();
                foreach (var edit in edits.GroupBy(e => e.Zone))
                {
                    var current = _zones.Current.Get(edit.Key) ?? throw new ZoneNotFoundException(edit.Key);
                    var planned = ZoneChangePlanner.Plan(current, edit.SelectMany(e => e.Changes).ToList());
                    if (planned is null)
                        continue;
                    if (enforcePolicy)
                        ZoneContentPolicy.Check(planned.Value.Snapshot, planned.Value.Changeset.Added);
                    commits.Add(new ZoneCommit(edit.Key, planned.Value.Changeset));
                    next.Add(planned.Value.Snapshot);
                }
                if (commits.Count == 0 && writes.Count == 0)
                    return [];
                try
                {
                    await _store.CommitAsync(commits, writes, audit, cancellationToken).ConfigureAwait(false);
                }
                catch (StoreConflictException) when (attempt < MaxAttempts)
                {
                    // Another node changed one of these zones first: catch up and plan again.
                    foreach (var name in names)
                        await CatchUpLockedAsync(name, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                // One swap for the whole commit, however many zones it changed.
                _zones.Publish(next, []);
                foreach (var z in next)
                    Applied?.Invoke(new ChangeNotice(z.Origin, z.Serial, ChangeKind.Changed));
                return next;
            }
        }
        finally
        {
            for (int i = 0; i < held; i++)
                gates[i].Release();
        }
    }

    /// <summary>
    /// Makes a zone hold exactly <paramref name="records"/>: created when absent; otherwise every
    /// RRset is replaced or removed in one journaled change (so secondaries can follow by IXFR)
    /// and the serial moves forward from the current one.
    /// </summary>
    public async Task<ZoneSnapshot> ImportAsync(DnsName name, IReadOnlyList<ResourceRecord> records, AuditEntry audit, CancellationToken cancellationToken = default) =>
        await ImportAsync(name, records, audit, enforcePolicy: true, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// As above; <paramref name="enforcePolicy"/> false lets an operator's zone files (<c>--zones</c>)
    /// hold any type, as any authoritative server serves RFC 1035 zone files (RFC 3597 included).
    /// </summary>
    public async Task<ZoneSnapshot> ImportAsync(DnsName name, IReadOnlyList<ResourceRecord> records, AuditEntry audit, bool enforcePolicy, CancellationToken cancellationToken = default)
    {
        var incoming = ZoneSnapshot.Build(name, records);
        if (enforcePolicy)
            ZoneContentPolicy.Check(incoming);
        var current = _zones.Current.Get(name);
        if (current is null)
            return await CreateAsync(name, records, replace: true, audit, enforcePolicy, cancellationToken).ConfigureAwait(false);
        var changes = new List<RRsetChange>();
        var wanted = new HashSet<(DnsName, RecordType)>();
        foreach (var group in incoming.Records().GroupBy(r => (r.Owner, r.Type)))
        {
            wanted.Add(group.Key);
            changes.Add(new RRsetChange(group.Key.Owner, group.Key.Type, group.First().Ttl, group.Select(r => r.Data).ToList()));
        }
        foreach (var group in current.Records().GroupBy(r => (r.Owner, r.Type)))
        {
            if (!wanted.Contains(group.Key))
                changes.Add(new RRsetChange(group.Key.Owner, group.Key.Type, group.First().Ttl, []));
        }
        var changed = await ChangeAsync([new ZoneEdit(name, changes)], [], audit, enforcePolicy, cancellationToken).ConfigureAwait(false);
        return changed.Count > 0 ? changed[0] : current;
    }

    /// <summary>Brings one zone in memory up to what the store holds (journal first, full load if needed).</summary>
    public async Task CatchUpAsync(DnsName zone, CancellationToken cancellationToken = default)
    {
        var gate = Gate(zone);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CatchUpLockedAsync(zone, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task CatchUpLockedAsync(DnsName zone, CancellationToken cancellationToken)
    {
        var current = _zones.Current.Get(zone);
        var stored = await _store.GetSerialAsync(zone, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            if (current is not null)
            {
                _zones.Publish([], [zone]);
                Applied?.Invoke(new ChangeNotice(zone, 0, ChangeKind.Deleted));
            }
            return;
        }
        if (current is not null && current.Serial == stored.Value)
            return;
        ZoneSnapshot? next = null;
        if (current is not null)
        {
            var journal = await _store.GetJournalAsync(zone, current.Serial, cancellationToken).ConfigureAwait(false);
            if (journal is not null)
            {
                next = current;
                foreach (var change in journal)
                    next = next.Apply(change);
            }
        }
        if (next is null)
        {
            var full = await _store.LoadAsync(zone, cancellationToken).ConfigureAwait(false);
            next = full is null ? null : TryBuild(full);
            if (next is null)
                return;
        }
        var created = current is null;
        _zones.Publish([next], []);
        LogCaughtUp(_logger, zone.ToString(), current?.Serial ?? 0, next.Serial);
        Applied?.Invoke(new ChangeNotice(zone, next.Serial, created ? ChangeKind.Created : ChangeKind.Changed));
    }

    /// <summary>
    /// Follows changes committed by other nodes until cancelled: each notice triggers a catch-up of
    /// its zone, and every <paramref name="resyncInterval"/> all zones are compared with the store,
    /// which also repairs anything missed while the notification channel was down.
    /// </summary>
    public async Task FollowAsync(TimeSpan resyncInterval, CancellationToken cancellationToken)
    {
        var watch = Task.Run(async () =>
        {
            await foreach (var notice in _store.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (notice.Kind == ChangeKind.Pools)
                {
                    if (PoolsChanged is { } reload)
                        await reload(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await CatchUpAsync(notice.Zone, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(resyncInterval, cancellationToken).ConfigureAwait(false);
                await ResyncAsync(cancellationToken).ConfigureAwait(false);
                if (PoolsChanged is { } reload)
                    await reload(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                LogResyncFailed(_logger, e);
            }
        }
        try
        {
            await watch.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Compares every zone's serial with the store and catches up those that differ.</summary>
    public async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<DnsName>();
        DnsName? after = null;
        while (true)
        {
            var page = await _store.ListZonesAsync(500, after, cancellationToken).ConfigureAwait(false);
            foreach (var z in page)
            {
                seen.Add(z.Name);
                if (_zones.Current.Get(z.Name)?.Serial != z.Serial)
                    await CatchUpAsync(z.Name, cancellationToken).ConfigureAwait(false);
            }
            if (page.Count < 500)
                break;
            after = page[^1].Name;
        }
        foreach (var z in _zones.Current.Zones.ToArray())
        {
            if (!seen.Contains(z.Origin))
                await CatchUpAsync(z.Origin, cancellationToken).ConfigureAwait(false);
        }
    }

    private SemaphoreSlim Gate(DnsName zone) => _locks.GetOrAdd(zone.ToLower(), _ => new SemaphoreSlim(1, 1));

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Zone {Zone} in the store is not a valid zone and is not served: {Reason}")]
    private static partial void LogUnloadable(ILogger logger, string zone, string reason);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Zone {Zone} caught up from serial {From} to {To}")]
    private static partial void LogCaughtUp(ILogger logger, string zone, uint from, uint to);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Resynchronizing zones with the store failed; will retry")]
    private static partial void LogResyncFailed(ILogger logger, Exception exception);
}
