using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Rdns.Hosting;

/// <summary>
/// SIGHUP: read the settings again (file, environment, command line as at start) and apply what
/// can change while serving — log levels, rate limiting (rate, slip, exemptions), TSIG keys,
/// secondaries and, in secondary mode, the primaries — logging each change. Settings that need a restart (addresses, store, workers)
/// are left as they were and said so. Queries go on being answered throughout: nothing is
/// rebuilt that a query uses, only swapped.
/// </summary>
public sealed partial class SettingsReload : IDisposable
{
    private readonly ServeSettings _settings;
    private readonly Server.Stages.ResponseRateLimiter _rrl;
    private readonly Transfers _transfers;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration? _signal;
    private readonly object _gate = new();
    private readonly Control.Secondary.SecondaryFollower? _follower;
    private ServeSettings _current;

    /// <param name="follower">In secondary mode: takes the reloaded settings' primaries (after the keys, which they may name).</param>
    public SettingsReload(ServeSettings settings, Server.Stages.ResponseRateLimiter rrl, Transfers transfers, ILogger logger,
        Control.Secondary.SecondaryFollower? follower = null)
    {
        _follower = follower;
        _settings = settings;
        _current = settings;
        _rrl = rrl;
        _transfers = transfers;
        _logger = logger;
        if (!OperatingSystem.IsWindows())
        {
            _signal = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                // Handled: without this the runtime's default for SIGHUP ends the process.
                context.Cancel = true;
                ThreadPool.QueueUserWorkItem(_ => Reload());
            });
        }
    }

    /// <summary>Reloads now (SIGHUP does this); returns what changed.</summary>
    public IReadOnlyList<string> Reload()
    {
        lock (_gate)
        {
            var changes = new List<string>();
            try
            {
                var configuration = _settings.Configuration() ?? throw new SettingsException("no configuration to reload");
                string levelsBefore = LogSetup.Describe(configuration);
                // Reloading the root fires its change token: the logger filters follow at once.
                configuration.Reload();
                var fresh = new ServeSettings();
                configuration.Bind(fresh);
                fresh.Validate();
                string levelsAfter = LogSetup.Describe(configuration);
                if (levelsBefore != levelsAfter)
                    changes.Add($"log levels: [{levelsBefore}] -> [{levelsAfter}]");
                var oldRrl = Describe(_current.Rrl);
                var newRrl = Describe(fresh.Rrl);
                if (oldRrl != newRrl)
                {
                    _rrl.Reconfigure(fresh.Rrl);
                    changes.Add($"rate limiting: {oldRrl} -> {newRrl}");
                }
                if (_follower is { Promoted: false } && !fresh.IsSecondary)
                    throw new SettingsException("Primaries: a secondary needs at least one primary; to stop following, promote the node (rdns promote)");
                // Checked before anything changes: each primary is IP:PORT[@KEY].
                foreach (var text in fresh.PrimaryList())
                {
                    if (!Transfer.PrimaryServer.TryParse(text, out _, out _, out var error))
                        throw new SettingsException($"Primary '{text}': {error}");
                }
                changes.AddRange(_transfers.Reload(fresh));
                if (_follower is not null)
                    changes.AddRange(_follower.ReplacePrimaries(SecondaryMode.Options(fresh, _transfers.Keys).Primaries));
                foreach (var (name, before, after) in RestartOnly(_current, fresh, followsPrimaries: _follower is not null))
                {
                    if (before != after)
                        LogNeedsRestart(_logger, name, before, after);
                }
                _current = fresh;
            }
            catch (Exception e) when (e is SettingsException or ArgumentException or InvalidDataException or IOException or FormatException or InvalidOperationException)
            {
                LogReloadRefused(_logger, e.Message);
                return [];
            }
            if (changes.Count == 0)
                LogNothingChanged(_logger);
            foreach (var change in changes)
                LogChanged(_logger, change);
            return changes;
        }
    }

    private static string Describe(Server.Stages.RrlOptions o) =>
        $"Rate={o.Rate} Slip={o.Slip} Exempt=[{string.Join(",", o.Exempt)}]";

    private static IEnumerable<(string Name, string Before, string After)> RestartOnly(ServeSettings a, ServeSettings b, bool followsPrimaries)
    {
        // A node becomes a secondary (or stops being one) only by a restart (or a promotion).
        if (!followsPrimaries)
            yield return ("Primaries", string.Join(",", a.PrimaryList()), string.Join(",", b.PrimaryList()));
        yield return ("Catalog", a.Catalog, b.Catalog);
        yield return ("FollowZones", string.Join(",", a.FollowZones ?? []), string.Join(",", b.FollowZones ?? []));
        yield return ("Dns", a.Dns, b.Dns);
        yield return ("Http", a.Http, b.Http);
        yield return ("Store", a.Store ?? "", b.Store ?? "");
        yield return ("UdpWorkers", $"{a.UdpWorkers}", $"{b.UdpWorkers}");
        yield return ("Dnstap:Socket", a.Dnstap.Socket ?? "", b.Dnstap.Socket ?? "");
        yield return ("LogFormat", a.LogFormat, b.LogFormat);
    }

    public void Dispose() => _signal?.Dispose();

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Settings reloaded: {Change}")]
    private static partial void LogChanged(ILogger logger, string change);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Settings reloaded: nothing that can change at run time changed")]
    private static partial void LogNothingChanged(ILogger logger);

    [LoggerMessage(EventId = 702, Level = LogLevel.Error, Message = "Settings not reloaded, the running ones stay: {Reason}")]
    private static partial void LogReloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Setting {Name} changed ('{Before}' -> '{After}') but takes effect only after a restart")]
    private static partial void LogNeedsRestart(ILogger logger, string name, string before, string after);
}
