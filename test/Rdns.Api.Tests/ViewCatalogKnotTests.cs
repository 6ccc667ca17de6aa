using Rdns.TestSupport;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// One catalog zone per view (RFC 9432): a Knot DNS secondary configured with nothing but the
/// view's key and the view's catalog, <c>catalog.office.invalid.</c>, learns the view's zones by
/// itself, never the public view's, follows a zone added to the view, and drops one removed from it.
/// </summary>
public sealed class ViewCatalogKnotTests : IAsyncLifetime
{
    private readonly TsigKey _key = TsigKey.Generate(DnsName.Parse("office-xfr."), TsigAlgorithm.HmacSha256);
    private string _folder = null!;
    private KnotProcess _knot = null!;
    private int _knotPort;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-view-catalog-").FullName;
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
              - domain: catalog.office.invalid.
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
        throw new Xunit.Sdk.XunitException($"{what} did not happen\n{_knot.Log}");
    }

    private bool Serves(string zone) => AskKnot(zone, RecordType.SOA) is { Rcode: (int)Rcode.NoError } m && m.Answers.Count == 1;

    [Fact]
    public async Task A_knot_secondary_of_a_views_catalog_gets_the_views_zones_and_follows_them()
    {
        // Knot was told of no member zone: it learns both of the view's from the view's catalog.
        await Until(() => AskKnot("1.2.0.192.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, "Knot learning 2.0.192.in-addr.arpa. from the view's catalog");
        await Until(() => AskKnot("1.0.20.10.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, "Knot learning 20.10.in-addr.arpa. from the view's catalog");
        Assert.Equal("printer.office.example.", Rdata.ReadName(AskKnot("1.2.0.192.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());
        Assert.Equal("gw.office.example.", Rdata.ReadName(AskKnot("1.0.20.10.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());
        // The public view's catalog is not the office's: the public-only zone is not listed, so Knot does not serve it.
        Assert.False(Serves("100.51.198.in-addr.arpa."));
        Assert.DoesNotContain("[100.51.198.in-addr.arpa.]", _knot.Log, StringComparison.Ordinal);

        // A zone added to the view: the view's catalog lists it, its NOTIFY reaches Knot, Knot transfers the zone.
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "10.30.0.0/16", view = "office" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Put, "/v1/ptr/10.30.0.1?view=office", ApiHost.Json(new { ptrdname = "lab.office.example." }), HttpStatusCode.OK);
        await Until(() => AskKnot("1.0.30.10.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, "Knot learning a zone added to the view");
        // A zone removed from the view: Knot drops it.
        await _api.Send(HttpMethod.Delete, "/v1/zones/20.10.in-addr.arpa.?view=office", null, HttpStatusCode.NoContent);
        await Until(() => !Serves("20.10.in-addr.arpa."), "Knot dropping a zone removed from the view");
        Assert.True(Serves("2.0.192.in-addr.arpa."));
        // A zone added to the public view does not reach the office's secondary.
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "203.0.113.0/24" }), HttpStatusCode.Created);
        await Until(() => Serves("30.10.in-addr.arpa.") && Serves("2.0.192.in-addr.arpa."), "the view's zones staying on Knot");
        Assert.False(Serves("113.0.203.in-addr.arpa."));
    }

    [Fact]
    public void The_views_catalog_is_transferred_only_with_the_views_key()
    {
        var catalog = DnsName.Parse("catalog.office.invalid.");
        var signed = Axfr(catalog, _key);
        Assert.Equal((int)Rcode.NoError, signed.Rcode);
        var members = signed.Answers.Where(r => r.Type == RecordType.PTR).Select(r => Rdata.ReadName(r.Data).ToString()).Order().ToList();
        Assert.Equal(["2.0.192.in-addr.arpa.", "20.10.in-addr.arpa."], members);
        // Unsigned, the public view answers: it has no such zone.
        Assert.NotEqual((int)Rcode.NoError, Axfr(catalog, null).Rcode);
        // With the view's key, the public catalog is not the view's.
        Assert.NotEqual((int)Rcode.NoError, Axfr(DnsName.Parse("catalog.invalid."), _key).Rcode);
    }

    private DnsMessage Axfr(DnsName zone, TsigKey? key)
    {
        using var tcp = new TcpClient();
        tcp.Connect(_api.DnsEndpoint);
        var stream = tcp.GetStream();
        stream.ReadTimeout = 5000;
        var wire = new byte[4096];
        var body = DnsMessage.Query(zone, RecordType.AXFR, id: 9).ToWire();
        body.CopyTo(wire, 0);
        int length = body.Length;
        if (key is not null)
            Assert.True(new TsigSigner(null).TrySignRequest(wire, ref length, key, out _));
        var frame = new byte[length + 2];
        frame[0] = (byte)(length >> 8);
        frame[1] = (byte)length;
        wire.AsSpan(0, length).CopyTo(frame.AsSpan(2));
        stream.Write(frame);
        var prefix = new byte[2];
        stream.ReadExactly(prefix);
        var reply = new byte[(prefix[0] << 8) | prefix[1]];
        stream.ReadExactly(reply);
        return DnsMessage.Parse(reply);
    }
}
