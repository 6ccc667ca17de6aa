using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rdns.Interop.Tests.Support;
using Xunit.Abstractions;

namespace Rdns.Interop.Tests.Update;

/// <summary>
/// Debian's Kea 2.2 keeping a reverse zone current through <c>./rdns serve</c>: <c>kea-dhcp4</c>
/// hands out leases on a bridge to a network namespace the test creates, busybox <c>udhcpc</c>
/// clients ask for them there, and <c>kea-dhcp-ddns</c> writes each lease's A, PTR and DHCID by
/// signed RFC 2136 UPDATE. A released lease removes its records; a second client asking for a
/// name another client holds is turned away by Kea's conflict resolution (RFC 4703), which relies
/// on our answers to its prerequisites.
/// </summary>
public sealed class KeaDdnsTests(ITestOutputHelper output)
{
    private const string Reverse = "2.0.192.in-addr.arpa.";
    private const string Forward = "dhcp.example.test.";

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Kea_leases_write_ptr_and_dhcid_a_release_removes_them_and_a_taken_name_is_refused()
    {
        await using var rdns = await RdnsServer.StartAsync(null, []);
        using var http = new HttpClient { BaseAddress = rdns.Http, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rdns.AdminKey);
        (await http.PostAsync("/v1/zones", Json("""{"prefix":"192.0.2.0/24"}"""))).EnsureSuccessStatusCode();
        (await http.PostAsync("/v1/zones", Json("""{"name":"dhcp.example.test"}"""))).EnsureSuccessStatusCode();
        var created = await http.PostAsync("/v1/tsig-keys", Json("""
            {"name": "kea", "algorithm": "hmac-sha256", "allow": [
              {"zone": "2.0.192.in-addr.arpa", "types": ["PTR", "DHCID"]},
              {"zone": "dhcp.example.test", "types": ["A", "DHCID"]}]}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string secret = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;

        string folder = Directory.CreateTempSubdirectory("rdns-kea-").FullName;
        // Names of at most 15 characters, unique to this run.
        string tag = Random.Shared.Next(1000, 9999).ToString();
        string ns = $"rdnskea{tag}", bridge = $"rkbr{tag}";
        var network = new KeaNetwork(ns, bridge, [$"rk{tag}a", $"rk{tag}b"]);
        try
        {
            await network.CreateAsync();
            int d2Port = FreePort.ForUdpAndTcp();
            await File.WriteAllTextAsync(Path.Combine(folder, "d2.json"), D2Config(d2Port, secret, rdns.Dns.Port));
            await File.WriteAllTextAsync(Path.Combine(folder, "dhcp4.json"), Dhcp4Config(bridge, d2Port));
            await File.WriteAllTextAsync(Path.Combine(folder, "lease.sh"),
                "#!/bin/sh\necho \"$1 $ip\" >> " + folder + "/lease-$interface\ncase \"$1\" in bound|renew) ip addr add $ip/24 dev $interface ;; deconfig) ip addr flush dev $interface ;; esac\n");
            File.SetUnixFileMode(Path.Combine(folder, "lease.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var env = new Dictionary<string, string> { ["KEA_PIDFILE_DIR"] = folder, ["KEA_LOCKFILE_DIR"] = folder };
            await using var d2 = BackgroundProcess.Start("kea-dhcp-ddns", ["-c", Path.Combine(folder, "d2.json")], env);
            await using var dhcp = BackgroundProcess.Start("kea-dhcp4", ["-c", Path.Combine(folder, "dhcp4.json")], env);
            try
            {
                await Until(() => Task.FromResult(dhcp.Output.Contains("DHCP4_STARTED", StringComparison.Ordinal) && d2.Output.Contains("DCTL_CONFIG_COMPLETE", StringComparison.Ordinal)), "Kea started");

                // A lease: its A, PTR and DHCID appear.
                await using var alpha = Client(ns, network.Clients[0], "alpha", folder);
                string a = await LeaseAsync(folder, network.Clients[0]);
                await Until(async () => await Dig(rdns, $"alpha.{Forward}", "A") == a, $"A of alpha is {a}");
                Assert.Equal($"alpha.{Forward}", await Dig(rdns, Ptr(a), "PTR"));
                string dhcid = await Dig(rdns, Ptr(a), "DHCID");
                Assert.NotEmpty(dhcid);
                Assert.Equal(dhcid, await Dig(rdns, $"alpha.{Forward}", "DHCID"));

                // Another client asks for the same name: conflict resolution keeps the first one's.
                await using var impostor = Client(ns, network.Clients[1], "alpha", folder);
                string b = await LeaseAsync(folder, network.Clients[1]);
                await Until(() => Task.FromResult(d2.Output.Contains("DHCP_DDNS_FORWARD_REPLACE_REJECTED", StringComparison.Ordinal)), "Kea's replace was rejected");
                Assert.Equal(a, await Dig(rdns, $"alpha.{Forward}", "A"));
                Assert.Equal("", await Dig(rdns, Ptr(b), "PTR"));

                // The first client releases its lease: its records go.
                await alpha.StopAsync(TimeSpan.FromSeconds(10));
                await Until(async () => await Dig(rdns, Ptr(a), "PTR") == "", $"PTR of {a} removed");
                Assert.Equal("", await Dig(rdns, Ptr(a), "DHCID"));
                await Until(async () => await Dig(rdns, $"alpha.{Forward}", "A") == "", "A of alpha removed");
            }
            finally
            {
                output.WriteLine("--- kea-dhcp-ddns\n" + d2.Output + "\n--- kea-dhcp4\n" + dhcp.Output);
            }
        }
        finally
        {
            await network.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Ptr(string ip) => string.Join('.', ip.Split('.').Reverse()) + ".in-addr.arpa.";

    /// <summary>A DHCP client in the namespace asking for <paramref name="hostname"/>; SIGTERM releases its lease (<c>-R</c>).</summary>
    private static BackgroundProcess Client(string ns, string iface, string hostname, string folder) =>
        BackgroundProcess.Start("ip", ["netns", "exec", ns, "udhcpc", "-i", iface, "-f", "-R", "-t", "10", "-T", "1",
            "-x", $"hostname:{hostname}", "-s", Path.Combine(folder, "lease.sh")]);

    private static async Task<string> LeaseAsync(string folder, string iface)
    {
        string file = Path.Combine(folder, $"lease-{iface}");
        string? address = null;
        await Until(() =>
        {
            address = File.Exists(file) ? File.ReadAllLines(file).LastOrDefault(l => l.StartsWith("bound ", StringComparison.Ordinal))?[6..] : null;
            return Task.FromResult(address is not null);
        }, $"a lease on {iface}");
        return address!;
    }

    private static async Task<string> Dig(RdnsServer rdns, string name, string type)
    {
        var r = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig")!, ["@127.0.0.1", "-p", rdns.Dns.Port.ToString(), "+short", "+norec", name, type], TimeSpan.FromSeconds(10));
        return string.Join(' ', r.StdoutLines);
    }

    /// <summary>Polls for up to 30 s: Kea works asynchronously (lease, then the name change request, then the update).</summary>
    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited 30 s for: {what}");
            await Task.Delay(200);
        }
    }

    private static string D2Config(int port, string secret, int dnsPort) => $$"""
        {"DhcpDdns": {"ip-address": "127.0.0.1", "port": {{port}}, "dns-server-timeout": 2000,
          "tsig-keys": [{"name": "kea", "algorithm": "HMAC-SHA256", "secret": "{{secret}}"}],
          "forward-ddns": {"ddns-domains": [{"name": "{{Forward}}", "key-name": "kea", "dns-servers": [{"ip-address": "127.0.0.1", "port": {{dnsPort}}}]}]},
          "reverse-ddns": {"ddns-domains": [{"name": "{{Reverse}}", "key-name": "kea", "dns-servers": [{"ip-address": "127.0.0.1", "port": {{dnsPort}}}]}]},
          "loggers": [{"name": "kea-dhcp-ddns", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
          }
        }
        """;

    private static string Dhcp4Config(string bridge, int d2Port) => $$"""
        {"Dhcp4": {"interfaces-config": {"interfaces": ["{{bridge}}"], "dhcp-socket-type": "raw"},
          "lease-database": {"type": "memfile", "persist": false},
          "valid-lifetime": 600,
          "dhcp-ddns": {"enable-updates": true, "server-ip": "127.0.0.1", "server-port": {{d2Port}}},
          "ddns-send-updates": true, "ddns-override-client-update": true, "ddns-override-no-update": true,
          "ddns-replace-client-name": "when-not-present", "ddns-generated-prefix": "client", "ddns-qualifying-suffix": "{{Forward}}",
          "ddns-use-conflict-resolution": true,
          "subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.100 - 192.0.2.150"}]}],
          "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "stdout"}], "severity": "INFO"}]
          }
        }
        """;
}
