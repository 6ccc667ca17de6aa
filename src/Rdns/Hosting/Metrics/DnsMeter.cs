using System.Diagnostics.Metrics;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;

namespace Rdns.Hosting.Metrics;

/// <summary>
/// The DNS counters as a System.Diagnostics.Metrics meter (<c>Rdns.Dns</c>), for exporters that
/// read meters (OTLP): observable counters read from the query path's stripes when the exporter
/// collects. The histograms stay Prometheus-only: meters have no pre-aggregated histogram.
/// </summary>
internal sealed class DnsMeter : IDisposable
{
    public const string Name = "Rdns.Dns";

    private readonly Meter _meter;

    public DnsMeter(IMeterFactory factory, QueryCounters counters)
    {
        _meter = factory.Create(Name);
        _meter.CreateObservableCounter("rdns.dns.queries", () => new[]
        {
            new Measurement<long>(counters.Queries(DnsTransport.Udp), new KeyValuePair<string, object?>("transport", "udp")),
            new Measurement<long>(counters.Queries(DnsTransport.Tcp), new KeyValuePair<string, object?>("transport", "tcp")),
        }, "{query}", "DNS requests received, answered or not");
        _meter.CreateObservableCounter("rdns.dns.answers", () =>
            Enumerable.Range((int)AnswerKind.Positive, (int)AnswerKind.Update)
                .Select(k => new Measurement<long>(counters.Responses((AnswerKind)k), new KeyValuePair<string, object?>("kind", DnsMetrics.KindName((AnswerKind)k)))),
            "{response}", "DNS responses by what answered");
        _meter.CreateObservableCounter("rdns.dns.rcodes", () =>
            Enumerable.Range(0, QueryCounters.RcodeSlots + 1)
                .Select(r => new Measurement<long>(counters.Responses((Rcode)r), new KeyValuePair<string, object?>("rcode", r))),
            "{response}", "DNS responses by RCODE");
        _meter.CreateObservableCounter("rdns.dns.dropped", () => counters.Dropped, "{query}", "DNS requests that got no response");
        _meter.CreateObservableCounter("rdns.dns.truncated", () => counters.Truncated, "{response}", "DNS responses sent with TC set");
    }

    public void Dispose() => _meter.Dispose();
}
