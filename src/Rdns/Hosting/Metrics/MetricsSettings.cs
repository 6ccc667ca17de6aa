namespace Rdns.Hosting.Metrics;

/// <summary>Prometheus metrics at <c>GET /metrics</c> on the HTTP listener (settings section <c>Metrics</c>).</summary>
public sealed class MetricsSettings
{
    /// <summary>On by default: counting costs the query path a few increments on the worker's own cache lines.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Zones counted one by one (responses per zone and answer kind), on demand: every zone of a
    /// large server would be thousands of series. At most 256.
    /// </summary>
    public List<string>? Zones { get; set; }

    /// <summary>
    /// An OpenTelemetry collector's OTLP/HTTP metrics endpoint (<c>http://collector:4318/v1/metrics</c>)
    /// to push the meters to as well; none by default.
    /// </summary>
    public string? Otlp { get; set; }

    /// <summary>60 s between OTLP exports: the OpenTelemetry default, and a usual scrape interval.</summary>
    public int OtlpIntervalSeconds { get; set; } = 60;
}
