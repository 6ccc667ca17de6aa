using Prometheus;
using Rdns.Protocol.Wire;
using Rdns.Server;
using Rdns.Server.Dnstap;
using Rdns.Server.Pipeline;
using Rdns.Server.Stages;

namespace Rdns.Hosting.Metrics;

/// <summary>
/// The DNS side's metrics, read from the counters the query path keeps (per-worker stripes summed
/// here) on each scrape: names and labels in Prometheus style, every label with a small fixed set
/// of values (transport, kind, RCODE, opcode, type slot, and only the zones named in settings).
/// </summary>
internal sealed class DnsMetrics
{
    private readonly QueryCounters _counters;
    private readonly DnsCookies? _cookies;
    private readonly ResponseRateLimiter? _rrl;
    private readonly DnstapStage? _dnstap;
    private readonly Func<TcpConnectionTable?> _tcp;
    private readonly Counter _queries;
    private readonly Counter _queryTypes;
    private readonly Counter _responses;
    private readonly Counter _kinds;
    private readonly Counter _rcodes;
    private readonly Counter _opcodes;
    private readonly Counter _dropped;
    private readonly Counter _truncated;
    private readonly Counter _zoneResponses;
    private readonly HistogramExport _sizes;
    private readonly HistogramExport _times;
    private readonly Counter _cookieCounts;
    private readonly Counter _rrlCounts;
    private readonly Gauge _tcpOpen;
    private readonly Counter _tcpClosed;
    private readonly Counter _dnstapCounts;
    private readonly Gauge _dnstapConnected;

    public DnsMetrics(IMetricFactory f, QueryCounters counters, DnsCookies? cookies, ResponseRateLimiter? rrl, DnstapStage? dnstap, Func<TcpConnectionTable?> tcp)
    {
        _counters = counters;
        _cookies = cookies;
        _rrl = rrl;
        _dnstap = dnstap;
        _tcp = tcp;
        _queries = f.CreateCounter("rdns_dns_queries_total", "DNS requests received, answered or not", ["transport"]);
        _queryTypes = f.CreateCounter("rdns_dns_query_types_total", "DNS requests by question type (types without a series of their own: other)", ["qtype"]);
        _responses = f.CreateCounter("rdns_dns_responses_total", "DNS responses sent", ["transport"]);
        _kinds = f.CreateCounter("rdns_dns_answers_total", "DNS responses by what answered: positive, default_name (synthesized), referral, nodata, nxdomain, refused, error, transfer, notify, update", ["kind"]);
        _rcodes = f.CreateCounter("rdns_dns_rcodes_total", "DNS responses by RCODE", ["rcode"]);
        _opcodes = f.CreateCounter("rdns_dns_opcodes_total", "DNS responses by the request's opcode", ["opcode"]);
        _dropped = f.CreateCounter("rdns_dns_dropped_total", "DNS requests that got no response (dropped by rate limiting, or nothing to answer)");
        _truncated = f.CreateCounter("rdns_dns_truncated_total", "DNS responses sent with TC set (too large for UDP, or slipped by rate limiting)");
        _zoneResponses = f.CreateCounter("rdns_dns_zone_answers_total", "DNS responses by zone and kind, for the zones named in Metrics:Zones", ["zone", "kind"]);
        _sizes = new HistogramExport(HistogramExport.Create(f, "rdns_dns_response_size_bytes", "Size of DNS responses sent", HistogramBuckets.SizeBounds, 1),
            counters.ResponseSizes, 1);
        _times = new HistogramExport(HistogramExport.Create(f, "rdns_dns_processing_seconds", "Time from receiving a DNS request to its response being ready", HistogramBuckets.TimeBoundsMicroseconds, 1e-6),
            counters.ProcessingTimes, 1e-6);
        _cookieCounts = f.CreateCounter("rdns_dns_cookies_total", "DNS requests with a cookie (RFC 7873), by what it proved: valid, invalid, client_only", ["result"]);
        _rrlCounts = f.CreateCounter("rdns_dns_rrl_total", "Responses over the rate limit: limited (dropped or slipped), slipped (sent truncated)", ["action"]);
        _tcpOpen = f.CreateGauge("rdns_dns_tcp_connections", "Open DNS-over-TCP connections");
        _tcpClosed = f.CreateCounter("rdns_dns_tcp_connections_closed_total", "TCP connections closed early for fairness: evicted (idle, to make room), refused (per-client limit)", ["reason"]);
        _dnstapCounts = f.CreateCounter("rdns_dnstap_requests_total", "Requests by what dnstap did with them: logged (queued), written (reached the collector), dropped (queue full), discarded (no collector), too_large", ["result"]);
        _dnstapConnected = f.CreateGauge("rdns_dnstap_connected", "1 while the dnstap collector's socket is connected");
    }

