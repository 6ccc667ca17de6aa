using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rdns.Control.Zones;
using Rdns.Hosting.Metrics;
using Rdns.Server.Pipeline;

namespace Rdns.Hosting;

/// <summary>What the host adds to see a running server: /metrics, the dnstap writer, and SIGHUP reload; disposed at stop.</summary>
internal sealed partial class Observability(PrometheusEndpoint? metrics, Server.Dnstap.DnstapStage? dnstap, SettingsReload reload) : IDisposable
{
    public static Observability Start(WebApplication app, ServeSettings settings)
    {
        var services = app.Services;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        PrometheusEndpoint? metrics = null;
        if (settings.Metrics.Enabled)
        {
            metrics = new PrometheusEndpoint(factory =>
            {
                var dns = new DnsMetrics(factory, services.GetRequiredService<QueryCounters>(),
                    settings.Cookies.Enabled ? services.GetRequiredService<Server.Stages.DnsCookies>() : null,
                    services.GetRequiredService<Server.Stages.ResponseRateLimiter>(),
                    services.GetService<Server.Dnstap.DnstapStage>(),
                    () => services.GetRequiredService<DnsService>().TryGetServer()?.Tcp.Connections);
                var control = new ControlMetrics(factory, services.GetRequiredService<Zones.ServedZones>(), services.GetRequiredService<ZoneWriter>(),
                    services.GetRequiredService<ZoneFollower>(), services.GetRequiredService<Transfers>().Sender, services.GetRequiredService<Transfers>().Handler);
                var dnssec = new DnssecMetrics(factory, services.GetRequiredService<Zones.ServedZones>(), services.GetRequiredService<Zones.Dnssec.SignatureCache>());
                var follower = services.GetService<Control.Secondary.SecondaryFollower>() is { } f ? new FollowerMetrics(factory, f) : null;
                var logger = loggers.CreateLogger("Rdns.Metrics");
                var failures = new Server.Stages.LogThrottle(TimeSpan.FromMinutes(1));
                return () =>
                {
                    // Each source on its own: one that fails (a bug) must not blank the others, and
                    // it is said, since the exporter would otherwise swallow it.
                    foreach (var update in follower is null ? (Action[])[dns.Update, control.Update, dnssec.Update] : [dns.Update, control.Update, dnssec.Update, follower.Update])
                    {
                        try
                        {
                            update();
                        }
                        catch (Exception e)
                        {
                            if (failures.TryEnter(out long suppressed))
                                LogUpdateFailed(logger, suppressed, e);
                        }
                    }
                };
            });
            metrics.Map(app);
            // Created now, so its instruments exist when an OTLP reader collects.
            services.GetRequiredService<DnsMeter>();
        }
        var dnstap = services.GetService<Server.Dnstap.DnstapStage>();
        dnstap?.Writer.Start(loggers.CreateLogger("Rdns.Dnstap"));
        var reload = new SettingsReload(settings, services.GetRequiredService<Server.Stages.ResponseRateLimiter>(),
            services.GetRequiredService<Transfers>(), loggers.CreateLogger("Rdns.Settings"), services.GetService<Control.Secondary.SecondaryFollower>());
        return new Observability(metrics, dnstap, reload);
    }

    public SettingsReload Reload => reload;

    public void Dispose()
    {
        reload.Dispose();
        // After the listeners stopped: what was queued is written, then STOP, so the collector's file ends cleanly.
        dnstap?.Dispose();
        metrics?.Dispose();
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Error, Message = "Reading metrics failed; the scrape shows what was read ({Suppressed} similar lines suppressed)")]
    private static partial void LogUpdateFailed(ILogger logger, long suppressed, Exception exception);
}
