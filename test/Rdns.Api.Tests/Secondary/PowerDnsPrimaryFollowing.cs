using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Control.Secondary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// Rdns in secondary mode following PowerDNS 4.7 (gsqlite3 backend) as its primary: PowerDNS
/// produces a catalog zone (kind <c>producer</c>, RFC 9432) whose members arrive; a change made with
/// <c>pdnsutil</c> arrives on PowerDNS's NOTIFY (PowerDNS keeps no journal: its answer to IXFR is
/// the whole zone, which Rdns keeps as the difference); a zone added to the catalog arrives too.
/// PowerDNS's caches are off here: a change written to its database behind its back (pdnsutil)
/// would otherwise be answered with the old SOA for up to cache-ttl, and the secondary, asking the
/// SOA on NOTIFY, would wait for the zone's REFRESH. Run twice: transfers allowed to the edge's
/// address (<see cref="PowerDnsPrimaryTests"/>), and allowed only to the edge's TSIG key
/// (<see cref="PowerDnsSignedPrimaryTests"/>: PowerDNS's <c>TSIG-ALLOW-AXFR</c> on every zone, its
/// address list closed to the edge, so every transfer the edge makes must be signed, and the NOTIFYs
/// PowerDNS signs with that key are the ones the edge takes).
/// </summary>
public abstract class PowerDnsPrimaryFollowing(bool signed) : IAsyncLifetime
{
    private readonly TsigKey _key = TsigKey.Generate(DnsName.Parse("edge-key."), TsigAlgorithm.HmacSha256);
    private const string Schema = "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql";
    private string _folder = null!;
    private Process? _pdns;
    private readonly StringBuilder _log = new();
    private ApiHost _edge = null!;
    private int _pdnsPort;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-pdns-primary-").FullName;
        if (!File.Exists(Schema))
            throw new InvalidOperationException($"PowerDNS's SQLite schema {Schema} is required (Debian packages pdns-server pdns-backend-sqlite3)");
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(_folder, "pdns.sqlite")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var create = db.CreateCommand();
            create.CommandText = await File.ReadAllTextAsync(Schema);
            await create.ExecuteNonQueryAsync();
        }
        for (int attempt = 1; ; attempt++)
        {
            int edgePort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            _pdnsPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
            try
            {
                if (signed)
                    await File.WriteAllTextAsync(Path.Combine(_folder, "keys.conf"), _key.ToBindText());
                _edge = await ApiHost.StartAsync(configure: s =>
                {
                    s.Dns = $"127.0.0.1:{edgePort}";
                    if (signed)
                    {
                        s.TsigKeys = Path.Combine(_folder, "keys.conf");
                        s.Primaries = [$"127.0.0.1:{_pdnsPort}@edge-key"];
                    }
                    else
                    {
                        s.Primaries = [$"127.0.0.1:{_pdnsPort}"];
                    }
                });
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
            }
        }
        await File.WriteAllTextAsync(Path.Combine(_folder, "pdns.conf"), $"""
            launch=gsqlite3
            gsqlite3-database={_folder}/pdns.sqlite
            local-address=127.0.0.1
            local-port={_pdnsPort}
            primary=yes
            allow-axfr-ips={(signed ? "192.0.2.1/32" : "127.0.0.1")}
            only-notify=
            also-notify=127.0.0.1:{_edge.DnsEndpoint.Port}
            socket-dir={_folder}
            guardian=no
            daemon=no
            disable-syslog=yes
            loglevel=6
            cache-ttl=0
            query-cache-ttl=0
            negquery-cache-ttl=0
            xfr-cycle-interval=1

            """);
        if (signed)
            await PdnsUtil("import-tsig-key", "edge-key", "hmac-sha256", Convert.ToBase64String(_key.Secret));
        await PdnsUtil("create-zone", "catalog.invalid");
        await PdnsUtil("set-kind", "catalog.invalid", "producer");
        await AllowKey("catalog.invalid");
        await AddZone("2.0.192.in-addr.arpa", "one.example.net.");
        var start = new ProcessStartInfo("pdns_server", [$"--config-dir={_folder}"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        try
        {
            _pdns = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("pdns_server is required (Debian packages pdns-server pdns-backend-sqlite3): " + e.Message, e);
        }
        _pdns.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _pdns.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _pdns.BeginErrorReadLine();
        _pdns.BeginOutputReadLine();
    }

    private async Task AddZone(string zone, string ptr)
    {
        await PdnsUtil("create-zone", zone, "ns1.example.net");
        await PdnsUtil("set-kind", zone, "primary");
        await AllowKey(zone);
        await PdnsUtil("add-record", zone, "1", "PTR", "300", ptr);
        await PdnsUtil("increase-serial", zone);
        await PdnsUtil("set-catalog", zone, "catalog.invalid");
    }

    /// <summary>In the signed run, <paramref name="zone"/> may be transferred with the edge's key (and its NOTIFYs are signed with it).</summary>
    private async Task AllowKey(string zone)
    {
        if (signed)
            await PdnsUtil("set-meta", zone, "TSIG-ALLOW-AXFR", "edge-key");
    }

    /// <summary>Runs a PowerDNS tool on this test's configuration; fails with its output when it fails.</summary>
    private async Task Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add($"--config-dir={_folder}");
        if (tool == "pdns_control")
            start.ArgumentList.Add($"--socket-dir={_folder}");
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is required (Debian packages pdns-server pdns-backend-sqlite3): " + e.Message, e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)}: exit {process.ExitCode}\n{await output}\n{await error}");
        }
    }

    private Task PdnsUtil(params string[] arguments) => Run("pdnsutil", arguments);

    public async Task DisposeAsync()
    {
        if (_pdns is { HasExited: false })
        {
            _pdns.Kill();
            await _pdns.WaitForExitAsync();
        }
        _pdns?.Dispose();
        await _edge.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private SecondaryFollower Follower => _edge.Services.GetRequiredService<SecondaryFollower>();

    private string State()
    {
        lock (_log)
            return string.Join('\n', Follower.Status().Select(s => $"{s.Zone} serial {s.Serial} transfers {s.Transfers} failures {s.Failures} {s.LastError}")) + "\n--- pdns_server:\n" + _log;
    }

    private string Ptr(string name) => string.Join(' ', _edge.Dns(name, RecordType.PTR).Answers.Select(a => a.ToString()));

    private uint? Serial(string zone) => Follower.Status().SingleOrDefault(s => s.Zone.ToString() == zone)?.Serial;

    [Fact]
    public async Task Follows_a_powerdns_primary_through_its_produced_catalog_and_takes_its_changes_on_notify()
    {
        await Eventually.True(() => Ptr("1.2.0.192.in-addr.arpa.").Contains("one.example.net.", StringComparison.Ordinal), "PowerDNS's catalog member reaching Rdns", State);
        Assert.Equal(ZoneOrigin.Member, Follower.Status().Single(s => s.Zone.ToString() == "2.0.192.in-addr.arpa.").Origin);
        if (signed)
        {
            // What the edge brought came signed: PowerDNS refuses the same transfer unsigned (it answers NOTAUTH).
            using var client = new Rdns.Transfer.TransferClient();
            var refused = await Assert.ThrowsAsync<Rdns.Transfer.TransferException>(() =>
                client.TransferAsync(new Rdns.Transfer.PrimaryServer(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, _pdnsPort)), DnsName.Parse("2.0.192.in-addr.arpa."), null));
            Assert.Contains(refused.Rcode, new Rcode?[] { Rcode.Refused, Rcode.NotAuth });
        }
        uint first = Serial("2.0.192.in-addr.arpa.")!.Value;

        // A change on PowerDNS, announced by its NOTIFY: the new record and serial arrive.
        await PdnsUtil("replace-rrset", "2.0.192.in-addr.arpa", "1", "PTR", "300", "two.example.net.");
        await PdnsUtil("increase-serial", "2.0.192.in-addr.arpa");
        await Run("pdns_control", "notify", "2.0.192.in-addr.arpa");
        await Eventually.True(() => Ptr("1.2.0.192.in-addr.arpa.").Contains("two.example.net.", StringComparison.Ordinal), "the change on PowerDNS reaching Rdns", State);
        Assert.True(Rdns.Zones.SerialNumber.GreaterThan(Serial("2.0.192.in-addr.arpa.")!.Value, first), State());
        Assert.True(Follower.Status().Single(s => s.Zone.ToString() == "2.0.192.in-addr.arpa.").Transfers >= 2, State());

        // A zone added to PowerDNS's catalog arrives as a member. PowerDNS recomputes its produced
        // catalog in its check cycle (every second here, a minute by default) and then sends its own
        // NOTIFY; the operator's NOTIFY below may come before that and find the old serial.
        await AddZone("100.51.198.in-addr.arpa", "hundred.example.net.");
        await Run("pdns_control", "notify", "catalog.invalid");
        await Eventually.True(() => Ptr("1.100.51.198.in-addr.arpa.").Contains("hundred.example.net.", StringComparison.Ordinal), "a new member of PowerDNS's catalog reaching Rdns", State);
    }
}
