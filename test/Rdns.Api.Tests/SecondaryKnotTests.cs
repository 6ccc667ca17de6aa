using Microsoft.Extensions.DependencyInjection;
using Rdns.TestSupport;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// Knot DNS as a real secondary of Rdns: it learns zones from the catalog zone (RFC 9432), gets
/// NOTIFY after each change and follows by IXFR, all under TSIG; answers are then compared.
/// </summary>
public sealed class SecondaryKnotTests : IAsyncLifetime
{
    private readonly TsigKey _key = TsigKey.Generate(DnsName.Parse("transfer-key."), TsigAlgorithm.HmacSha256);
    private string _folder = null!;
    private KnotProcess _knot = null!;
    private int _knotPort;
    private int _rdnsPort;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-secondary-").FullName;
        Directory.CreateDirectory(Path.Combine(_folder, "db"));
        _knotPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
        var keyFile = Path.Combine(_folder, "keys.conf");
        await File.WriteAllTextAsync(keyFile, _key.ToBindText());

        // Knot's configuration names our port, so it is chosen first; a port found free can be
        // taken again before we bind it, so another is tried then.
        for (int attempt = 1; ; attempt++)
        {
            _rdnsPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            try
            {
                _api = await ApiHost.StartAsync(configure: s =>
                {
                    s.Dns = $"127.0.0.1:{_rdnsPort}";
                    s.TsigKeys = keyFile;
                    s.Secondaries = [$"127.0.0.1:{_knotPort}@transfer-key"];
                });
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
            }
        }
        await File.WriteAllTextAsync(Path.Combine(_folder, "knot.conf"), KnotProcess.SecondaryHead(_folder, _knotPort, _rdnsPort, _key) + $"""
            template:
              - id: default
                storage: {_folder}
                zonefile-sync: -1
                zonefile-load: none
                journal-content: all
              - id: member
                master: rdns
                acl: from-rdns
                storage: {_folder}
                zonefile-sync: -1
                zonefile-load: none
                journal-content: all
            zone:
              - domain: catalog.invalid.
                master: rdns
                acl: from-rdns
                catalog-role: interpret
                catalog-template: member
            """);
        _knot = KnotProcess.Start(Path.Combine(_folder, "knot.conf"));
    }

    public async Task DisposeAsync()
    {
        await _knot.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string KnotLog => _knot.Log;

    private static DnsMessage Ask(int port, string name, RecordType type)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(name), type, id: 7, edns: new EdnsOptions()).ToWire(), new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[65535];
        int n = s.Receive(buffer);
        return DnsMessage.Parse(buffer.AsSpan(0, n));
    }

    private static async Task<TimeSpan> Until(Func<bool> condition, TimeSpan limit, string what, Func<string> context)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                if (condition())
                    return clock.Elapsed;
            }
            catch (SocketException)
            {
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{what} did not happen within {limit.TotalSeconds} s\n{context()}");
    }

    private static string Lines(DnsMessage m) =>
        $"rcode {m.Rcode} aa {m.Has(HeaderFlags.AA)}\n" + string.Join('\n', m.Answers.Concat(m.Authority).Select(r => r.ToString()).Order());

    [Fact]
    public async Task Knot_follows_zones_and_changes_through_the_catalog_notify_and_ixfr()
    {
        // A zone created through the API appears on Knot by itself (catalog + NOTIFY + AXFR).
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = "first.example.net" }), HttpStatusCode.OK);
        await Until(() => Ask(_knotPort, "1.2.0.192.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, TimeSpan.FromSeconds(20),
            "Knot serving the new zone", () => KnotLog);

        // The zone's first NOTIFYs, refused while Knot learnt the zone from the catalog, are retried
        // with backoff; the 2 s below is for one change, so those are acknowledged first.
        var secondaries = _api.Services.GetRequiredService<Api.Console.INotifiedSecondaries>();
        await Until(() => secondaries.For(DnsName.Parse("2.0.192.in-addr.arpa.")) is [{ Pending: false, AcknowledgedSerial: not null }],
            TimeSpan.FromSeconds(30), "the zone's earlier NOTIFYs acknowledged", () => KnotLog);

        // A PTR change reaches Knot through NOTIFY + IXFR within 2 s, and Knot's log shows the IXFR.
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.2", ApiHost.Json(new { ptrdname = "second.example.net" }), HttpStatusCode.OK);
        var took = await Until(() => Ask(_knotPort, "2.2.0.192.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, TimeSpan.FromSeconds(2),
            "the PTR change reaching Knot", () => KnotLog);
        await Until(() => KnotLog.Contains("[2.0.192.in-addr.arpa.] IXFR, incoming", StringComparison.Ordinal), TimeSpan.FromSeconds(2),
            "an IXFR in Knot's log", () => KnotLog);
        Assert.True(took < TimeSpan.FromSeconds(2));

        // Knot's answers equal ours on a sample of queries.
        await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets", ApiHost.Json(new
        {
            rrsets = new object[]
            {
                new { name = "128-26", type = "NS", data = new[] { "ns.128-26" } },
                new { name = "ns.128-26", type = "A", data = new[] { "192.0.2.130" } },
                new { name = "129", type = "CNAME", data = new[] { "129.128-26" } },
                new { name = "3", type = "CNAME", data = new[] { "1" } },
            },
        }), HttpStatusCode.OK);
        var soa = _api.Dns("2.0.192.in-addr.arpa.", RecordType.SOA).Answers[0].Data;
        await Until(() => Ask(_knotPort, "2.0.192.in-addr.arpa.", RecordType.SOA).Answers[0].Data.AsSpan().SequenceEqual(soa), TimeSpan.FromSeconds(5),
            "Knot reaching the latest serial", () => KnotLog);
        foreach (var (name, type) in new[]
        {
            ("1.2.0.192.in-addr.arpa.", RecordType.PTR), ("2.2.0.192.in-addr.arpa.", RecordType.PTR), ("3.2.0.192.in-addr.arpa.", RecordType.PTR),
            ("9.2.0.192.in-addr.arpa.", RecordType.PTR), ("1.2.0.192.in-addr.arpa.", RecordType.TXT), ("2.0.192.in-addr.arpa.", RecordType.NS),
            ("2.0.192.in-addr.arpa.", RecordType.SOA), ("129.2.0.192.in-addr.arpa.", RecordType.PTR), ("130.128-26.2.0.192.in-addr.arpa.", RecordType.PTR),
        })
        {
            Assert.Equal(Lines(Ask(_rdnsPort, name, type)), Lines(Ask(_knotPort, name, type)));
        }

        // A deleted zone leaves Knot.
        await _api.Send(HttpMethod.Delete, "/v1/zones/2.0.192.in-addr.arpa", null, HttpStatusCode.NoContent);
        await Until(() => Ask(_knotPort, "1.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode == (int)Rcode.Refused, TimeSpan.FromSeconds(20),
            "Knot dropping the deleted zone", () => KnotLog);
    }

    [Fact]
    public async Task The_console_shows_the_serial_each_secondary_acknowledged()
    {
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "198.51.100.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Put, "/v1/ptr/198.51.100.1", ApiHost.Json(new { ptrdname = "first.example.net" }), HttpStatusCode.OK);
        await Until(() => Ask(_knotPort, "1.100.51.198.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, TimeSpan.FromSeconds(20),
            "Knot serving the new zone", () => KnotLog);
        using var console = await ConsoleHttp.SignInAsync(_api, _api.AdminKey);
        string page = "";
        await Until(() =>
        {
            page = console.GetStringAsync("/console/zones/100.51.198.in-addr.arpa.").GetAwaiter().GetResult();
            return page.Contains("<span class=\"status\">current</span>", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), "the console showing Knot's acknowledgement", () => page + KnotLog);
        var row = page[page.IndexOf("<table id=\"secondaries\">", StringComparison.Ordinal)..];
        Assert.Contains($"<td>127.0.0.1:{_knotPort}</td><td>transfer-key", row);
        var shown = System.Text.RegularExpressions.Regex.Match(page, "Serial <b>(\\d+)</b>").Groups[1].Value;
        Assert.Contains($"<td>{shown}</td>", row);
    }
}
