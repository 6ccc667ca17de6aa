using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Addressing;
using Rdns.Control.Secondary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Transfer;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// An Rdns node in secondary mode following an Rdns primary: zones arrive through the catalog,
/// changes by NOTIFY + IXFR, zones leave with the catalog, pools' default names (IPv4 and IPv6)
/// are answered exactly as the primary answers them, the API refuses local changes, and the
/// secondary hands the zones on to its own secondaries by AXFR with the primary's serials.
/// </summary>
public sealed class RdnsSecondaryTests : IAsyncLifetime
{
    private ApiHost _primary = null!;
    private ApiHost _secondary = null!;
    private string _secondaryData = null!;
    private int _secondaryPort;
    private int _primaryPort;

    public async Task InitializeAsync()
    {
        _secondaryData = Directory.CreateTempSubdirectory("rdns-edge-").FullName;
        for (int attempt = 1; ; attempt++)
        {
            _secondaryPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            _primary = await ApiHost.StartAsync(configure: s => s.Secondaries = [$"127.0.0.1:{_secondaryPort}"]);
            _primaryPort = _primary.DnsEndpoint.Port;
            try
            {
                _secondary = await StartSecondaryAsync();
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
                await _primary.DisposeAsync();
            }
        }
    }

    private Task<ApiHost> StartSecondaryAsync() => ApiHost.StartAsync(configure: s =>
    {
        s.Dns = $"127.0.0.1:{_secondaryPort}";
        s.Primaries = [$"127.0.0.1:{_primaryPort}"];
        // Its own downstream: any 127.0.0.1 peer may transfer from it.
        s.Secondaries = ["127.0.0.1:9"];
    }, dataDirectory: _secondaryData);

    public async Task DisposeAsync()
    {
        await _secondary.DisposeAsync();
        await _primary.DisposeAsync();
        Directory.Delete(_secondaryData, recursive: true);
    }

    private SecondaryFollower Follower => _secondary.Services.GetRequiredService<SecondaryFollower>();

    private string State() => string.Join('\n', Follower.Status().Select(s => $"{s.Zone} serial {s.Serial} failures {s.Failures} {s.LastError}"));

    private static string Lines(DnsMessage m) =>
        $"rcode {(Rcode)m.Rcode} aa {m.Has(HeaderFlags.AA)}\n" + string.Join('\n', m.Answers.Concat(m.Authority).Select(r => r.ToString()).Order());

    private static string Reverse(string ip) => ReverseName.ToName(IpAddress.Parse(ip));

