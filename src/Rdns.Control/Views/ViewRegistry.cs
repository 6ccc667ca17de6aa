using Microsoft.Extensions.Logging;
using Rdns.Addressing;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Control.Views;

/// <summary>
/// The views this node serves, kept equal to the store's: the public view (the zone service the
/// host built) and one <see cref="ViewZones"/> per view the operator made, each with its served
/// zones (the RFC 6303 locally served zones beneath them) and its own writer. <see cref="ReloadAsync"/>
/// runs at start, after a change made here, and when another node announces one
/// (<see cref="ChangeKind.Views"/>); <see cref="Changed"/> then hands the new list to the query
/// path, which swaps it in whole.
/// </summary>
public sealed partial class ViewRegistry : IAsyncDisposable, IViewWriters
{
    private readonly ZoneService _public;
    private readonly IRdnsStore _store;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile IReadOnlyList<ViewZones> _views = [];
    private readonly ViewZones _publicView;
    private readonly Dictionary<string, CancellationTokenSource> _catalogs = [];
    private CancellationToken? _catalogsStopping;

    public ViewRegistry(ZoneService publicZones, IRdnsStore store, ILoggerFactory loggers)
    {
        _public = publicZones;
        _store = store;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ViewRegistry>();
        _publicView = new ViewZones(ViewName.Public, null, _public);
    }

    /// <summary>Raised after the views changed, with the operator's views in the order they are tried.</summary>
    public event Action<IReadOnlyList<ViewZones>>? Changed;

    /// <summary>The operator's views, in the order they are tried (the public view is not among them).</summary>
    public IReadOnlyList<ViewZones> Views => _views;

    /// <summary>The view of that name (<c>public</c> included), or null.</summary>
    public ViewZones? Find(string? name)
    {
        if (ViewName.IsPublic(name))
            return _publicView;
        foreach (var v in _views)
        {
            if (v.Name == name)
                return v;
        }
        return null;
    }

    public IZoneWriter? ForView(string view) => Find(view)?.Writer;

    /// <summary>Makes the served views what the store holds: new ones made and loaded, changed rules taken, deleted ones dropped.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        List<ViewZones> dropped = [];
        try
        {
            var stored = await _store.ListViewsAsync(cancellationToken).ConfigureAwait(false);
            var old = _views.ToDictionary(v => v.Name);
            var next = new List<ViewZones>(stored.Count);
            foreach (var definition in stored)
            {
                if (old.Remove(definition.Name, out var existing))
                {
                    next.Add(existing with { Definition = definition });
                    continue;
                }
                var served = new ServedZones();
                served.Replace(ZoneSet.Empty.WithLocalZones(LocallyServedZones.All, serve: true).WithView(definition.Name));
                var writer = new ZoneWriter(_store, served, _loggers.CreateLogger<ZoneWriter>(), definition.Name);
                var view = new ViewZones(definition.Name, definition, new ZoneService(writer, served, _store));
                await ResyncAsync(view, cancellationToken).ConfigureAwait(false);
                LogViewLoaded(_logger, definition.Name, served.Current.Count);
                next.Add(view);
                if (_catalogsStopping is { } stopping)
                    await StartCatalogAsync(view, stopping, cancellationToken).ConfigureAwait(false);
            }
            dropped.AddRange(old.Values);
            foreach (var v in dropped)
                StopCatalog(v.Name);
            _views = next;
            Changed?.Invoke(next);
        }
        finally
        {
            _reload.Release();
        }
        foreach (var v in dropped)
            await v.Writer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// From now on every view keeps a catalog zone of its own (RFC 9432, <c>catalog.VIEW.invalid.</c>)
    /// listing its zones, made when missing and kept in step as zones are added and removed in
    /// the view; a secondary with the view's key transfers it like any zone of the view. A primary
    /// calls this once at start; a node in secondary mode does not (its zones come from its primary).
    /// </summary>
    public async Task FollowCatalogsAsync(CancellationToken stopping, CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _catalogsStopping = stopping;
            foreach (var v in _views)
                await StartCatalogAsync(v, stopping, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Stops keeping a view's catalog (the view is about to be deleted), so it is not made again behind the deletion.</summary>
    public async Task StopCatalogAsync(string view, CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StopCatalog(view);
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Keeps a view's catalog again after a deletion the store refused.</summary>
    public async Task ResumeCatalogAsync(string view, CancellationToken cancellationToken = default)
    {
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_catalogsStopping is { } stopping && _views.FirstOrDefault(v => v.Name == view) is { } found)
                await StartCatalogAsync(found, stopping, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reload.Release();
        }
    }

    private async Task StartCatalogAsync(ViewZones view, CancellationToken stopping, CancellationToken cancellationToken)
    {
        if (_catalogs.ContainsKey(view.Name))
            return;
        var catalog = new CatalogZone(view.Service, view.CatalogName, _loggers.CreateLogger<CatalogZone>(), pools: false);
        var following = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _catalogs[view.Name] = following;
        try
        {
            await catalog.ReconcileAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The view is served all the same; the next zone change in it reconciles its catalog again.
            LogCatalogFailed(_logger, view.Name, e);
        }
        catalog.Follow(following.Token);
    }

    private void StopCatalog(string view)
    {
        if (_catalogs.Remove(view, out var following))
        {
            following.Cancel();
            following.Dispose();
        }
    }

    /// <summary>Catches up a zone of a view another node changed; the view is reloaded first when this node does not know it yet.</summary>
    public async Task CatchUpAsync(string view, DnsName zone, CancellationToken cancellationToken = default)
    {
        var v = Find(view);
        if (v is null)
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await v.Writer.RefreshAsync(zone, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The serial this node serves for <paramref name="zone"/> in <paramref name="view"/>; null when it serves no such zone or knows no such view.</summary>
    public uint? SerialOf(string view, DnsName zone) => Find(view)?.Served.Current.SerialOf(zone);

    /// <summary>Zones this node serves in all operator views together.</summary>
    public int ZoneCount => _views.Sum(v => v.Served.Current.Count);

    /// <summary>The sum of the serials of every view's zones (see <see cref="ZoneSet.SerialSum"/>).</summary>
    public long SerialSum => _views.Sum(v => v.Served.Current.SerialSum());

    /// <summary>Compares every zone of every operator view with the store and catches up those that differ.</summary>
    public async Task ResyncAsync(CancellationToken cancellationToken = default)
    {
        foreach (var v in _views)
            await ResyncAsync(v, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Compares a view's zones with the store's and catches up (or loads, or drops) those that differ.</summary>
    public async Task ResyncAsync(ViewZones view, CancellationToken cancellationToken)
    {
        var behind = await ZoneFollower.BehindAsync(view.Served,
            after => _store.ListZonesAsync(view.Name, ZoneFollower.Page, after, cancellationToken)).ConfigureAwait(false);
        foreach (var chunk in behind.Chunk(64))
            await view.Writer.CatchUpAsync(chunk, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _catalogs.Keys.ToList())
            StopCatalog(name);
        foreach (var v in _views)
            await v.Writer.DisposeAsync().ConfigureAwait(false);
        _views = [];
        _reload.Dispose();
    }

    [LoggerMessage(EventId = 321, Level = LogLevel.Error, Message = "The catalog of view {View} could not be made up to date; the next zone change in the view retries")]
    private static partial void LogCatalogFailed(ILogger logger, string view, Exception exception);

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "View {View} serves {Zones} zones")]
    private static partial void LogViewLoaded(ILogger logger, string view, int zones);
}
