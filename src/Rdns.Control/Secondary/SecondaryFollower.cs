using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Transfer;
using Rdns.Zones;
using Rdns.Zones.Synthesis;
using Rdns.Zones.Writes;

namespace Rdns.Control.Secondary;

/// <summary>
/// Secondary mode: this node follows its primaries. It transfers the primary's catalog zone
/// (RFC 9432) and every member the catalog lists (members come and go by themselves), each by
/// AXFR first and IXFR after, refreshed by the SOA timers and on NOTIFY, retried with backoff, and
/// kept when the primaries cannot be reached until the SOA EXPIRE has passed (RFC 1034 §4.3.5).
/// Everything transferred goes through the one write path into the node's own store, so a restart
/// serves at once and downstream secondaries can follow this node by IXFR. The pools the catalog
/// publishes (<see cref="CatalogPoolProperty"/>) become this node's default names.
/// </summary>
public sealed partial class SecondaryFollower : IAsyncDisposable
{
    private volatile SecondaryOptions _options;
    private readonly ZoneWriter _writer;
    private readonly ServedZones _zones;
    private readonly TransferClient _client;
    private readonly RefreshTimes _times;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<DnsName, FollowedZone> _followed = new();
    /// <summary>Transfers (and SOA checks) under way at once: <see cref="SecondaryOptions.MaxConcurrentRefreshes"/>.</summary>
    private readonly SemaphoreSlim _concurrency;

    /// <summary>
    /// Refreshes under way at once, their writes included: 256, one full group commit
    /// (<see cref="ZoneWriter.MaxBatch"/>). A transfer's slot is given back before its write, so
    /// this bounds how many transferred zones can wait in memory for the writer.
    /// </summary>
    private readonly SemaphoreSlim _refreshing = new(ZoneWriter.MaxBatch);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _catalogGate = new(1, 1);
    private Task _saver = Task.CompletedTask;

    public SecondaryFollower(SecondaryOptions options, ZoneWriter writer, ServedZones zones, TransferClient client, RefreshTimes times,
        TimeProvider time, ILogger<SecondaryFollower> logger)
    {
        _options = options;
        _writer = writer;
        _zones = zones;
        _client = client;
        _times = times;
        _time = time;
        _logger = logger;
        _concurrency = new SemaphoreSlim(options.MaxConcurrentRefreshes);
    }

    public SecondaryOptions Options => _options;

    /// <summary>Raised after a followed zone was transferred and published (its new serial).</summary>
    public event Action<DnsName, uint>? Refreshed;

    /// <summary>The zones followed right now: the catalog, its members and the configured zones.</summary>
    public IReadOnlyCollection<DnsName> Followed => _followed.Keys.ToList();

    /// <summary>
    /// Makes the node read-only to local changes, serves what the store holds (the catalog's pools
    /// included) and starts a refresh of every zone it follows, at once.
    /// </summary>
    public void Start()
    {
        _writer.FollowPrimary($"this node is a secondary of {string.Join(", ", _options.Primaries)}: its zones change only by transfer from there; make the change on the primary");
        Follow(_options.Catalog, ZoneOrigin.Catalog);
        foreach (var zone in _options.Zones)
            Follow(zone, ZoneOrigin.Configured);
        // What the last run stored is served now; its members are refreshed right away.
        if (_zones.Current.Get(_options.Catalog) is { } catalog)
            _ = ApplyCatalogAsync(catalog, removeMissing: false);
        _saver = Task.Run(SaveTimesAsync);
    }

