using System.Net;
using System.Net.Sockets;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Rdns.TestSupport;

namespace Rdns.Api.Tests;

/// <summary>
/// Tenant networks (PrivateZone): two tenants with the same private prefixes, each managing the
/// PTRs of its own view, and neither able to read or change the other's by any endpoint.
/// </summary>
public sealed class TenantViewTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private HttpClient _alpha = null!;
    private HttpClient _beta = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync();
        string alphaId;
        string betaId;
        (alphaId, _alpha) = await Tenant("Alpha");
        (betaId, _beta) = await Tenant("Beta");
        await _api.Send(HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "alpha-net", match = new[] { "127.0.0.5/32" }, tenant = alphaId }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "beta-net", match = new[] { "127.0.0.6/32" }, tenant = betaId }), HttpStatusCode.Created);
    }

    public async Task DisposeAsync()
    {
        _alpha.Dispose();
        _beta.Dispose();
        await _api.DisposeAsync();
    }

    private async Task<(string Id, HttpClient Client)> Tenant(string name)
    {
        var tenant = await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name }), HttpStatusCode.Created);
        var id = (string)tenant["id"]!;
        var key = await _api.Send(HttpMethod.Post, $"/v1/tenants/{id}/keys", ApiHost.Json(new { label = "test" }), HttpStatusCode.Created);
        return (id, _api.As((string)key["key"]!));
    }

    private string PtrFrom(string source, string address)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        s.ReceiveTimeout = 5000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(ReverseName.ToName(IpAddress.Parse(address))), RecordType.PTR, id: 7).ToWire(), _api.DnsEndpoint);
        var buffer = new byte[65535];
        var m = DnsMessage.Parse(buffer.AsSpan(0, s.Receive(buffer)));
        return m.Answers.Count == 0 ? $"rcode {(Rcode)m.Rcode}" : Rdata.ReadName(m.Answers[0].Data).ToString();
    }

    [Fact]
    public async Task Two_tenants_set_ptrs_of_the_same_private_address_each_in_its_own_view()
    {
        var set = await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", ApiHost.Json(new { name = "db.alpha.internal." }), HttpStatusCode.OK);
        Assert.Equal(("alpha-net", "db.alpha.internal.", "2.1.10.in-addr.arpa."), ((string?)set["view"], (string?)set["name"], (string?)set["zone"]));
        await ApiHost.Send(_beta, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=beta-net", ApiHost.Json(new { name = "web.beta.internal." }), HttpStatusCode.OK);
        await ApiHost.Send(_beta, HttpMethod.Put, "/v1/addresses/fd00:1::5/reverse?view=beta-net", ApiHost.Json(new { name = "v6.beta.internal." }), HttpStatusCode.OK);

        Assert.Equal("db.alpha.internal.", PtrFrom("127.0.0.5", "10.1.2.3"));
        Assert.Equal("web.beta.internal.", PtrFrom("127.0.0.6", "10.1.2.3"));
        Assert.Equal("v6.beta.internal.", PtrFrom("127.0.0.6", "fd00:1::5"));
        Assert.Equal("rcode NXDomain", PtrFrom("127.0.0.5", "fd00:1::5"));
        Assert.Equal("rcode Refused", PtrFrom("127.0.0.1", "10.1.2.3"));

        var read = await ApiHost.Send(_alpha, HttpMethod.Get, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", null, HttpStatusCode.OK);
        Assert.Equal("db.alpha.internal.", (string?)read["name"]);
        await ApiHost.Send(_alpha, HttpMethod.Delete, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", null, HttpStatusCode.NoContent);
        Assert.Equal("rcode NXDomain", PtrFrom("127.0.0.5", "10.1.2.3"));
        Assert.Equal("web.beta.internal.", PtrFrom("127.0.0.6", "10.1.2.3"));

        // Only private space: a public address goes through allocations, not views.
        var problem = await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/192.0.2.1/reverse?view=alpha-net", ApiHost.Json(new { name = "x.alpha.internal." }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(("address_not_private", "ip"), ((string?)problem["code"], (string?)problem["field"]));
        problem = await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.4/reverse?view=alpha-net", ApiHost.Json(new { name = "bad name!" }), HttpStatusCode.BadRequest);
        Assert.Equal("name", (string?)problem["field"]);
    }

    [Fact]
    public async Task A_tenant_cannot_read_or_change_another_tenants_view_by_any_endpoint()
    {
        await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", ApiHost.Json(new { name = "db.alpha.internal." }), HttpStatusCode.OK);

        // The tenant endpoints answer as if the view did not exist.
        foreach (var (method, body) in new (HttpMethod, object?)[] { (HttpMethod.Put, new { name = "evil.beta.internal." }), (HttpMethod.Get, null), (HttpMethod.Delete, null) })
        {
            var problem = await ApiHost.Send(_beta, method, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", body is null ? null : ApiHost.Json(body), HttpStatusCode.NotFound);
            Assert.Equal("view_not_found", (string?)problem["code"]);
        }
        var missing = await ApiHost.Send(_beta, HttpMethod.Get, "/v1/addresses/10.1.2.3/reverse?view=no-such-view", null, HttpStatusCode.NotFound);
        var hidden = await ApiHost.Send(_beta, HttpMethod.Get, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", null, HttpStatusCode.NotFound);
        Assert.Equal((string?)missing["code"], (string?)hidden["code"]);

        await ApiHost.Send(_beta, HttpMethod.Get, "/v1/views/alpha-net", null, HttpStatusCode.NotFound);
        var listed = await ApiHost.Send(_beta, HttpMethod.Get, "/v1/views", null, HttpStatusCode.OK);
        Assert.Equal(["beta-net"], listed.AsArray().Select(v => (string)v!["name"]!).ToArray());
        await ApiHost.Send(_alpha, HttpMethod.Get, "/v1/views/alpha-net", null, HttpStatusCode.OK);

        // Operator endpoints are closed to tenants, views or not.
        await ApiHost.Send(_beta, HttpMethod.Get, "/v1/zones?view=alpha-net", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Get, "/v1/zones/2.1.10.in-addr.arpa./export?view=alpha-net", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Patch, "/v1/zones/2.1.10.in-addr.arpa./rrsets?view=alpha-net", ApiHost.Json(new { rrsets = Array.Empty<object>() }), HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Delete, "/v1/zones/2.1.10.in-addr.arpa.?view=alpha-net", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Put, "/v1/ptr/10.1.2.3?view=alpha-net", ApiHost.Json(new { ptrdname = "evil.example." }), HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Get, "/v1/ptr/10.1.2.3?view=alpha-net", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Patch, "/v1/views/alpha-net", ApiHost.Json(new { match = new[] { "127.0.0.6/32" } }), HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Delete, "/v1/views/alpha-net", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(_beta, HttpMethod.Post, "/v1/views", ApiHost.Json(new { name = "mine", match = new[] { "127.0.0.5/32" } }), HttpStatusCode.Forbidden);

        // Nothing of it changed alpha's view.
        Assert.Equal("db.alpha.internal.", PtrFrom("127.0.0.5", "10.1.2.3"));
        var view = await _api.Send(HttpMethod.Get, "/v1/views/alpha-net", null, HttpStatusCode.OK);
        Assert.Equal("127.0.0.5/32", (string?)view["match"]![0]);
    }

    [Fact]
    public async Task The_tenants_address_listing_shows_its_view_ptrs_with_the_view_named_and_never_another_tenants()
    {
        await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", ApiHost.Json(new { name = "db.alpha.internal." }), HttpStatusCode.OK);
        await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/fd00:1::9/reverse?view=alpha-net", ApiHost.Json(new { name = "v6.alpha.internal." }), HttpStatusCode.OK);
        await ApiHost.Send(_beta, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=beta-net", ApiHost.Json(new { name = "web.beta.internal." }), HttpStatusCode.OK);

        var alpha = (await ApiHost.Send(_alpha, HttpMethod.Get, "/v1/addresses", null, HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal([("10.1.2.3", "db.alpha.internal.", "alpha-net"), ("fd00:1::9", "v6.alpha.internal.", "alpha-net")],
            alpha.Select(i => ((string)i!["address"]!, (string)i["name"]!, (string?)i["view"])).ToArray());
        // The view hosts no zone for the names: there is no forward data to check them against.
        Assert.All(alpha, i => Assert.Equal("unchecked", (string?)i!["status"]));
        var beta = (await ApiHost.Send(_beta, HttpMethod.Get, "/v1/addresses", null, HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal([("10.1.2.3", "web.beta.internal.", "beta-net")], beta.Select(i => ((string)i!["address"]!, (string)i["name"]!, (string?)i["view"])).ToArray());
        // Paged one by one, nothing is lost or repeated.
        var first = await ApiHost.Send(_alpha, HttpMethod.Get, "/v1/addresses?limit=1", null, HttpStatusCode.OK);
        var second = await ApiHost.Send(_alpha, HttpMethod.Get, $"/v1/addresses?limit=1&after={(string)first["next"]!}", null, HttpStatusCode.OK);
        Assert.Equal(["10.1.2.3", "fd00:1::9"], new[] { first, second }.Select(p => (string)p["items"]![0]!["address"]!).ToArray());
        Assert.Empty((await ApiHost.Send(_alpha, HttpMethod.Get, "/v1/addresses?status=confirmed", null, HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_view_ptr_is_checked_against_the_views_own_forward_zone()
    {
        // The operator gives alpha's view its forward zone, where db.alpha.internal. is 10.1.2.3.
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { name = "alpha.internal.", view = "alpha-net" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Patch, "/v1/zones/alpha.internal./rrsets?view=alpha-net", ApiHost.Json(new
        {
            rrsets = new object[] { new { name = "db", type = "A", data = new[] { "10.1.2.3" } }, new { name = "web", type = "A", data = new[] { "10.1.2.77" } } },
        }), HttpStatusCode.OK);

        var set = await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", ApiHost.Json(new { name = "db.alpha.internal." }), HttpStatusCode.OK);
        Assert.Equal("confirmed", (string?)set["status"]);
        // A name of the view's zone that does not point back is refused, saying what the view has.
        var problem = await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.4/reverse?view=alpha-net", ApiHost.Json(new { name = "web.alpha.internal." }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(("forward_check_failed", "name"), ((string?)problem["code"], (string?)problem["field"]));
        Assert.Contains("10.1.2.77", (string?)problem["detail"]);
        problem = await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.4/reverse?view=alpha-net", ApiHost.Json(new { name = "none.alpha.internal." }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("forward_check_failed", (string?)problem["code"]);
        Assert.Equal("rcode NXDomain", PtrFrom("127.0.0.5", "10.1.2.4"));
        // A name the view hosts no zone for is not checked; the public DNS is never asked.
        set = await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.4/reverse?view=alpha-net", ApiHost.Json(new { name = "host.example.com." }), HttpStatusCode.OK);
        Assert.Equal("unchecked", (string?)set["status"]);
        // Beta's view has no alpha.internal. zone: the same name is not checked there.
        set = await ApiHost.Send(_beta, HttpMethod.Put, "/v1/addresses/10.1.2.4/reverse?view=beta-net", ApiHost.Json(new { name = "web.alpha.internal." }), HttpStatusCode.OK);
        Assert.Equal("unchecked", (string?)set["status"]);

        // When the view's forward data moves, the listing says the PTR drifted.
        await _api.Send(HttpMethod.Patch, "/v1/zones/alpha.internal./rrsets?view=alpha-net", ApiHost.Json(new
        {
            rrsets = new object[] { new { name = "db", type = "A", data = new[] { "10.1.2.99" } } },
        }), HttpStatusCode.OK);
        var listed = (await ApiHost.Send(_alpha, HttpMethod.Get, "/v1/addresses?status=drifted", null, HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal("10.1.2.3", (string?)Assert.Single(listed)!["address"]);
    }

    [Fact]
    public async Task A_tenants_update_key_changes_its_own_views_ptrs_and_never_another_tenants()
    {
        await ApiHost.Send(_alpha, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=alpha-net", ApiHost.Json(new { name = "db.alpha.internal." }), HttpStatusCode.OK);
        await ApiHost.Send(_beta, HttpMethod.Put, "/v1/addresses/10.1.2.3/reverse?view=beta-net", ApiHost.Json(new { name = "web.beta.internal." }), HttpStatusCode.OK);
        var alphaKey = await UpdateKey(_alpha, "alpha-dhcp.");
        var betaKey = await UpdateKey(_beta, "beta-dhcp.");
        const string zone = "2.1.10.in-addr.arpa.";

        // From alpha's network (its view matches 127.0.0.5), alpha's DHCP key keeps alpha's PTRs.
        var add = DnsUpdateClient.Message(zone, updates: [DnsUpdateClient.Add("7.2.1.10.in-addr.arpa.", RecordType.PTR, "laptop.alpha.internal.")]);
        Assert.Equal(Rcode.NoError, (await DnsUpdateClient.SendAsync(_api.DnsEndpoint, add, alphaKey, source: "127.0.0.5")).Rcode);
        Assert.Equal("laptop.alpha.internal.", PtrFrom("127.0.0.5", "10.1.2.7"));
        Assert.Equal("rcode NXDomain", PtrFrom("127.0.0.6", "10.1.2.7"));
        // Beta's key in alpha's view is refused, and changes nothing of either view.
        var evil = DnsUpdateClient.Message(zone, updates: [DnsUpdateClient.Add("3.2.1.10.in-addr.arpa.", RecordType.PTR, "evil.beta.internal.")]);
        Assert.Equal(Rcode.Refused, (await DnsUpdateClient.SendAsync(_api.DnsEndpoint, evil, betaKey, source: "127.0.0.5")).Rcode);
        Assert.Equal("db.alpha.internal.", PtrFrom("127.0.0.5", "10.1.2.3"));
        Assert.Equal("web.beta.internal.", PtrFrom("127.0.0.6", "10.1.2.3"));
        // In beta's own network, beta's key changes beta's zone of the same name.
        var own = DnsUpdateClient.Message(zone, updates: [DnsUpdateClient.Add("8.2.1.10.in-addr.arpa.", RecordType.PTR, "app.beta.internal.")]);
        Assert.Equal(Rcode.NoError, (await DnsUpdateClient.SendAsync(_api.DnsEndpoint, own, betaKey, source: "127.0.0.6")).Rcode);
        Assert.Equal("app.beta.internal.", PtrFrom("127.0.0.6", "10.1.2.8"));
        Assert.Equal("rcode NXDomain", PtrFrom("127.0.0.5", "10.1.2.8"));
        // Only PTR (and DHCID): the tenant's key may not touch the zone's other records.
        var txt = DnsUpdateClient.Message(zone, updates: [DnsUpdateClient.Add("3.2.1.10.in-addr.arpa.", RecordType.TXT, "\"x\"")]);
        Assert.Equal(Rcode.Refused, (await DnsUpdateClient.SendAsync(_api.DnsEndpoint, txt, alphaKey, source: "127.0.0.5")).Rcode);
        // The view's PTR made by UPDATE shows in the tenant's listing, with its view.
        var listed = (await ApiHost.Send(_alpha, HttpMethod.Get, "/v1/addresses", null, HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Contains(listed, i => (string?)i!["address"] == "10.1.2.7" && (string?)i["view"] == "alpha-net");
    }

    private static async Task<TsigKey> UpdateKey(HttpClient tenant, string name)
    {
        var created = await ApiHost.Send(tenant, HttpMethod.Post, "/v1/tsig-keys", ApiHost.Json(new { name }), HttpStatusCode.Created);
        return new TsigKey(DnsName.Parse(name), TsigAlgorithm.HmacSha256, Convert.FromBase64String((string)created["secret"]!));
    }
}
