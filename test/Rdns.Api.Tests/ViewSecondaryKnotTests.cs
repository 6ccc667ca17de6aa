using Rdns.TestSupport;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// Transfers per view, as BIND does them: a Knot DNS secondary whose TSIG key is a view's key
/// transfers that view's zones (its SOA queries and transfers are signed, so the view's rules
/// match them), gets nothing of a zone only another view has, and is sent the view's NOTIFY.
/// </summary>
public sealed class ViewSecondaryKnotTests : IAsyncLifetime
{
    private readonly TsigKey _key = TsigKey.Generate(DnsName.Parse("office-xfr."), TsigAlgorithm.HmacSha256);
    private string _folder = null!;
    private KnotProcess _knot = null!;
    private int _knotPort;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-view-secondary-").FullName;
        Directory.CreateDirectory(Path.Combine(_folder, "db"));
        _knotPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
        var keyFile = Path.Combine(_folder, "keys.conf");
        await File.WriteAllTextAsync(keyFile, _key.ToBindText());
        _api = await ApiHost.StartAsync(configure: s =>
        {
            s.TsigKeys = keyFile;
            s.Secondaries = [$"127.0.0.1:{_knotPort}@office-xfr"];
        });
        await _api.Send(HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "office", keys = new[] { "office-xfr." } }), HttpStatusCode.Created);
        // 192.0.2.0/24 in both views, with different PTRs; 198.51.100.0/24 in the public view only; 10.20/16 in the office only.
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = "www.example.com." }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "198.51.100.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24", view = "office" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1?view=office", ApiHost.Json(new { ptrdname = "printer.office.example." }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "10.20.0.0/16", view = "office" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Put, "/v1/ptr/10.20.0.1?view=office", ApiHost.Json(new { ptrdname = "gw.office.example." }), HttpStatusCode.OK);

        await File.WriteAllTextAsync(Path.Combine(_folder, "knot.conf"), KnotProcess.SecondaryHead(_folder, _knotPort, _api.DnsEndpoint.Port, _key) + $"""
            template:
              - id: default
                master: rdns
                acl: from-rdns
                storage: {_folder}
                zonefile-sync: -1
                zonefile-load: none
                journal-content: all
            zone:
              - domain: 2.0.192.in-addr.arpa.
              - domain: 20.10.in-addr.arpa.
              - domain: 100.51.198.in-addr.arpa.
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

    private DnsMessage AskKnot(string name, RecordType type)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(name), type, id: 7).ToWire(), new IPEndPoint(IPAddress.Loopback, _knotPort));
        var buffer = new byte[65535];
        return DnsMessage.Parse(buffer.AsSpan(0, s.Receive(buffer)));
    }

    private async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if (condition())
                    return;
            }
            catch (SocketException)
            {
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{what} did not happen\n{KnotLog}");
    }

    [Fact]
    public async Task A_knot_secondary_with_the_views_key_receives_only_that_views_zones_and_its_notify()
    {
        await Until(() => AskKnot("1.2.0.192.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, "Knot transferring 2.0.192.in-addr.arpa.");
        await Until(() => AskKnot("1.0.20.10.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, "Knot transferring 20.10.in-addr.arpa.");
        Assert.Equal("printer.office.example.", Rdata.ReadName(AskKnot("1.2.0.192.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());
        Assert.Equal("gw.office.example.", Rdata.ReadName(AskKnot("1.0.20.10.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());
        // The public view's own zone is not the office's: its transfer is refused, and Knot serves nothing of it.
        await Until(() => KnotLog.Contains("[100.51.198.in-addr.arpa.]", StringComparison.Ordinal), "Knot trying 100.51.198.in-addr.arpa.");
        Assert.NotEqual((int)Rcode.NoError, AskKnot("1.100.51.198.in-addr.arpa.", RecordType.PTR).Rcode);

        // A change in the view reaches Knot by the view's NOTIFY (signed with the view's key) and
        // IXFR; without NOTIFY, Knot would not ask again before the SOA refresh, an hour away.
        await _api.Send(HttpMethod.Put, "/v1/ptr/10.20.0.2?view=office", ApiHost.Json(new { ptrdname = "ap.office.example." }), HttpStatusCode.OK);
        await Until(() => AskKnot("2.0.20.10.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, "the view's change reaching Knot");
        Assert.Equal("ap.office.example.", Rdata.ReadName(AskKnot("2.0.20.10.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());
        await Until(() => KnotLog.Contains("[20.10.in-addr.arpa.] IXFR, incoming", StringComparison.Ordinal), "an IXFR of the view's zone in Knot's log");
    }
}
