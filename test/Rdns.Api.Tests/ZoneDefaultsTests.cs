using System.Net;
using Rdns.Control.Zones;
using Rdns.Hosting;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// The apex of a new zone: NS and SOA contact from <c>--ns</c>/<c>--contact</c> or the settings
/// <c>Zones:NameServers</c>/<c>Zones:Contact</c>, and a warning when an NS is a bare host name.
/// </summary>
public sealed class ZoneDefaultsTests
{
    [Fact]
    public void Flags_become_the_zones_settings_and_bad_ones_stop_the_start()
    {
        var settings = ServeSettings.Bind(null, "/nonexistent", new Dictionary<string, string?>
        {
            ["Zones:NameServers:0"] = "ns1.example.net",
            ["Zones:NameServers:1"] = "ns2.example.net.",
            ["Zones:Contact"] = "dns-admin@example.net",
        });
        Assert.Equal(["ns1.example.net", "ns2.example.net."], settings.NameServers);
        Assert.Equal("dns-admin@example.net", settings.Contact);
        Assert.Null(settings.Zones);

        var bad = ServeSettings.Bind(null, "/nonexistent", new Dictionary<string, string?> { ["Zones:NameServers:0"] = "ns1..example" });
        var e = Assert.Throws<SettingsException>(bad.Validate);
        Assert.StartsWith("Zones:NameServers 'ns1..example':", e.Message);
    }

    [Fact]
    public void A_one_label_name_server_is_warned_about_and_a_qualified_one_is_not()
    {
        Assert.Contains("new zones get NS vm., not a fully qualified name", new ZoneDefaults { NameServers = ["vm"] }.Warning());
        Assert.Contains("--ns HOST", new ZoneDefaults { NameServers = ["vm"] }.Warning());
        Assert.Null(new ZoneDefaults { NameServers = ["ns1.example.net"] }.Warning());
    }

    [Fact]
    public void A_mailbox_contact_is_written_as_a_name()
    {
        Assert.Equal("hostmaster.example.net.", ZoneDefaults.ContactName("hostmaster@example.net"));
        Assert.Equal("dns\\.admin.example.net.", ZoneDefaults.ContactName("dns.admin@example.net"));
        Assert.Equal("hostmaster.example.net.", ZoneDefaults.ContactName("hostmaster.example.net."));
    }

    [Fact]
    public async Task New_zones_get_the_configured_ns_and_contact()
    {
        await using var api = await ApiHost.StartAsync(configure: s =>
        {
            s.NameServers = ["a.ns.example.org", "b.ns.example.org"];
            s.Contact = "noc@example.org";
        });
        await api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        var soa = api.Dns("2.0.192.in-addr.arpa.", RecordType.SOA);
        var text = Protocol.Records.Rdata.ToText(RecordType.SOA, soa.Answers[0].Data);
        Assert.StartsWith("a.ns.example.org. noc.example.org. ", text);
        var ns = api.Dns("2.0.192.in-addr.arpa.", RecordType.NS);
        Assert.Equal(["a.ns.example.org.", "b.ns.example.org."], ns.Answers.Select(a => Protocol.Records.Rdata.ReadName(a.Data).ToString()).Order());
    }

    [Fact]
    public async Task A_zone_created_with_the_hosts_name_as_ns_says_so_when_that_name_is_bare()
    {
        // Configured names are checked at start (a bare one stops it); the host's own name is the
        // default, and whether it is qualified depends on the machine, so the answer must agree.
        var hostDefault = new ZoneDefaults();
        await using var api = await ApiHost.StartAsync(configure: s => s.NameServers = null);
        var zone = await api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        if (hostDefault.Warning() is null)
            Assert.Null(zone["warnings"]);
        else
            Assert.Contains($"NS {hostDefault.NameServerNames()[0]} is not a fully qualified name", (string?)zone["warnings"]![0]);
        var qualified = await api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "198.51.100.0/24", nameServers = new[] { "ns1.example.net" } }), HttpStatusCode.Created);
        Assert.Null(qualified["warnings"]);
        var bare = await ServeSettingsWith("vm");
        Assert.StartsWith("Zones:NameServers 'vm':", bare);
    }

    private static Task<string> ServeSettingsWith(string nameServer)
    {
        var settings = ServeSettings.Bind(null, "/nonexistent", new Dictionary<string, string?> { ["Zones:NameServers:0"] = nameServer });
        return Task.FromResult(Assert.Throws<SettingsException>(settings.Validate).Message);
    }
}
