using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Control.Secondary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Rdns.TestSupport;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// Rdns in secondary mode following BIND 9 under TSIG: BIND has no generated catalog, so its
/// operator writes one by hand, as BIND's own catalog consumers expect; its members arrive, and a
/// dynamic update on BIND arrives by NOTIFY (also-notify) and IXFR from BIND's journal.
/// </summary>
public sealed class BindPrimaryTests : IAsyncLifetime
{
    private readonly TsigKey _key = TsigKey.Generate(DnsName.Parse("edge-key."), TsigAlgorithm.HmacSha256);
    private string _folder = null!;
    private Process? _named;
    private readonly StringBuilder _log = new();
    private ApiHost _edge = null!;
    private int _bindPort;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-bind-primary-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_folder, "keys.conf"), _key.ToBindText());
        for (int attempt = 1; ; attempt++)
        {
            int edgePort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            _bindPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            try
            {
                _edge = await ApiHost.StartAsync(configure: s =>
                {
                    s.Dns = $"127.0.0.1:{edgePort}";
                    s.TsigKeys = Path.Combine(_folder, "keys.conf");
                    s.Primaries = [$"127.0.0.1:{_bindPort}@edge-key"];
                    // Not in the catalog: followed because the settings name it.
                    s.FollowZones = ["100.51.198.in-addr.arpa"];
                });
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
            }
        }
        await File.WriteAllTextAsync(Path.Combine(_folder, "catalog.db"), """
            $ORIGIN catalog.invalid.
            @ 0 SOA invalid. invalid. 1 3600 600 2147483646 0
            @ 0 NS invalid.
            version 0 TXT "2"
            m1.zones 0 PTR 2.0.192.in-addr.arpa.
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "member.db"), """
            $ORIGIN 2.0.192.in-addr.arpa.
            $TTL 300
            @ SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 60
            @ NS ns.example.net.
            1 PTR one.example.net.
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "other.db"), """
            $ORIGIN 100.51.198.in-addr.arpa.
            $TTL 300
            @ SOA ns.example.net. hostmaster.example.net. 7 3600 600 86400 60
            @ NS ns.example.net.
            1 PTR hundred.example.net.
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "named.conf"), $$"""
            include "{{_folder}}/keys.conf";
            controls { };
            options {
                directory "{{_folder}}";
                pid-file "{{_folder}}/named.pid";
                listen-on port {{_bindPort}} { 127.0.0.1; };
                listen-on-v6 { none; };
                recursion no;
                notify explicit;
                also-notify { 127.0.0.1 port {{_edge.DnsEndpoint.Port}} key "edge-key"; };
                allow-transfer { key "edge-key"; };
            };
            zone "catalog.invalid" { type primary; file "catalog.db"; };
            zone "2.0.192.in-addr.arpa" { type primary; file "member.db"; allow-update { 127.0.0.1; }; };
            zone "100.51.198.in-addr.arpa" { type primary; file "other.db"; };
            """);
        var start = new ProcessStartInfo("named", ["-g", "-c", Path.Combine(_folder, "named.conf")]) { RedirectStandardError = true, RedirectStandardOutput = true };
        try
        {
            _named = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("named is required (Debian package bind9): " + e.Message, e);
        }
        _named.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _named.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _named.BeginErrorReadLine();
        _named.BeginOutputReadLine();
    }

    public async Task DisposeAsync()
    {
        if (_named is { HasExited: false })
        {
            _named.Kill();
            await _named.WaitForExitAsync();
        }
        _named?.Dispose();
        await _edge.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private SecondaryFollower Follower => _edge.Services.GetRequiredService<SecondaryFollower>();

    private string State()
    {
        lock (_log)
            return string.Join('\n', Follower.Status().Select(s => $"{s.Zone} serial {s.Serial} ixfr {s.IncrementalTransfers} failures {s.Failures} {s.LastError}")) + "\n--- named:\n" + _log;
    }

    private string Ptr(string name) => string.Join(' ', _edge.Dns(name, RecordType.PTR).Answers.Select(a => a.ToString()));

    [Fact]
    public async Task Follows_a_bind_primary_through_its_catalog_and_its_updates_by_ixfr()
    {
        await Eventually.True(() => Ptr("1.2.0.192.in-addr.arpa.").Contains("one.example.net.", StringComparison.Ordinal), "BIND's catalog member reaching Rdns", State);

        var update = DnsUpdateClient.Message("2.0.192.in-addr.arpa.", updates: [DnsUpdateClient.Add("2.2.0.192.in-addr.arpa.", RecordType.PTR, "two.example.net.")]);
        var (rcode, _) = await DnsUpdateClient.SendAsync(new IPEndPoint(IPAddress.Loopback, _bindPort), update);
        Assert.Equal(Rcode.NoError, rcode);
        await Eventually.True(() => Ptr("2.2.0.192.in-addr.arpa.").Contains("two.example.net.", StringComparison.Ordinal), "the update on BIND reaching Rdns", State);
        Assert.True(Follower.Status().Single(s => s.Zone.ToString() == "2.0.192.in-addr.arpa.").IncrementalTransfers >= 1, $"expected an IXFR\n{State()}");
    }

    [Fact]
    public async Task A_zone_named_in_follow_zones_is_followed_without_the_catalog()
    {
        await Eventually.True(() => Ptr("1.100.51.198.in-addr.arpa.").Contains("hundred.example.net.", StringComparison.Ordinal), "the configured zone reaching Rdns", State);
        Assert.Equal(ZoneOrigin.Configured, Follower.Status().Single(s => s.Zone.ToString() == "100.51.198.in-addr.arpa.").Origin);
        Assert.Equal(7u, Follower.Status().Single(s => s.Zone.ToString() == "100.51.198.in-addr.arpa.").Serial);
    }
}
