using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.TestSupport;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// Three tiers: an Rdns primary, an Rdns secondary following it, and Knot following the Rdns
/// secondary through the catalog the secondary passes on. A change on the primary reaches Knot by
/// NOTIFY and IXFR at each hop.
/// </summary>
public sealed class MultiTierTests : IAsyncLifetime
{
    private ApiHost _primary = null!;
    private ApiHost _edge = null!;
    private string _folder = null!;
    private int _edgePort;
    private int _knotPort;
    private KnotProcess? _knot;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-tiers-").FullName;
        Directory.CreateDirectory(Path.Combine(_folder, "db"));
        for (int attempt = 1; ; attempt++)
        {
            _edgePort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            _knotPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            _primary = await ApiHost.StartAsync(configure: s => s.Secondaries = [$"127.0.0.1:{_edgePort}"]);
            try
            {
                _edge = await ApiHost.StartAsync(configure: s =>
                {
                    s.Dns = $"127.0.0.1:{_edgePort}";
                    s.Primaries = [$"127.0.0.1:{_primary.DnsEndpoint.Port}"];
                    s.Secondaries = [$"127.0.0.1:{_knotPort}"];
                });
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
                await _primary.DisposeAsync();
            }
        }
        await File.WriteAllTextAsync(Path.Combine(_folder, "knot.conf"), KnotProcess.SecondaryHead(_folder, _knotPort, _edgePort) + $"""
            template:
              - id: default
                storage: {_folder}
                master: rdns
                acl: from-rdns
                zonefile-sync: -1
                zonefile-load: none
                journal-content: all
            zone:
              - domain: catalog.invalid.
                catalog-role: interpret
                catalog-template: default
            """);
    }

    public async Task DisposeAsync()
    {
        if (_knot is not null)
            await _knot.DisposeAsync();
        await _edge.DisposeAsync();
        await _primary.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string Log() => _knot?.Log ?? "";

    private DnsMessage AskKnot(string name, RecordType type)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(name), type, id: 3, edns: new EdnsOptions()).ToWire(), new IPEndPoint(IPAddress.Loopback, _knotPort));
        var buffer = new byte[65535];
        int n = s.Receive(buffer);
        return DnsMessage.Parse(buffer.AsSpan(0, n));
    }

    private string KnotPtr(string name) => string.Join(' ', AskKnot(name, RecordType.PTR).Answers.Select(a => a.ToString()));

    [Fact]
    public async Task Knot_follows_an_rdns_secondary_and_a_change_on_the_primary_reaches_it_by_ixfr()
    {
        await _primary.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _primary.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = "first.example.net" }), HttpStatusCode.OK);
        await Eventually.True(() => _edge.Dns("1.2.0.192.in-addr.arpa.", RecordType.PTR).Answers.Count == 1, "the zone reaching the Rdns secondary");

        _knot = KnotProcess.Start(Path.Combine(_folder, "knot.conf"));
        await Eventually.True(() => KnotPtr("1.2.0.192.in-addr.arpa.").Contains("first.example.net.", StringComparison.Ordinal), "Knot serving the zone from the Rdns secondary", Log);

        await _primary.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = "second.example.net" }), HttpStatusCode.OK);
        await Eventually.True(() => KnotPtr("1.2.0.192.in-addr.arpa.").Contains("second.example.net.", StringComparison.Ordinal), "the change reaching Knot", Log);
        await Eventually.True(() => Log().Contains("[2.0.192.in-addr.arpa.] IXFR, incoming", StringComparison.Ordinal), "an IXFR in Knot's log", Log);
    }
}
