using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Authorization;
using Prometheus;
using Rdns.Control.Zones;

namespace Rdns.Hosting.Metrics;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format: the DNS and control-plane metrics read on
/// each scrape, the process's own (CPU, memory, GC), and every System.Diagnostics.Metrics meter of
/// ASP.NET Core (HTTP requests by route and status, Kestrel connections) and of the write path
/// (commit latency), bridged by prometheus-net's meter adapter. A registry of its own per server,
/// so hosts in one process (tests) never mix their counts.
/// </summary>
public sealed class PrometheusEndpoint : IDisposable
{
    private static readonly HashSet<string> Meters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", ZoneWriter.MeterName];

    private readonly IDisposable _meters;
    private readonly object _gate = new();

    internal PrometheusEndpoint(Func<IMetricFactory, Action> sources)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        var update = sources(factory);
        // Concurrent scrapes update one at a time: each turns counter deltas into observations once.
        Registry.AddBeforeCollectCallback(() =>
        {
            lock (_gate)
                update();
        });
        _meters = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = instrument => Meters.Contains(instrument.Meter.Name),
            // Batch sizes up to the writer's 256; latencies from 100 µs to 10 s (a local SQLite
            // commit to a slow request).
            ResolveHistogramBuckets = instrument => instrument.Name == "commit.batch"
                ? [1, 2, 4, 8, 16, 32, 64, 128, 256]
                : [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });
    }

    public CollectorRegistry Registry { get; }

    public void Map(WebApplication app) =>
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }).ExcludeFromDescription().AllowAnonymous();

    public void Dispose() => _meters.Dispose();
}