    [Fact]
    public async Task Follows_zones_changes_and_removals_of_an_rdns_primary()
    {
        await _primary.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _primary.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = "first.example.net" }), HttpStatusCode.OK);
        await Eventually.True(() => _secondary.Dns(Reverse("192.0.2.1"), RecordType.PTR).Answers.Count == 1, "the new zone reaching the secondary", State);

        // A change arrives by NOTIFY and IXFR (not a new AXFR), with the primary's serial.
        await _primary.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = "changed.example.net" }), HttpStatusCode.OK);
        await Eventually.True(() => _secondary.Dns(Reverse("192.0.2.1"), RecordType.PTR).Answers.Single().ToString().Contains("changed.example.net", StringComparison.Ordinal),
            "the PTR change reaching the secondary", State);
        var status = Follower.Status().Single(s => s.Zone.ToString() == "2.0.192.in-addr.arpa.");
        Assert.True(status.IncrementalTransfers >= 1, $"expected an IXFR: {State()}");
        foreach (var (name, type) in new[] { ("2.0.192.in-addr.arpa.", RecordType.SOA), (Reverse("192.0.2.1"), RecordType.PTR), (Reverse("192.0.2.9"), RecordType.PTR), ("2.0.192.in-addr.arpa.", RecordType.NS) })
            Assert.Equal(Lines(_primary.Dns(name, type)), Lines(_secondary.Dns(name, type)));

        // The secondary hands the zone on: an AXFR from it carries the primary's serial and records.
        var client = new TransferClient();
        var zone = DnsName.Parse("2.0.192.in-addr.arpa.");
        var fromPrimary = (FullTransfer)await client.TransferAsync(new PrimaryServer(_primary.DnsEndpoint), zone, null);
        var fromSecondary = (FullTransfer)await client.TransferAsync(new PrimaryServer(new IPEndPoint(IPAddress.Loopback, _secondaryPort)), zone, null);
        Assert.Equal(fromPrimary.Serial, fromSecondary.Serial);
        Assert.Equal(fromPrimary.Records.Select(r => r.ToString()).Order(), fromSecondary.Records.Select(r => r.ToString()).Order());

        // Operators see each followed zone's serial and transfers; a primary has no such page.
        var view = await _secondary.Send(HttpMethod.Get, "/v1/secondary", null, HttpStatusCode.OK);
        var followed = view["zones"]!.AsArray().Single(z => (string?)z!["zone"] == "2.0.192.in-addr.arpa.")!;
        Assert.Equal(fromPrimary.Serial, (uint)followed["serial"]!);
        Assert.Equal("member", (string?)followed["origin"]);
        Assert.True((long)followed["incrementalTransfers"]! >= 1);
        Assert.Equal($"127.0.0.1:{_primaryPort}", (string?)view["primaries"]![0]);
        Assert.Equal("not_a_secondary", (string?)(await _primary.Send(HttpMethod.Get, "/v1/secondary", null, HttpStatusCode.NotFound))["code"]);

        // ... and /metrics sums it up.
        var metrics = await _secondary.Http.GetStringAsync("/metrics");
        Assert.Matches(@"rdns_follower_zones\{state=""ok""\} [1-9]", metrics);
        Assert.Matches(@"rdns_follower_transfers_total\{kind=""ixfr""\} [1-9]", metrics);

        // Local changes are refused with one clear error.
        var refused = await _secondary.Send(HttpMethod.Put, "/v1/ptr/192.0.2.5", ApiHost.Json(new { ptrdname = "local.example.net" }), HttpStatusCode.Conflict);
        Assert.Equal("read_only_secondary", (string?)refused["code"]);
        Assert.Contains("primary", (string?)refused["detail"], StringComparison.Ordinal);

        // A zone deleted on the primary leaves its catalog, and the secondary.
        await _primary.Send(HttpMethod.Delete, "/v1/zones/2.0.192.in-addr.arpa.", null, HttpStatusCode.NoContent);
        await Eventually.True(() => _secondary.Dns(Reverse("192.0.2.1"), RecordType.PTR).Rcode == (int)Rcode.Refused, "the zone leaving the secondary", State);
        Assert.DoesNotContain(Follower.Followed, z => z.ToString() == "2.0.192.in-addr.arpa.");
    }

    [Fact]
    public async Task Default_names_of_pools_are_answered_by_the_secondary_as_by_the_primary()
    {
        await _primary.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "198.51.100.0/24", defaultPtr = "ip-{ip}.pool.example.net." }), HttpStatusCode.Created);
        await _primary.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "2001:db8:7::/48", defaultPtr = "v6-{ip}.pool.example.net.", ttl = 600 }), HttpStatusCode.Created);
        string v4 = Reverse("198.51.100.77");
        string v6 = Reverse("2001:db8:7:0:1::abcd");
        await Eventually.True(() => _secondary.Dns(v4, RecordType.PTR).Answers.Count == 1 && _secondary.Dns(v6, RecordType.PTR).Answers.Count == 1,
            "default names on the secondary", State);

        var names = new List<(string, RecordType)> { (v4, RecordType.PTR), (v6, RecordType.PTR), (Reverse("198.51.100.0"), RecordType.PTR), (Reverse("2001:db8:7:ffff::1"), RecordType.PTR) };
        foreach (var reverse in new[] { v4, v6 })
        {
            var target = _primary.Dns(reverse, RecordType.PTR).Answers.Single().Data;
            string forward = Protocol.Records.Rdata.ReadName(target).ToString();
            names.Add((forward, RecordType.A));
            names.Add((forward, RecordType.AAAA));
        }
        foreach (var (name, type) in names)
            Assert.Equal(Lines(_primary.Dns(name, type)), Lines(_secondary.Dns(name, type)));
        Assert.Contains("ip-198-51-100-77.pool.example.net", Lines(_secondary.Dns(v4, RecordType.PTR)), StringComparison.Ordinal);

        // rdns compare asks both the same questions: zones' names and addresses spread over the pools.
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await Task.Run(() => Rdns.Cli.RdnsCommandLine.Run(["compare", $"127.0.0.1:{_primaryPort}", $"127.0.0.1:{_secondaryPort}",
            "--zone", "100.51.198.in-addr.arpa", "--zone", "pool.example.net", "--prefix", "198.51.100.0/24", "--prefix", "2001:db8:7::/48", "--sample", "50"], output, error));
        Assert.True(exit == 0, output + error.ToString());
        Assert.EndsWith(" answers differ", output.ToString().Trim(), StringComparison.Ordinal);
        Assert.Contains(", 0 answers differ", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 questions", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_of_changes_reaches_the_secondary_over_kept_connections()
    {
        await _primary.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _primary.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = "start.example.net" }), HttpStatusCode.OK);
        await Eventually.True(() => _secondary.Dns(Reverse("192.0.2.1"), RecordType.PTR).Answers.Count == 1, "the zone reaching the secondary", State);
        var client = _secondary.Services.GetRequiredService<TransferClient>();
        var before = client.Connections;

        // Each change arrives by NOTIFY and IXFR before the next is made.
        const int Changes = 20;
        for (int i = 1; i <= Changes; i++)
        {
            string target = $"change-{i}.example.net";
            await _primary.Send(HttpMethod.Put, "/v1/ptr/192.0.2.1", ApiHost.Json(new { ptrdname = target }), HttpStatusCode.OK);
            await Eventually.True(() => _secondary.Dns(Reverse("192.0.2.1"), RecordType.PTR).Answers.Single().ToString().Contains(target, StringComparison.Ordinal),
                $"change {i} reaching the secondary", State);
        }
        Assert.Equal(Lines(_primary.Dns("2.0.192.in-addr.arpa.", RecordType.SOA)), Lines(_secondary.Dns("2.0.192.in-addr.arpa.", RecordType.SOA)));
        // One transfer per change, nearly all of them on a connection an earlier one opened.
        var after = client.Connections;
        long opened = after.Opened - before.Opened, reused = after.Reused - before.Reused;
        Assert.True(reused >= Changes / 2 && opened <= Changes / 2, $"{opened} connections opened, {reused} requests on kept ones, for {Changes} changes");
    }

    [Fact]
    public async Task A_restarted_secondary_serves_from_its_store_while_the_primary_is_down()
    {
        await _primary.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "203.0.113.0/24" }), HttpStatusCode.Created);
        await _primary.Send(HttpMethod.Put, "/v1/ptr/203.0.113.8", ApiHost.Json(new { ptrdname = "kept.example.net" }), HttpStatusCode.OK);
        await Eventually.True(() => _secondary.Dns(Reverse("203.0.113.8"), RecordType.PTR).Answers.Count == 1, "the zone reaching the secondary", State);

        await _secondary.DisposeAsync();
        await _primary.DisposeAsync();
        // The primary's port now answers nothing; the secondary starts from its own store.
        _secondary = await StartSecondaryAsync();
        var answer = _secondary.Dns(Reverse("203.0.113.8"), RecordType.PTR);
        Assert.Equal((int)Rcode.NoError, answer.Rcode);
        Assert.Contains("kept.example.net", answer.Answers.Single().ToString(), StringComparison.Ordinal);
        // ... and keeps trying its primary meanwhile.
        await Eventually.True(() => Follower.Status().Any(s => s.Failures > 0), "a failed refresh being recorded", State);
        _primary = await ApiHost.StartAsync();
    }

    [Fact]
    public async Task A_promoted_secondary_takes_changes_continues_the_serials_and_keeps_the_default_names()
    {
        await _primary.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "198.51.100.0/24", defaultPtr = "ip-{ip}.pool.example.net." }), HttpStatusCode.Created);
        string pooled = Reverse("198.51.100.9");
        await Eventually.True(() => _secondary.Dns(pooled, RecordType.PTR).Answers.Count == 1, "the pool reaching the secondary", State);
        uint serial = Protocol.Records.Rdata.SoaSerial(_secondary.Dns("100.51.198.in-addr.arpa.", RecordType.SOA).Answers.Single().Data);

        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await Task.Run(() => Rdns.Cli.RdnsCommandLine.Run(["promote", "--api", _secondary.Http.BaseAddress!.ToString(), "--key", _secondary.AdminKey], output, error));
        Assert.True(exit == 0, error.ToString());
        Assert.Contains("pools kept: 198.51.100.0/24", output.ToString(), StringComparison.Ordinal);

        // It takes changes now, numbered after the primary's serial, and its pools are its own.
        await _secondary.Send(HttpMethod.Put, "/v1/ptr/198.51.100.9", ApiHost.Json(new { ptrdname = "mine.example.net" }), HttpStatusCode.OK);
        Assert.Contains("mine.example.net.", _secondary.Dns(pooled, RecordType.PTR).Answers.Single().ToString(), StringComparison.Ordinal);
        uint after = Protocol.Records.Rdata.SoaSerial(_secondary.Dns("100.51.198.in-addr.arpa.", RecordType.SOA).Answers.Single().Data);
        Assert.True(Rdns.Zones.SerialNumber.GreaterThan(after, serial), $"{after} after {serial}");
        Assert.Contains("ip-198-51-100-10.pool.example.net.", _secondary.Dns(Reverse("198.51.100.10"), RecordType.PTR).Answers.Single().ToString(), StringComparison.Ordinal);
        var pools = await _secondary.Send(HttpMethod.Get, "/v1/pools", null, HttpStatusCode.OK);
        Assert.Equal("198.51.100.0/24", (string?)pools["items"]!.AsArray().Single()!["prefix"]);

        // Started again with --primary still set, it refuses rather than follow the old primary.
        await _secondary.DisposeAsync();
        var refused = await Assert.ThrowsAsync<Rdns.Hosting.StartupException>(StartSecondaryAsync);
        Assert.Contains("promoted", refused.Message, StringComparison.Ordinal);
        _secondary = await ApiHost.StartAsync(configure: s => s.Dns = $"127.0.0.1:{_secondaryPort}", dataDirectory: _secondaryData);
        Assert.Contains("mine.example.net.", _secondary.Dns(pooled, RecordType.PTR).Answers.Single().ToString(), StringComparison.Ordinal);
    }
}
