using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Control.Zones;

/// <summary>
/// Follows changes other nodes commit to a shared store: each notice catches its zone up, and
/// every resync interval all serials are compared with the store, which also repairs anything
/// missed while the notification channel was down. Catching up goes through the writer's queue,
/// so it never races a local write.
/// </summary>
public sealed partial class ZoneFollower(ZoneWriter writer, ServedZones zones, IRdnsStore store, ILogger<ZoneFollower> logger, Views.ViewRegistry? views = null)
{
    /// <summary>Called when another node changed the address pools (and at each resync), to rebuild default names.</summary>
    public Func<CancellationToken, Task>? PoolsChanged { get; set; }

    private long _lastResyncMs;
    private int _behindAtLastResync;

    /// <summary>
    /// When this node was last found in step with the store: every zone compared successfully, or
    /// the store's stamp unchanged since such a comparison. Null before the first resync.
    /// </summary>
    public DateTimeOffset? LastResync => Interlocked.Read(ref _lastResyncMs) is > 0 and var ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Zones that differed from the store at the last resync: what notifications had missed.</summary>
    public int BehindAtLastResync => Volatile.Read(ref _behindAtLastResync);

    /// <summary>Called when a node added or deleted a TSIG key for DNS UPDATE (and at each resync), to reload the key ring.</summary>
    public Func<CancellationToken, Task>? TsigKeysChanged { get; set; }

    /// <summary>Called when another node changed a zone's DNSSEC keys, to rebuild its signer; with null (at each resync) for every zone.</summary>
    public Func<DnsName?, CancellationToken, Task>? DnssecKeysChanged { get; set; }

    /// <summary>A notice from another node: made visible at once, without queueing behind local writes.</summary>
    public Task CatchUpAsync(DnsName zone, CancellationToken cancellationToken = default) =>
        writer.RefreshAsync(zone, cancellationToken);

    public async Task FollowAsync(TimeSpan resyncInterval, CancellationToken cancellationToken)
    {
        var watch = Task.Run(async () =>
        {
            await foreach (var notice in store.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (notice.Kind == ChangeKind.Views || !Addressing.ViewName.IsPublic(notice.View))
                {
                    // A view's rules, or a zone of a view: the registry knows the views' writers.
                    try
                    {
                        if (views is null)
                            continue;
                        if (notice.Kind == ChangeKind.Views)
                            await views.ReloadAsync(cancellationToken).ConfigureAwait(false);
                        else
                            await views.CatchUpAsync(notice.View, notice.Zone, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogResyncFailed(logger, e);
                    }
                    continue;
                }
                if (notice.Kind is ChangeKind.Pools or ChangeKind.TsigKeys)
                {
                    try
                    {
                        if ((notice.Kind == ChangeKind.Pools ? PoolsChanged : TsigKeysChanged) is { } reload)
                            await reload(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogResyncFailed(logger, e);
                    }
                    continue;
                }
                if (notice.Kind == ChangeKind.DnssecKeys)
                {
                    try
                    {
                        if (DnssecKeysChanged is { } rebuild)
                            await rebuild(notice.Zone, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogResyncFailed(logger, e);
                    }
                    continue;
                }
                try
                {
                    await CatchUpAsync(notice.Zone, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The resync repairs what a failed catch-up missed.
                    LogResyncFailed(logger, e);
                }
            }
        }, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(resyncInterval, cancellationToken).ConfigureAwait(false);
                if (views is not null)
                    await views.ReloadAsync(cancellationToken).ConfigureAwait(false);
                await ResyncIfChangedAsync(cancellationToken).ConfigureAwait(false);
                if (PoolsChanged is { } reload)
                    await reload(cancellationToken).ConfigureAwait(false);
                if (TsigKeysChanged is { } reloadKeys)
                    await reloadKeys(cancellationToken).ConfigureAwait(false);
                if (DnssecKeysChanged is { } rebuild)
                    await rebuild(null, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                LogResyncFailed(logger, e);
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

    /// <summary>
    /// Rounds of <see cref="ResyncIfChangedAsync"/> after which every zone is compared again even
    /// though the store's stamp is unchanged: that repairs a zone this node failed to apply (a
    /// catch-up that threw) without any change in the store to show for it.
    /// </summary>
    public const int CompareAllEvery = 10;

    private ZonesStamp? _comparedAt;
    private int _roundsSinceCompare;

    /// <summary>
    /// This node holds every zone as the store had them at <paramref name="stamp"/> (read before
    /// its zones were loaded at start): the first resync then compares them only if the stamp moved.
    /// </summary>
    public void InStepAt(ZonesStamp stamp) => (_comparedAt, _roundsSinceCompare) = (stamp, 0);

    /// <summary>
    /// The periodic resync, in O(1) while nothing changes: the store's <see cref="ZonesStamp"/>
    /// first, and every zone (of every view) compared only when the stamp moved since the last
    /// comparison, or every <see cref="CompareAllEvery"/> rounds. An idle node with 100,000 zones
    /// thus reads one row per round instead of listing them all and building their names.
    /// Returns whether every zone was compared.
    /// </summary>
    public async Task<bool> ResyncIfChangedAsync(CancellationToken cancellationToken)
    {
        // Read first: what is committed during the comparison moves the stamp past this one.
        var stamp = await store.GetZonesStampAsync(cancellationToken).ConfigureAwait(false);
        if (stamp == _comparedAt && ++_roundsSinceCompare < CompareAllEvery)
        {
            Interlocked.Exchange(ref _lastResyncMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return false;
        }
        _comparedAt = null;
        await ResyncAsync(cancellationToken).ConfigureAwait(false);
        if (views is not null)
            await views.ResyncAsync(cancellationToken).ConfigureAwait(false);
        (_comparedAt, _roundsSinceCompare) = (stamp, 0);
        return true;
    }

    /// <summary>Compares every zone's serial with the store and catches up those that differ.</summary>
    public async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<DnsName>();
        var behind = new List<DnsName>();
        DnsName? after = null;
        while (true)
        {
            var page = await store.ListZonesAsync(500, after, cancellationToken).ConfigureAwait(false);
            foreach (var z in page)
            {
                seen.Add(z.Name);
                if (zones.Current.SerialOf(z.Name) != z.Serial)
                    behind.Add(z.Name);
            }
            if (page.Count < 500)
                break;
            after = page[^1].Name;
        }
        foreach (var origin in zones.Current.Origins)
        {
            if (!seen.Contains(origin))
                behind.Add(origin);
        }
        // In chunks, so one batch holds a bounded number of zone locks.
        foreach (var chunk in behind.Chunk(64))
            await writer.CatchUpAsync(chunk, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _behindAtLastResync, behind.Count);
        Interlocked.Exchange(ref _lastResyncMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Resynchronizing zones with the store failed; will retry")]
    private static partial void LogResyncFailed(ILogger logger, Exception exception);
}
