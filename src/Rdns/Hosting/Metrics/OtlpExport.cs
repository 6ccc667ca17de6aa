using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Rdns.Control.Zones;

namespace Rdns.Hosting.Metrics;

/// <summary>
/// Metrics pushed over OTLP (HTTP/protobuf) to an OpenTelemetry collector, when
/// <c>Metrics:Otlp</c> names one: the DNS counters (<see cref="DnsMeter"/>), the write path's
/// commit latency and batch sizes, and ASP.NET Core's request meters, every
/// <c>Metrics:OtlpIntervalSeconds</c>. Beside /metrics, not instead of it.
/// </summary>
public static class OtlpExport
{
    public static void Configure(IServiceCollection services, MetricsSettings settings)
    {
        if (string.IsNullOrEmpty(settings.Otlp))
            return;
        var endpoint = new Uri(settings.Otlp);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(DnsMeter.Name, ZoneWriter.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.OtlpIntervalSeconds * 1000;
            }));
    }
}