    /// <summary>Whether NOTIFY from <paramref name="source"/> is taken: one of the primaries, with its key when it has one.</summary>
    public bool IsPrimary(IPAddress source, string? keyName)
    {
        if (Promoted)
            return false;
        foreach (var p in _options.Primaries)
        {
            if (!Same(p.Endpoint.Address, source))
                continue;
            if (p.Key is null || (keyName is not null && p.Key.Name.ToLower().ToString() == keyName))
                return true;
        }
        return false;
    }

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    /// <summary>A NOTIFY for <paramref name="zone"/>: its refresh starts now (RFC 1996 §3.7). False when the zone is not followed.</summary>
    public bool Notify(DnsName zone, uint? serial)
    {
        if (!_followed.TryGetValue(zone.ToLower(), out var followed))
            return false;
        LogNotified(_logger, zone.ToString(), serial?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
        followed.Notify(serial);
        return true;
    }

    /// <summary>How each followed zone stands (for operators and tests).</summary>
    public IReadOnlyList<FollowedZoneStatus> Status() =>
        _followed.Values.Select(z => new FollowedZoneStatus(z.Name, z.Origin, _zones.Current.Get(z.Name)?.Serial, z.LastRefresh ?? _times.Get(z.Name),
            z.Failures, z.LastError, z.Expired, Interlocked.Read(ref z.Transfers), Interlocked.Read(ref z.IncrementalTransfers), Interlocked.Read(ref z.BytesReceived)))
            .OrderBy(s => s.Zone).ToList();

    private void Follow(DnsName name, ZoneOrigin origin)
    {
        name = name.ToLower();
        var zone = new FollowedZone(name, origin);
        if (!_followed.TryAdd(name, zone))
            return;
        zone.LastRefresh = _times.Get(name);
        zone.Loop = Task.Run(() => RunAsync(zone));
    }

    /// <summary>
    /// Brings the followed set and the default names in line with a catalog version: new members
    /// are followed, a member whose unique label changed is transferred afresh (RFC 9432 §5.3),
    /// and with <paramref name="removeMissing"/> members that left are deleted here (§5.2).
    /// </summary>
    private async Task ApplyCatalogAsync(ZoneSnapshot catalog, bool removeMissing)
    {
        await _catalogGate.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            var members = CatalogMembers.Read(catalog);
            foreach (var problem in members.Problems)
                LogCatalogProblem(_logger, catalog.Origin.ToString(), problem);
            if (!members.IsSupported)
            {
                // RFC 9432 §5.1: a catalog of an unknown schema version is not processed at all.
                LogCatalogVersion(_logger, catalog.Origin.ToString(), members.Version ?? "(none)");
                return;
            }
            var pools = CatalogPoolProperty.Read(catalog, problem => LogCatalogProblem(_logger, catalog.Origin.ToString(), problem));
            _zones.Update(set => set.WithDefaults(new DefaultNames(pools)));

            foreach (var (zone, label) in members.Members)
            {
                if (zone.Equals(_options.Catalog))
                    continue;
                if (_followed.TryGetValue(zone, out var existing))
                {
                    if (existing.MemberLabel is { } old && !old.Equals(label))
                    {
                        existing.ForceFull = true;
                        existing.Notify(null);
                    }
                    existing.MemberLabel = label;
                    continue;
                }
                Follow(zone, ZoneOrigin.Member);
                if (_followed.TryGetValue(zone, out var added))
                    added.MemberLabel = label;
            }
            var gone = _followed.Values.Where(z => z.Origin == ZoneOrigin.Member && !members.Members.ContainsKey(z.Name)).ToList();
            // Zones in the store that no catalog version lists any more (removed while this node was down).
            var strays = _zones.Current.Origins.Select(z => z.ToLower())
                .Where(z => !z.Equals(_options.Catalog) && !members.Members.ContainsKey(z) && !_options.Zones.Any(c => c.ToLower().Equals(z)))
                .ToList();
            if (!removeMissing)
                return;
            foreach (var zone in gone)
            {
                if (_followed.TryRemove(zone.Name, out _))
                    await zone.Stop.CancelAsync().ConfigureAwait(false);
            }
            var delete = gone.Select(z => z.Name).Union(strays).ToList();
            if (delete.Count == 0)
                return;
            await _writer.WriteAsync(new ZoneWrite([], new WriteAudit("primary", "zone.delete", string.Join(' ', delete), "left the catalog"))
            {
                Deletions = delete,
                FromPrimary = true,
            }, _stopping.Token).ConfigureAwait(false);
            foreach (var zone in delete)
            {
                _times.Remove(zone);
                LogMemberRemoved(_logger, zone.ToString(), catalog.Origin.ToString());
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogCatalogFailed(_logger, catalog.Origin.ToString(), e);
        }
        finally
        {
            _catalogGate.Release();
        }
    }

    private async Task SaveTimesAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                _times.SaveIfChanged();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogTimesNotSaved(_logger, e.Message);
            }
        }
    }

    /// <summary>True once <see cref="PromoteAsync"/> ran: the node follows nothing and takes changes.</summary>
    public bool Promoted { get; private set; }

    /// <summary>
    /// Stops following: every refresh ends, NOTIFY from the primaries is no longer taken, and the
    /// writer takes local changes again, continuing from the primary's serials. Returns the pools the
    /// catalog published (served now as default names), for the caller to keep in the store.
    /// </summary>
    public async Task<IReadOnlyList<DefaultNamePool>> PromoteAsync()
    {
        Promoted = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var z in _followed.Values)
            await z.Stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_followed.Values.Select(z => z.Loop).Append(_saver)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
        _followed.Clear();
        _writer.Promote();
        return _zones.Current.Defaults.Pools;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var loops = _followed.Values.Select(z => z.Loop).Append(_saver).ToArray();
        foreach (var z in _followed.Values)
            await z.Stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
        try
        {
            _times.SaveIfChanged();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogTimesNotSaved(_logger, e.Message);
        }
        _stopping.Dispose();
    }
}
