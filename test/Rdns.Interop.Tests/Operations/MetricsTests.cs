using System.Net;
using System.Net.Http.Headers;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Operations;

/// <summary>
/// <c>/metrics</c> of a real <c>rdns serve</c>, read as Prometheus reads it: after N queries of each
/// kind, each counter has moved by exactly N.
/// </summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private const int N = 7;
    private string _zones = "";
    private RdnsServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _zones = Directory.CreateTempSubdirectory("rdns-metrics-zones-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_zones, "2.0.192.in-addr.arpa.zone"), """
            $ORIGIN 2.0.192.in-addr.arpa.
            @      3600 IN SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 3600
            @      3600 IN NS  ns1.example.net.
            1      3600 IN PTR one.example.net.
            child  3600 IN NS  ns.child.example.net.
            """);
        _server = await RdnsServer.StartAsync(null, ["--zones", _zones]);
        _http = new HttpClient { BaseAddress = _server.Http, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_zones, recursive: true);
    }

    private async Task AskAsync(string name, RecordType type, bool tcp = false)
    {
        var query = DnsMessage.Query(DnsName.Parse(name), type).ToWire();
        var answer = tcp
            ? await DnsClient.TcpAsync(_server.Dns, query, TimeSpan.FromSeconds(5))
            : await DnsClient.UdpAsync(_server.Dns, query, TimeSpan.FromSeconds(5), attempts: 1);
        Assert.NotNull(answer);
    }

    [Fact]
    public async Task Counters_move_by_exactly_n_after_n_queries_of_each_kind()
    {
        var before = await Scrape.ReadAsync(_http);
        for (int i = 0; i < N; i++)
        {
            await AskAsync("1.2.0.192.in-addr.arpa.", RecordType.PTR);           // positive
            await AskAsync("9.2.0.192.in-addr.arpa.", RecordType.PTR);           // NXDOMAIN
            await AskAsync("1.2.0.192.in-addr.arpa.", RecordType.TXT);           // NODATA
            await AskAsync("5.child.2.0.192.in-addr.arpa.", RecordType.PTR);     // referral
            await AskAsync("example.com.", RecordType.A);                         // refused
            await AskAsync("1.2.0.192.in-addr.arpa.", RecordType.PTR, tcp: true); // positive over TCP
        }
        var after = await Scrape.ReadAsync(_http);
        double Delta(string series) => after[series] - before[series];

        Assert.Equal(5 * N, Delta("rdns_dns_queries_total{transport=\"udp\"}"));
        Assert.Equal(N, Delta("rdns_dns_queries_total{transport=\"tcp\"}"));
        Assert.Equal(5 * N, Delta("rdns_dns_responses_total{transport=\"udp\"}"));
        Assert.Equal(N, Delta("rdns_dns_responses_total{transport=\"tcp\"}"));
        Assert.Equal(2 * N, Delta("rdns_dns_answers_total{kind=\"positive\"}"));
        Assert.Equal(N, Delta("rdns_dns_answers_total{kind=\"nxdomain\"}"));
        Assert.Equal(N, Delta("rdns_dns_answers_total{kind=\"nodata\"}"));
        Assert.Equal(N, Delta("rdns_dns_answers_total{kind=\"referral\"}"));
        Assert.Equal(N, Delta("rdns_dns_answers_total{kind=\"refused\"}"));
        Assert.Equal(4 * N, Delta("rdns_dns_rcodes_total{rcode=\"NOERROR\"}"));
        Assert.Equal(N, Delta("rdns_dns_rcodes_total{rcode=\"NXDOMAIN\"}"));
        Assert.Equal(N, Delta("rdns_dns_rcodes_total{rcode=\"REFUSED\"}"));
        Assert.Equal(6 * N, Delta("rdns_dns_opcodes_total{opcode=\"QUERY\"}"));
        Assert.Equal(4 * N, Delta("rdns_dns_query_types_total{qtype=\"PTR\"}"));
        Assert.Equal(N, Delta("rdns_dns_query_types_total{qtype=\"TXT\"}"));
        Assert.Equal(N, Delta("rdns_dns_query_types_total{qtype=\"A\"}"));
        Assert.Equal(6 * N, Delta("rdns_dns_response_size_bytes_count"));
        Assert.Equal(6 * N, Delta("rdns_dns_processing_seconds_count"));
        Assert.Equal(0, Delta("rdns_dns_dropped_total"));
        // Every response of these fits 128 octets; none took a second.
        Assert.Equal(6 * N, Delta("rdns_dns_response_size_bytes_bucket{le=\"128\"}"));
        Assert.Equal(6 * N, Delta("rdns_dns_processing_seconds_bucket{le=\"+Inf\"}"));
        Assert.Equal(2, after["rdns_zones"]); // the zone and the catalog zone
        Assert.Equal(0, after["rdns_zone_rows"]); // rows only from RowsFrom (1,024) zones that can be
    }

    [Fact]
    public async Task The_control_plane_is_measured_too()
    {
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        var before = await Scrape.ReadAsync(_http);
        for (int i = 1; i <= 3; i++)
        {
            var put = await _http.PutAsync($"/v1/ptr/192.0.2.{10 + i}",
                new StringContent($$"""{"ptrdname":"host{{i}}.example.net."}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        var after = await Scrape.ReadAsync(_http);
        Assert.Equal(3, after["rdns_store_commit_requests_total"] - before["rdns_store_commit_requests_total"]);
        Assert.Equal(before["rdns_records"] + 3, after["rdns_records"]);
        // The write path's own meter: one commit latency per transaction.
        Assert.True(after["rdns_store_commit_duration_count"] - before["rdns_store_commit_duration_count"] >= 1,
            string.Join("\n", after.Names.Where(n => n.StartsWith("rdns_store"))));
        // ASP.NET Core's built-in meters: the API requests by route and status.
        Assert.True(after.HasContaining("http_server_request_duration"), string.Join("\n", after.Names.Where(n => n.Contains("http"))));
        Assert.True(after.Has("process_cpu_seconds_total"));
    }

    [Fact]
    public async Task The_dashboard_asks_only_for_metrics_the_server_has()
    {
        // Every source present: a secondary (never answering), dnstap (no collector), rate limiting.
        var socket = Path.Combine(_zones, "none.sock");
        await using var server = await RdnsServer.StartAsync(null, ["--zones", _zones, "--secondary", "127.0.0.1:9", "--dnstap", socket]);
        using var http = new HttpClient { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(10) };
        Assert.NotNull(await DnsClient.UdpAsync(server.Dns, DnsMessage.Query(DnsName.Parse("1.2.0.192.in-addr.arpa."), RecordType.PTR).ToWire(), TimeSpan.FromSeconds(2)));
        // A write, so the write path's latency has a first measurement.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        (await http.PutAsync("/v1/ptr/192.0.2.9", new StringContent("""{"ptrdname":"nine.example.net."}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var text = await http.GetStringAsync("/metrics");
        var families = System.Text.RegularExpressions.Regex.Matches(text, @"^# TYPE (\S+)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();
        var dashboard = await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "deploy", "grafana-dashboard.json"));
        var asked = System.Text.RegularExpressions.Regex.Matches(dashboard, @"\brdns_[a-z_]+").Select(m => m.Value)
            .Select(n => System.Text.RegularExpressions.Regex.Replace(n, "_(bucket|sum|count)$", "")).ToHashSet();
        Assert.NotEmpty(asked);
        Assert.Empty(asked.Where(n => !families.Contains(n)).Order());

        // The secondary never answers the NOTIFY the write sent: said in the log within seconds
        // (not after the last of 20 tries), and in the metrics.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!server.Output.Contains("Secondary 127.0.0.1:9 is not answering NOTIFY") && DateTime.UtcNow < until)
            await Task.Delay(200);
        Assert.Contains("Secondary 127.0.0.1:9 is not answering NOTIFY", server.Output);
        var scrape = await Scrape.ReadAsync(http);
        Assert.True(scrape["rdns_secondary_notify_failures_total{secondary=\"127.0.0.1:9\"}"] >= 3, string.Join("\n", scrape.Names.Where(n => n.Contains("secondary")).Select(n => $"{n} {scrape[n]}")));
        Assert.True(scrape["rdns_secondary_zones_pending{secondary=\"127.0.0.1:9\"}"] >= 1);
        Assert.Equal(0, scrape["rdns_secondary_notify_last_ack_timestamp_seconds{secondary=\"127.0.0.1:9\"}"]);

        // A transfer to a secondary's address is counted with the bytes of its message (one here: a small zone).
        Assert.Equal(0, scrape["rdns_transfers_sent_total"]);
        var axfr = await DnsClient.TcpAsync(server.Dns, DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.AXFR).ToWire(), TimeSpan.FromSeconds(5));
        Assert.NotNull(axfr);
        Assert.Equal(0, DnsMessage.Parse(axfr).Rcode);
        // Counted once the last message is handed to the socket, which may be just after the
        // client has read it: wait for the count rather than race it.
        var afterTransfer = await Scrape.ReadAsync(http);
        for (var counted = DateTime.UtcNow + TimeSpan.FromSeconds(10); afterTransfer["rdns_transfers_sent_total"] == 0 && DateTime.UtcNow < counted;)
        {
            await Task.Delay(100);
            afterTransfer = await Scrape.ReadAsync(http);
        }
        Assert.Equal(1, afterTransfer["rdns_transfers_sent_total"]);
        Assert.Equal(axfr.Length, afterTransfer["rdns_transfers_sent_bytes_total"]);
    }

    [Fact]
    public async Task Meters_are_pushed_over_otlp_when_a_collector_is_named()
    {
        // An OTLP/HTTP collector as far as the exporter can tell: it takes the POSTs and keeps them.
        int port = FreePort.ForUdpAndTcp();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/v1/metrics/");
        collector.Start();
        var received = new List<(string? Type, byte[] Body)>();
        var receiving = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (received)
                    received.Add((context.Request.ContentType, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        var environment = new Dictionary<string, string?>
        {
            ["RDNS_METRICS__OTLP"] = $"http://127.0.0.1:{port}/v1/metrics",
            ["RDNS_METRICS__OTLPINTERVALSECONDS"] = "1",
        };
        await using (var server = await RdnsServer.StartAsync(null, ["--zones", _zones], environment))
        {
            Assert.NotNull(await DnsClient.UdpAsync(server.Dns, DnsMessage.Query(DnsName.Parse("1.2.0.192.in-addr.arpa."), RecordType.PTR).ToWire(), TimeSpan.FromSeconds(2)));
            bool Pushed()
            {
                lock (received)
                    return received.Any(r => System.Text.Encoding.ASCII.GetString(r.Body).Contains("rdns.dns.queries"));
            }
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (!Pushed() && DateTime.UtcNow < until)
                await Task.Delay(200);
            Assert.True(Pushed(), $"{received.Count} exports, none with rdns.dns.queries");
        }
        collector.Stop();
        await receiving;
        lock (received)
            Assert.All(received, r => Assert.Equal("application/x-protobuf", r.Type));
    }
}
