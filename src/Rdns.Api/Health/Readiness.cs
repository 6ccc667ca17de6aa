using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Api.Health;

/// <summary>
/// Whether this node should get traffic (<c>/readyz</c>): the zones are loaded, the store answered
/// its last probe (one a second, two seconds at most each, so a lost store shows within three
/// seconds), and the server is not stopping. Changes are logged once each way.
/// </summary>
public sealed partial class Readiness(IRdnsStore store, ServedZones zones, IHostApplicationLifetime lifetime, ILogger<Readiness> logger, TimeProvider time)
    : BackgroundService
{
    /// <summary>1 s between probes: readiness follows the store within seconds for a few cheap queries a second.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>A probe that takes longer than 2 s counts as a failure: a store that slow cannot take writes either.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private volatile string? _storeError;
    private volatile bool _zonesLoaded;
    private volatile bool _probed;
    private DateTimeOffset _lastProbe;

    /// <summary>Set by the host once every zone has been loaded from the store.</summary>
    public void ZonesLoaded() => _zonesLoaded = true;

    public ReadinessReport Report()
    {
        var reasons = new List<string>();
        if (!_zonesLoaded)
            reasons.Add("zones are not loaded yet");
        if (_storeError is { } error)
            reasons.Add($"store unreachable: {error}");
        else if (!_probed)
            reasons.Add("store not checked yet");
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            reasons.Add("stopping");
        return new ReadinessReport(reasons.Count == 0 ? "ready" : "not ready", reasons, zones.Current.Count,
            new StoreState(store.Kind, _storeError is null && _probed, _storeError, _probed ? _lastProbe : null));
    }

    /// <summary>The first probe runs before the server listens, so <c>/readyz</c> never answers from no information.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ProbeAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ProbeInterval, time, stoppingToken).ConfigureAwait(false);
                await ProbeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            await store.GetIdentityAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"no answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = e.Message;
        }
        var before = _storeError;
        bool first = !_probed;
        _storeError = error;
        _lastProbe = time.GetUtcNow();
        _probed = true;
        if (error is not null && (before is null || first))
            LogStoreLost(logger, store.Kind, error);
        else if (error is null && before is not null)
            LogStoreBack(logger, store.Kind);
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Not ready: the {Store} store cannot be reached ({Error}); DNS answers from memory, changes are refused until it is back")]
    private static partial void LogStoreLost(ILogger logger, string store, string error);

    [LoggerMessage(EventId = 521, Level = LogLevel.Information, Message = "Ready again: the {Store} store answers")]
    private static partial void LogStoreBack(ILogger logger, string store);
}

/// <summary>The body of <c>/readyz</c>: status, why not ready, zones served, and the store's state.</summary>
public sealed record ReadinessReport(string Status, IReadOnlyList<string> Reasons, int Zones, StoreState Store)
{
    public bool Ready => Reasons.Count == 0;
}

public sealed record StoreState(string Kind, bool Reachable, string? Error, DateTimeOffset? CheckedAt);
