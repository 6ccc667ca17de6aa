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
    /// <summary>Called when another node changed the address pools (and at a resync round after any settings moved), to rebuild default names.</summary>
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

    /// <summary>Called when a node added or deleted a TSIG key for DNS UPDATE (and at a resync round after any settings moved), to reload the key ring.</summary>
    public Func<CancellationToken, Task>? TsigKeysChanged { get; set; }

    /// <summary>Called when another node changed a zone's DNSSEC keys, to rebuild its signer; with null (at a resync round after any settings moved) for every zone.</summary>
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
                try
                {
                    await ApplyAsync(notice, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next round repairs what a failed catch-up or reload missed.
                    LogResyncFailed(logger, e);
                }
            }
        }, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(resyncInterval, cancellationToken).ConfigureAwait(false);
                await ResyncRoundAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>What one notice of the store's watch asks of this node.</summary>
    private Task ApplyAsync(ChangeNotice notice, CancellationToken cancellationToken)
    {
        if (notice.Kind == ChangeKind.Views || !Addressing.ViewName.IsPublic(notice.View))
        {
            // A view's rules, or a zone of a view: the registry knows the views' writers.
            if (views is null)
                return Task.CompletedTask;
            return notice.Kind == ChangeKind.Views
                ? views.ReloadAsync(cancellationToken)
                : views.CatchUpAsync(notice.View, notice.Zone, cancellationToken);
        }
        return notice.Kind switch
        {
            ChangeKind.Pools => PoolsChanged?.Invoke(cancellationToken) ?? Task.CompletedTask,
            ChangeKind.TsigKeys => TsigKeysChanged?.Invoke(cancellationToken) ?? Task.CompletedTask,
            ChangeKind.DnssecKeys => DnssecKeysChanged?.Invoke(notice.Zone, cancellationToken) ?? Task.CompletedTask,
            // Commits between loading the zones (or losing the connection) and listening were
            // told to nobody: a round now, not at the next interval.
            ChangeKind.Listening => ResyncRoundAsync(cancellationToken),
            _ => CatchUpAsync(notice.Zone, cancellationToken),
        };
    }

    /// <summary>The store's settings revision when the settings were last reloaded whole with success; null before.</summary>
    private long? _settingsReloadedAt;

    /// <summary>
    /// One periodic round: the views, pools, TSIG keys and DNSSEC signers are reloaded when the
    /// store's settings revision (<see cref="Storage.IRdnsStore.GetSettingsRevisionAsync"/>) moved
    /// since their last reload, which repairs a notice missed or failed; then the zones are
    /// compared (<see cref="ResyncIfChangedAsync"/>). A round in which nothing was written reads
    /// the settings revision and the zones' stamp and runs nothing else: no listing of keys and
    /// views, no unsealing of secrets. A reload that fails leaves the revision
    /// unrecorded, so the next round tries again.
    /// </summary>
    /// <returns>Whether the settings were reloaded.</returns>
    public async Task<bool> ResyncRoundAsync(CancellationToken cancellationToken)
    {
        // The periodic loop and a notice that the watch is listening may both start one.
        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RoundAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _round.Release();
        }
    }

    private readonly SemaphoreSlim _round = new(1, 1);

    private async Task<bool> RoundAsync(CancellationToken cancellationToken)
    {
        // Read first: what is committed during the reloads moves it past this one.
        long settings = await store.GetSettingsRevisionAsync(cancellationToken).ConfigureAwait(false);
        bool reload = settings != _settingsReloadedAt;
        if (reload && views is not null)
            await views.ReloadAsync(cancellationToken).ConfigureAwait(false);
        await ResyncIfChangedAsync(cancellationToken).ConfigureAwait(false);
        if (!reload)
            return false;
        if (PoolsChanged is { } pools)
            await pools(cancellationToken).ConfigureAwait(false);
        if (TsigKeysChanged is { } keys)
            await keys(cancellationToken).ConfigureAwait(false);
        if (DnssecKeysChanged is { } rebuild)
            await rebuild(null, cancellationToken).ConfigureAwait(false);
        _settingsReloadedAt = settings;
        return true;
    }

    /// <summary>
    /// Rounds of <see cref="ResyncIfChangedAsync"/> after which this node checks that it holds every
    /// zone at the store's serial, however little the store's stamp moved: by the count and sum of
    /// the serials (<see cref="ZonesChecksum"/>), and by comparing every zone only when they differ.
    /// That repairs a zone this node failed to apply (a catch-up that threw) without any write to
    /// that zone in the store to show for it.
    /// </summary>
    public const int CompareAllEvery = 10;

    /// <summary>Zones listed per query by a round's comparison.</summary>
    internal const int Page = 500;

    private ZonesStamp? _comparedAt;
    private long _writtenAfter;
    private int _roundsSinceCompareAll;

    /// <summary>
    /// This node holds every zone as the store had them at <paramref name="stamp"/> (read before
    /// its zones were loaded at start): the first resync then compares only what was written since.
    /// </summary>
    public void InStepAt(ZonesStamp stamp) => (_comparedAt, _writtenAfter, _roundsSinceCompareAll) = (stamp, stamp.Revision, 0);

    /// <summary>
    /// The periodic resync, in O(change): the store's <see cref="ZonesStamp"/> first, nothing more
    /// while it is unchanged; when it moved, the zones written since (<see cref="IZoneStore.ListZonesWrittenAsync"/>,
    /// an index read) are compared, and the count of zones the store holds with the count this node
    /// serves, which tells of a deletion missed; only then is every zone of every view compared, and
    /// every <see cref="CompareAllEvery"/> rounds when the count and sum of the serials differ from the
    /// store's (<see cref="ResyncRound.Checked"/> when they agree). A node with a million zones taking writes thus
    /// reads the zones written, where listing them all took seconds of CPU and hundreds of
    /// megabytes of garbage every round.
    /// </summary>
    /// <remarks>
    /// The written zones are listed from the stamp of the comparison before the last one, so the
    /// listings overlap by a round: PostgreSQL draws a revision when a transaction writes its zone
    /// and the transaction may commit after one that drew a higher revision, so a write still
    /// uncommitted when a stamp was read can carry a revision below it.
    /// </remarks>
    public async Task<ResyncRound> ResyncIfChangedAsync(CancellationToken cancellationToken)
    {
        // Read first: what is committed during the comparison moves the stamp past this one.
        var stamp = await store.GetZonesStampAsync(cancellationToken).ConfigureAwait(false);
        var round = ResyncRound.All;
        var previous = _comparedAt;
        if (previous is { } compared)
        {
            bool check = ++_roundsSinceCompareAll >= CompareAllEvery;
            if (stamp == compared && !check)
            {
                Interlocked.Exchange(ref _lastResyncMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                return ResyncRound.Unchanged;
            }
            bool inStep = stamp == compared || await CompareWrittenAsync(_writtenAfter, stamp, cancellationToken).ConfigureAwait(false);
            if (inStep && !check)
                round = ResyncRound.Written;
            else if (inStep && await SerialsAgreeAsync(cancellationToken).ConfigureAwait(false))
            {
                round = ResyncRound.Checked;
                _roundsSinceCompareAll = 0;
            }
        }
        if (round == ResyncRound.All)
        {
            _comparedAt = null;
            await ResyncAsync(cancellationToken).ConfigureAwait(false);
            if (views is not null)
                await views.ResyncAsync(cancellationToken).ConfigureAwait(false);
            _roundsSinceCompareAll = 0;
        }
        _writtenAfter = Math.Min(previous?.Revision ?? stamp.Revision, stamp.Revision);
        _comparedAt = stamp;
        Interlocked.Exchange(ref _lastResyncMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        LogResynced(logger, round, BehindAtLastResync);
        return round;
    }

    /// <summary>
    /// Compares the zones written after <paramref name="after"/> and catches up those that differ;
    /// true when this node then serves as many zones as the store held at <paramref name="stamp"/>
    /// (no deletion missed), false when every zone must be compared.
    /// </summary>
    private async Task<bool> CompareWrittenAsync(long after, ZonesStamp stamp, CancellationToken cancellationToken)
    {
        var behind = new List<DnsName>();
        var viewsBehind = new List<(string View, DnsName Zone)>();
        while (true)
        {
            var page = await store.ListZonesWrittenAsync(after, Page, cancellationToken).ConfigureAwait(false);
            foreach (var z in page)
            {
                if (Addressing.ViewName.IsPublic(z.View))
                {
                    if (zones.Current.SerialOf(z.Name) != z.Serial)
                        behind.Add(z.Name);
                }
                else if (views is not null && views.SerialOf(z.View, z.Name) != z.Serial)
                    viewsBehind.Add((z.View, z.Name));
            }
            if (page.Count < Page)
                break;
            after = page[^1].Revision;
        }
        foreach (var chunk in behind.Chunk(64))
            await writer.CatchUpAsync(chunk, cancellationToken).ConfigureAwait(false);
        foreach (var (view, zone) in viewsBehind)
            await views!.CatchUpAsync(view, zone, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _behindAtLastResync, behind.Count + viewsBehind.Count);
        return zones.Current.Count + (views?.ZoneCount ?? 0) == stamp.Count;
    }

    /// <summary>
    /// Whether this node holds as many zones as the store, in every view, with the same sum of
    /// serials (<see cref="ZonesChecksum"/>). A write committed between the two readings makes
    /// them differ too; the caller then compares every zone, as it would have without the check.
    /// </summary>
    private async Task<bool> SerialsAgreeAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetZonesChecksumAsync(cancellationToken).ConfigureAwait(false);
        var current = zones.Current;
        var held = new ZonesChecksum(current.Count + (views?.ZoneCount ?? 0), current.SerialSum() + (views?.SerialSum ?? 0));
        return stored == held;
    }

    /// <summary>Compares every zone's serial with the store and catches up those that differ (see <see cref="BehindAsync"/>).</summary>
    public async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var behind = await BehindAsync(zones, after => store.ListZonesAsync(Page, after, cancellationToken)).ConfigureAwait(false);
        // In chunks, so one batch holds a bounded number of zone locks.
        foreach (var chunk in behind.Chunk(64))
            await writer.CatchUpAsync(chunk, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _behindAtLastResync, behind.Count);
        Interlocked.Exchange(ref _lastResyncMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// The zones whose serial differs between the store's listing (<paramref name="list"/>: the page
    /// after a name, or the first) and <paramref name="served"/>: listed and not served or served
    /// at another serial, or served and not listed. The listing is read page by page and kept
    /// nowhere: only when more zones are served than were found listed (one the store deleted) is
    /// it read again, as a set, to find which.
    /// </summary>
    internal static async Task<List<DnsName>> BehindAsync(ServedZones served, Func<DnsName?, Task<IReadOnlyList<ZoneSummary>>> list)
    {
        var behind = new List<DnsName>();
        int held = 0;
        await ListAllAsync(list, z =>
        {
            var serial = served.Current.SerialOf(z.Name);
            if (serial is not null)
                held++;
            if (serial != z.Serial)
                behind.Add(z.Name);
        }).ConfigureAwait(false);
        if (served.Current.Count <= held)
            return behind;
        var listed = new HashSet<DnsName>();
        await ListAllAsync(list, z => listed.Add(z.Name)).ConfigureAwait(false);
        foreach (var origin in served.Current.Origins)
        {
            if (!listed.Contains(origin))
                behind.Add(origin);
        }
        return [.. behind.Distinct()];
    }

    private static async Task ListAllAsync(Func<DnsName?, Task<IReadOnlyList<ZoneSummary>>> list, Action<ZoneSummary> each)
    {
        DnsName? after = null;
        while (true)
        {
            var page = await list(after).ConfigureAwait(false);
            foreach (var z in page)
                each(z);
            if (page.Count < Page)
                break;
            after = page[^1].Name;
        }
    }

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "Resynchronized with the store: compared {Round}, {Behind} zones caught up")]
    private static partial void LogResynced(ILogger logger, ResyncRound round, int behind);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Resynchronizing zones with the store failed; will retry")]
    private static partial void LogResyncFailed(ILogger logger, Exception exception);
}

/// <summary>What a round of <see cref="ZoneFollower.ResyncIfChangedAsync"/> compared.</summary>
public enum ResyncRound
{
    /// <summary>Nothing: the store's stamp had not moved.</summary>
    Unchanged,

    /// <summary>The zones written since the last comparison, and the count of zones.</summary>
    Written,

    /// <summary>
    /// The zones written since the last comparison, if the stamp moved, then (every
    /// <see cref="ZoneFollower.CompareAllEvery"/> rounds) the count and sum of every zone's serial,
    /// which agreed with the store's: nothing listed.
    /// </summary>
    Checked,

    /// <summary>Every zone of every view.</summary>
    All,
}