    public void Update()
    {
        foreach (var t in (DnsTransport[])[DnsTransport.Udp, DnsTransport.Tcp])
        {
            var label = t == DnsTransport.Udp ? "udp" : "tcp";
            _queries.WithLabels(label).IncTo(_counters.Queries(t));
            _responses.WithLabels(label).IncTo(_counters.Responses(t));
        }
        for (int slot = 0; slot < QueryTypeSlots.Count; slot++)
            _queryTypes.WithLabels(QueryTypeSlots.Name(slot)).IncTo(_counters.QueriesOfTypeSlot(slot));
        for (var kind = AnswerKind.Positive; kind <= AnswerKind.Update; kind++)
            _kinds.WithLabels(KindName(kind)).IncTo(_counters.Responses(kind));
        for (int rcode = 0; rcode <= QueryCounters.RcodeSlots; rcode++)
        {
            long n = _counters.Responses((Rcode)rcode);
            // Every RCODE that occurred, and the common ones always (a rate of 0 is information).
            if (n > 0 || rcode <= 5)
                _rcodes.WithLabels(RcodeName(rcode)).IncTo(n);
        }
        foreach (var opcode in (Opcode[])[Opcode.Query, Opcode.Notify, Opcode.Update, Opcode.IQuery, Opcode.Status])
            _opcodes.WithLabels(opcode.ToString().ToUpperInvariant()).IncTo(_counters.Requests(opcode));
        _dropped.IncTo(_counters.Dropped);
        _truncated.IncTo(_counters.Truncated);
        foreach (var zone in _counters.Zones)
        {
            for (var kind = AnswerKind.Positive; kind <= AnswerKind.Update; kind++)
                _zoneResponses.WithLabels(zone.ToString(), KindName(kind)).IncTo(_counters.Responses(zone, kind));
        }
        _sizes.Update();
        _times.Update();
        if (_cookies is not null)
        {
            _cookieCounts.WithLabels("valid").IncTo(_cookies.Valid);
            _cookieCounts.WithLabels("invalid").IncTo(_cookies.Invalid);
            _cookieCounts.WithLabels("client_only").IncTo(_cookies.ClientOnly);
        }
        if (_rrl is not null)
        {
            _rrlCounts.WithLabels("limited").IncTo(_rrl.Limited);
            _rrlCounts.WithLabels("slipped").IncTo(_rrl.Slipped);
        }
        if (_tcp() is { } tcp)
        {
            _tcpOpen.Set(tcp.Count);
            _tcpClosed.WithLabels("evicted").IncTo(tcp.Evicted);
            _tcpClosed.WithLabels("refused").IncTo(tcp.Refused);
        }
        if (_dnstap is not null)
        {
            _dnstapCounts.WithLabels("logged").IncTo(_dnstap.Logged);
            _dnstapCounts.WithLabels("written").IncTo(_dnstap.Writer.Written);
            _dnstapCounts.WithLabels("dropped").IncTo(_dnstap.Dropped);
            _dnstapCounts.WithLabels("discarded").IncTo(_dnstap.Writer.Discarded);
            _dnstapCounts.WithLabels("too_large").IncTo(_dnstap.TooLarge);
            _dnstapConnected.Set(_dnstap.Writer.Connected ? 1 : 0);
        }
    }

    public static string KindName(AnswerKind kind) => kind switch
    {
        AnswerKind.DefaultName => "default_name",
        AnswerKind.NoData => "nodata",
        AnswerKind.NxDomain => "nxdomain",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string RcodeName(int rcode) => rcode switch
    {
        QueryCounters.RcodeSlots => "other",
        16 => "BADVERS",
        23 => "BADCOOKIE",
        _ when Enum.IsDefined((Rcode)rcode) => ((Rcode)rcode).ToString().ToUpperInvariant(),
        _ => rcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
