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
public sealed partial class ZoneFollower(ZoneWriter writer, ServedZones zones, IRdnsStore store, ILogger<ZoneFollower> logger)
{
    /// <summary>Called when another node changed the address pools (and at each resync), to rebuild default names.</summary>
    public Func<CancellationToken, Task>? PoolsChanged { get; set; }

    private long _lastResyncMs;
    private int _behindAtLastResync;

    /// <summary>When every zone was last compared with the store successfully; null before the first resync.</summary>
    public DateTimeOffset? LastResync => Interlocked.Read(ref _lastResyncMs) is > 0 and var ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Zones that differed from the store at the last resync: what notifications had missed.</summary>
    public int BehindAtLastResync => Volatile.Read(ref _behindAtLastResync);

    /// <summary>Called when a node added or deleted a TSIG key for DNS UPDATE (and at each resync), to reload the key ring.</summary>
    public Func<CancellationToken, Task>? TsigKeysChanged { get; set; }

    /// <summary>A notice from another node: made visible at once, without queueing behind local writes.</summary>
    public Task CatchUpAsync(DnsName zone, CancellationToken cancellationToken = default) =>
        writer.RefreshAsync(zone, cancellationToken);

    public async Task FollowAsync(TimeSpan resyncInterval, CancellationToken cancellationToken)
    {
        var watch = Task.Run(async () =>
        {
            await foreach (var notice in store.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
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
                await ResyncAsync(cancellationToken).ConfigureAwait(false);
                if (PoolsChanged is { } reload)
                    await reload(cancellationToken).ConfigureAwait(false);
                if (TsigKeysChanged is { } reloadKeys)
                    await reloadKeys(cancellationToken).ConfigureAwait(false);
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
                if (zones.Current.Get(z.Name)?.Serial != z.Serial)
                    behind.Add(z.Name);
            }
            if (page.Count < 500)
                break;
            after = page[^1].Name;
        }
        foreach (var z in zones.Current.Zones)
        {
            if (!seen.Contains(z.Origin))
                behind.Add(z.Origin);
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
