using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Control.Secondary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Rdns.TestSupport;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// Rdns in secondary mode following Knot DNS, under TSIG: members of the catalog Knot generates
/// arrive by themselves, an UPDATE on Knot arrives by NOTIFY + IXFR, a zone Knot drops from its
/// catalog leaves, and a restart serves from the local store while Knot is down.
/// </summary>
public sealed class KnotPrimaryTests : IAsyncLifetime
{
    private readonly TsigKey _key = TsigKey.Generate(DnsName.Parse("edge-key."), TsigAlgorithm.HmacSha256);
    private string _folder = null!;
    private string _data = null!;
    private KnotPrimary _knot = null!;
    private ApiHost? _edge;
    private int _edgePort;

    private static string Zone(string origin, string ptr) => $"""
        $ORIGIN {origin}
        $TTL 300
        @ SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 60
        @ NS ns.example.net.
        1 PTR {ptr}
        """;

    private readonly Dictionary<string, string> _zones = new()
    {
        ["2.0.192.in-addr.arpa."] = Zone("2.0.192.in-addr.arpa.", "one.example.net."),
        ["100.51.198.in-addr.arpa."] = Zone("100.51.198.in-addr.arpa.", "hundred.example.net."),
    };

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-knot-primary-").FullName;
        _data = Path.Combine(_folder, "edge");
        Directory.CreateDirectory(_data);
        Directory.CreateDirectory(Path.Combine(_folder, "db"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "keys.conf"), _key.ToBindText());
        for (int attempt = 1; ; attempt++)
        {
            _edgePort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            try
            {
                _edge = await StartEdgeAsync(Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp());
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
            }
        }
    }

    private Task<ApiHost> StartEdgeAsync(int knotPort)
    {
        _knot = new KnotPrimary(_folder, _key, knotPort, _edgePort);
        return ApiHost.StartAsync(configure: s =>
        {
            s.Dns = $"127.0.0.1:{_edgePort}";
            s.TsigKeys = Path.Combine(_folder, "keys.conf");
            s.Primaries = [$"127.0.0.1:{knotPort}@edge-key"];
            // Its own downstream: any 127.0.0.1 peer may transfer from it.
            s.Secondaries = ["127.0.0.1:9"];
        }, dataDirectory: _data);
    }

    public async Task DisposeAsync()
    {
        if (_edge is not null)
            await _edge.DisposeAsync();
        await _knot.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private SecondaryFollower Follower => _edge!.Services.GetRequiredService<SecondaryFollower>();

    private string State() =>
        string.Join('\n', Follower.Status().Select(s => $"{s.Zone} serial {s.Serial} transfers {s.Transfers} ixfr {s.IncrementalTransfers} failures {s.Failures} {s.LastError}"))
        + "\n--- knotd:\n" + _knot.Log;

    private string Ptr(string name) => string.Join(' ', _edge!.Dns(name, RecordType.PTR).Answers.Select(a => a.ToString()));

    [Fact]
    public async Task Follows_knots_catalog_changes_and_removals_and_restarts_from_its_store()
    {
        await _knot.ConfigureAsync(_zones);
        _knot.Start();
        await Eventually.True(() => Ptr("1.2.0.192.in-addr.arpa.").Contains("one.example.net.", StringComparison.Ordinal)
            && Ptr("1.100.51.198.in-addr.arpa.").Contains("hundred.example.net.", StringComparison.Ordinal), "Knot's catalog members reaching Rdns", State);

        // A change on Knot (DNS UPDATE, journaled there) arrives by NOTIFY and IXFR.
        var update = DnsUpdateClient.Message("2.0.192.in-addr.arpa.", updates: [DnsUpdateClient.Add("2.2.0.192.in-addr.arpa.", RecordType.PTR, "two.example.net.")]);
        var (rcode, _) = await DnsUpdateClient.SendAsync(_knot.EndPoint, update);
        Assert.Equal(Rcode.NoError, rcode);
        await Eventually.True(() => Ptr("2.2.0.192.in-addr.arpa.").Contains("two.example.net.", StringComparison.Ordinal), "the UPDATE on Knot reaching Rdns", State);
        Assert.True(Follower.Status().Single(s => s.Zone.ToString() == "2.0.192.in-addr.arpa.").IncrementalTransfers >= 1, $"expected an IXFR\n{State()}");
        Assert.Contains("notify", _knot.Log, StringComparison.OrdinalIgnoreCase);

        // A zone Knot no longer serves leaves its catalog, and Rdns.
        _zones.Remove("100.51.198.in-addr.arpa.");
        await _knot.ConfigureAsync(_zones);
        await _knot.ReloadAsync();
        await Eventually.True(() => _edge!.Dns("1.100.51.198.in-addr.arpa.", RecordType.PTR).Rcode == (int)Rcode.Refused, "the removed zone leaving Rdns", State);

        // Restarted with Knot down, Rdns answers from its own store at once.
        await _edge!.DisposeAsync();
        _edge = null;
        await _knot.StopAsync();
        _edge = await ApiHost.StartAsync(configure: s =>
        {
            s.Dns = $"127.0.0.1:{_edgePort}";
            s.TsigKeys = Path.Combine(_folder, "keys.conf");
            s.Primaries = [$"127.0.0.1:{_knot.Port}@edge-key"];
        }, dataDirectory: _data);
        Assert.Contains("two.example.net.", Ptr("2.2.0.192.in-addr.arpa."), StringComparison.Ordinal);
        Assert.Equal((int)Rcode.Refused, _edge.Dns("1.100.51.198.in-addr.arpa.", RecordType.PTR).Rcode);
    }

    [Fact]
    public async Task A_zone_expires_when_knot_stays_away_past_its_soa_expire_and_comes_back_with_knot()
    {
        // REFRESH 2, RETRY 2, EXPIRE 4 seconds.
        var zones = new Dictionary<string, string>
        {
            ["2.0.192.in-addr.arpa."] = Zone("2.0.192.in-addr.arpa.", "one.example.net.").Replace("1 3600 600 86400 60", "1 2 2 4 60", StringComparison.Ordinal),
        };
        await _knot.ConfigureAsync(zones);
        _knot.Start();
        await Eventually.True(() => Ptr("1.2.0.192.in-addr.arpa.").Contains("one.example.net.", StringComparison.Ordinal), "the zone reaching Rdns", State);

        // DNS UPDATE to the secondary is refused: the zone changes on its primary only.
        var update = DnsUpdateClient.Message("2.0.192.in-addr.arpa.", updates: [DnsUpdateClient.Add("5.2.0.192.in-addr.arpa.", RecordType.PTR, "local.example.net.")]);
        var (rcode, _) = await DnsUpdateClient.SendAsync(new IPEndPoint(IPAddress.Loopback, _edgePort), update);
        Assert.Equal(Rcode.Refused, rcode);

        await _knot.StopAsync();
        await Eventually.True(() => _edge!.Dns("1.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode == (int)Rcode.ServFail, "the zone expiring (SERVFAIL)", State);

        _knot.Start();
        await Eventually.True(() => _edge!.Dns("1.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode == (int)Rcode.NoError, "the zone served again once Knot is back", State);
        Assert.Contains("one.example.net.", Ptr("1.2.0.192.in-addr.arpa."), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zone_file_reloaded_on_knot_reaches_rdns_and_rdns_hands_it_on_by_ixfr()
    {
        var zones = new Dictionary<string, string> { ["2.0.192.in-addr.arpa."] = Zone("2.0.192.in-addr.arpa.", "one.example.net.") };
        await _knot.ConfigureAsync(zones);
        _knot.Start();
        await Eventually.True(() => Ptr("1.2.0.192.in-addr.arpa.").Contains("one.example.net.", StringComparison.Ordinal), "the zone reaching Rdns", State);
        var zone = DnsName.Parse("2.0.192.in-addr.arpa.");
        var edge = new Transfer.PrimaryServer(new IPEndPoint(IPAddress.Loopback, _edgePort));
        var client = new Transfer.TransferClient();
        var before = (Transfer.FullTransfer)await client.TransferAsync(edge, zone, null);

        // The zone file changes on Knot (serial 2, one PTR changed, one added) and Knot reloads it.
        await File.WriteAllTextAsync(Path.Combine(_folder, "2.0.192.in-addr.arpa.zone"), Zone("2.0.192.in-addr.arpa.", "uno.example.net.")
            .Replace("hostmaster.example.net. 1 ", "hostmaster.example.net. 2 ", StringComparison.Ordinal) + "\n9 PTR nine.example.net.\n");
        await _knot.ReloadAsync();
        await Eventually.True(() => Ptr("9.2.0.192.in-addr.arpa.").Contains("nine.example.net.", StringComparison.Ordinal), "the reloaded zone reaching Rdns", State);

        // However Knot sent it, Rdns journaled the difference: an IXFR from it carries one changeset.
        var ixfr = Assert.IsType<Transfer.IncrementalTransfer>(await client.TransferAsync(edge, zone, before.Soa));
        var change = Assert.Single(ixfr.Changes);
        Assert.Equal((1u, 2u), (change.FromSerial, change.ToSerial));
        Assert.Contains(change.Added, r => r.ToString().Contains("nine.example.net.", StringComparison.Ordinal));
        Assert.Contains(change.Added, r => r.ToString().Contains("uno.example.net.", StringComparison.Ordinal));
        Assert.Contains(change.Removed, r => r.ToString().Contains("one.example.net.", StringComparison.Ordinal));
    }
}
