using System.Net;
using System.Text.Json.Nodes;
using Rdns.Addressing;
using Rdns.Protocol.Records;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// The tenant story end to end: a real knotd serves the tenant's forward zone and is the resolver
/// our forward checks ask; answers are read from our DNS listener and with kdig.
/// </summary>
public sealed class TenantReverseTests : IAsyncLifetime
{
    private ForwardKnot _knot = null!;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _knot = await ForwardKnot.StartAsync("example.test.",
            "mail A 198.51.100.7\ngood A 203.0.113.10\nv6-a AAAA 2001:db8:ff00:1::a\nv6-b AAAA 2001:db8:ff00:1:dead:beef:0:1\nv6-c AAAA 2001:db8:ff00:1:ffff:ffff:ffff:ffff\n");
        _api = await ApiHost.StartAsync(configure: s =>
        {
            s.Resolver = _knot.Endpoint;
            s.Tenants.CoolDown = TimeSpan.Zero;
        });
        await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "203.0.113.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "2001:db8:ff00::/48", defaultPtr = "ip-{ip}.v6.rdns.test." }), HttpStatusCode.Created);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _knot.DisposeAsync();
    }

    private async Task<(string Id, HttpClient Client)> Tenant(string name)
    {
        var tenant = await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name }), HttpStatusCode.Created);
        var id = (string)tenant["id"]!;
        var key = await _api.Send(HttpMethod.Post, $"/v1/tenants/{id}/keys", ApiHost.Json(new { label = "test" }), HttpStatusCode.Created);
        Assert.StartsWith("rdns_", (string)key["key"]!);
        return (id, _api.As((string)key["key"]!));
    }

    private async Task<string> Allocate(string tenant, string prefix, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var a = await _api.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant, prefix }), expected);
        return (string?)a["id"] ?? (string)a["code"]!;
    }

    private string Ptr(string address)
    {
        var m = _api.Dns(ReverseName.ToName(IpAddress.Parse(address)), RecordType.PTR);
        return m.Answers.Count == 0 ? $"rcode {m.Rcode}" : Rdata.ReadName(m.Answers[0].Data).ToString();
    }

    [Fact]
    public async Task A_tenant_sets_a_confirmed_ptr_and_release_returns_the_default_for_the_next_holder()
    {
        var (tenantA, a) = await Tenant("Alpha");
        var allocation = await Allocate(tenantA, "203.0.113.10/32");

        // The default PTR and its matching A, with nothing stored per address.
        Assert.Equal("ip-203-0-113-10.pool.rdns.test.", Ptr("203.0.113.10"));
        var forward = _api.Dns("ip-203-0-113-10.pool.rdns.test.", RecordType.A);
        Assert.Equal([203, 0, 113, 10], Assert.Single(forward.Answers).Data);
        var shown = await ApiHost.Send(a, HttpMethod.Get, "/v1/addresses/203.0.113.10/reverse", null, HttpStatusCode.OK);
        Assert.Equal("default", (string?)shown["status"]);

        // A name whose A record points elsewhere is refused, saying what it points to.
        var refused = await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/203.0.113.10/reverse", ApiHost.Json(new { name = "mail.example.test" }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("forward_check_failed", (string?)refused["code"]);
        Assert.Equal("other-addresses", (string?)refused["found"]);
        Assert.Equal("198.51.100.7", (string?)refused["addresses"]![0]);
        var missing = await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/203.0.113.10/reverse", ApiHost.Json(new { name = "nothing.example.test" }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("nxdomain", (string?)missing["found"]);
        Assert.Contains("NXDOMAIN", (string?)missing["detail"]);
        Assert.Equal("ip-203-0-113-10.pool.rdns.test.", Ptr("203.0.113.10"));

        // A matching name is answered at once, also by kdig -x.
        var set = await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/203.0.113.10/reverse", ApiHost.Json(new { name = "good.example.test" }), HttpStatusCode.OK);
        Assert.Equal("confirmed", (string?)set["status"]);
        var kdig = await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {_api.DnsEndpoint.Port} +short -x 203.0.113.10");
        Assert.Equal("good.example.test.", kdig.Output.Trim());

        // Release: the PTR is the default again; a second tenant given the address sees the default.
        var released = await _api.Send(HttpMethod.Delete, $"/v1/allocations/{allocation}", null, HttpStatusCode.OK);
        Assert.Equal(1, (int)released["resetPtrs"]!);
        Assert.Equal("ip-203-0-113-10.pool.rdns.test.", Ptr("203.0.113.10"));
        var (tenantB, b) = await Tenant("Beta");
        await Allocate(tenantB, "203.0.113.10/32");
        var seen = await ApiHost.Send(b, HttpMethod.Get, "/v1/addresses/203.0.113.10/reverse", null, HttpStatusCode.OK);
        Assert.Equal("ip-203-0-113-10.pool.rdns.test.", (string?)seen["name"]);
        Assert.Equal("default", (string?)seen["status"]);
        var audit = await _api.Services.GetService<Storage.IRdnsStore>()!.GetAuditAsync(50);
        Assert.Contains(audit, e => e.Action == "allocation.release" && e.Target == allocation);
    }

    [Fact]
    public async Task A_verified_domain_lets_a_name_in_before_its_forward_records_exist()
    {
        var (tenant, client) = await Tenant("Gamma");
        await Allocate(tenant, "203.0.113.20/31");
        var domain = await ApiHost.Send(client, HttpMethod.Post, "/v1/domains", ApiHost.Json(new { name = "verified.example.test" }), HttpStatusCode.Created);
        var token = (string)domain["token"]!;
        var early = await ApiHost.Send(client, HttpMethod.Post, "/v1/domains/verified.example.test/verify", null, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("domain_not_verified", (string?)early["code"]);
        await _knot.UpdateAsync($"add {(string)domain["challengeName"]!} 60 TXT \"{token}\"");
        var verified = await ApiHost.Send(client, HttpMethod.Post, "/v1/domains/verified.example.test/verify", null, HttpStatusCode.OK);
        Assert.True((bool)verified["verified"]!);
        var set = await ApiHost.Send(client, HttpMethod.Put, "/v1/addresses/203.0.113.21/reverse", ApiHost.Json(new { name = "new-host.verified.example.test" }), HttpStatusCode.OK);
        Assert.Equal("verified-domain", (string?)set["status"]);
        Assert.Equal("new-host.verified.example.test.", Ptr("203.0.113.21"));

        // The name still has no forward records; the re-check keeps it accepted under the domain.
        await _api.Services.GetService<Control.Tenants.TenantReverseService>()!.RecheckAllAsync(CancellationToken.None);
        var listed = await ApiHost.Send(client, HttpMethod.Get, "/v1/addresses?status=verified-domain", null, HttpStatusCode.OK);
        Assert.Contains(listed["items"]!.AsArray(), i => (string?)i!["address"] == "203.0.113.21");

        // Many at once: one item outside the prefix refuses the whole change, naming it.
        var refused = await ApiHost.Send(client, HttpMethod.Post, "/v1/addresses/reverse", ApiHost.Json(new
        {
            prefix = "203.0.113.20/31",
            items = new[] { new { ip = "203.0.113.20", name = "a.verified.example.test" }, new { ip = "203.0.113.99", name = "b.verified.example.test" } },
        }), HttpStatusCode.BadRequest);
        Assert.Equal("line 2 (203.0.113.99): not inside 203.0.113.20/31", (string?)refused["detail"]);
        Assert.NotEqual("a.verified.example.test.", Ptr("203.0.113.20"));
        var bulk = await ApiHost.Send(client, HttpMethod.Post, "/v1/addresses/reverse", ApiHost.Json(new
        {
            prefix = "203.0.113.20/31",
            items = new[] { new { ip = "203.0.113.20", name = "a.verified.example.test" }, new { ip = "203.0.113.21", name = "b.verified.example.test" } },
        }), HttpStatusCode.OK);
        Assert.Equal(2, (int)bulk["count"]!);
        Assert.Equal("a.verified.example.test.", Ptr("203.0.113.20"));
        Assert.Equal("b.verified.example.test.", Ptr("203.0.113.21"));
        var invalid = await ApiHost.Send(client, HttpMethod.Post, "/v1/addresses/reverse", ApiHost.Json(new { prefix = "203.0.113.20/31", items = new[] { new { ip = "nonsense", name = "x.example" } } }), HttpStatusCode.BadRequest);
        Assert.Contains("items[0].ip", invalid.ToJsonString());
    }

    [Fact]
    public async Task Drift_is_found_by_the_recheck_and_listed_by_status()
    {
        var (tenant, client) = await Tenant("Delta");
        await Allocate(tenant, "203.0.113.30/32");
        await _knot.UpdateAsync("add moving.example.test. 60 A 203.0.113.30");
        await ApiHost.Send(client, HttpMethod.Put, "/v1/addresses/203.0.113.30/reverse", ApiHost.Json(new { name = "moving.example.test" }), HttpStatusCode.OK);
        await _knot.UpdateAsync("del moving.example.test. A", "add moving.example.test. 60 A 198.51.100.99");
        var reverses = _api.Services.GetService<Control.Tenants.TenantReverseService>()!;
        var (checkedCount, changed) = await reverses.RecheckAllAsync(CancellationToken.None);
        Assert.True(checkedCount >= 1 && changed >= 1);
        var drifted = await ApiHost.Send(client, HttpMethod.Get, "/v1/addresses?status=drifted", null, HttpStatusCode.OK);
        var item = Assert.Single(drifted["items"]!.AsArray());
        Assert.Equal("203.0.113.30", (string?)item!["address"]);
        Assert.Contains("198.51.100.99", (string?)item["detail"]);
        Assert.NotNull(item["checkedAt"]);
    }

    [Fact]
    public async Task Ipv6_tenants_set_any_address_of_their_prefix_and_the_rest_answers_defaults()
    {
        var (tenant, client) = await Tenant("Epsilon");
        await Allocate(tenant, "2001:db8:ff00:1::/64");
        var zone = _api.Services.GetService<Rdns.Zones.ServedZones>()!.Current.FindZone(Protocol.Names.DnsName.Parse("0.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa.").Wire)!;
        int before = zone.RecordCount;
        foreach (var (address, name) in new[] { ("2001:db8:ff00:1::a", "v6-a"), ("2001:db8:ff00:1:dead:beef:0:1", "v6-b"), ("2001:db8:ff00:1:ffff:ffff:ffff:ffff", "v6-c") })
        {
            await ApiHost.Send(client, HttpMethod.Put, $"/v1/addresses/{address}/reverse", ApiHost.Json(new { name = $"{name}.example.test" }), HttpStatusCode.OK);
            Assert.Equal($"{name}.example.test.", Ptr(address));
        }
        // Every other address of the /64 answers its default, and the default its AAAA.
        foreach (var other in new[] { "2001:db8:ff00:1::", "2001:db8:ff00:1::b", "2001:db8:ff00:1:1234:5678:9abc:def0" })
        {
            var name = Ptr(other);
            Assert.Equal($"ip-{IpAddress.Parse(other).ToString().Replace(':', '-')}.v6.rdns.test.", name);
            var aaaa = Assert.Single(_api.Dns(name, RecordType.AAAA).Answers);
            Assert.Equal(IpAddress.Parse(other).ToIPAddress().GetAddressBytes(), aaaa.Data);
        }
        // Only the three custom PTRs were stored: the 2^64 defaults cost nothing per address.
        var after = _api.Services.GetService<Rdns.Zones.ServedZones>()!.Current.FindZone(Protocol.Names.DnsName.Parse("0.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa.").Wire)!;
        Assert.Equal(before + 3, after.RecordCount);
    }

    [Fact]
    public async Task A_tenant_cannot_touch_what_another_tenant_holds()
    {
        var (tenantA, a) = await Tenant("Owner");
        var (_, b) = await Tenant("Intruder");
        var allocation = await Allocate(tenantA, "203.0.113.40/30");
        await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/203.0.113.41/reverse", ApiHost.Json(new { name = "good.example.test" }), HttpStatusCode.UnprocessableEntity);
        await _knot.UpdateAsync("add owner.example.test. 60 A 203.0.113.41");
        await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/203.0.113.41/reverse", ApiHost.Json(new { name = "owner.example.test" }), HttpStatusCode.OK);
        await ApiHost.Send(a, HttpMethod.Post, "/v1/domains", ApiHost.Json(new { name = "owner-domain.example.test" }), HttpStatusCode.Created);
        var store = _api.Services.GetService<Storage.IRdnsStore>()!;
        int auditBefore = (await store.GetAuditAsync(1000)).Count;

        await ApiHost.Send(b, HttpMethod.Put, "/v1/addresses/203.0.113.41/reverse", ApiHost.Json(new { name = "owner.example.test" }), HttpStatusCode.NotFound);
        await ApiHost.Send(b, HttpMethod.Get, "/v1/addresses/203.0.113.41/reverse", null, HttpStatusCode.NotFound);
        await ApiHost.Send(b, HttpMethod.Delete, "/v1/addresses/203.0.113.41/reverse", null, HttpStatusCode.NotFound);
        await ApiHost.Send(b, HttpMethod.Get, $"/v1/allocations/{allocation}", null, HttpStatusCode.NotFound);
        await ApiHost.Send(b, HttpMethod.Delete, $"/v1/allocations/{allocation}", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(b, HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant = tenantA, prefix = "203.0.113.44/32" }), HttpStatusCode.Forbidden);
        await ApiHost.Send(b, HttpMethod.Post, "/v1/domains/owner-domain.example.test/verify", null, HttpStatusCode.NotFound);
        await ApiHost.Send(b, HttpMethod.Get, $"/v1/tenants/{tenantA}", null, HttpStatusCode.NotFound);
        await ApiHost.Send(b, HttpMethod.Post, $"/v1/tenants/{tenantA}/keys", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(b, HttpMethod.Put, "/v1/ptr/203.0.113.41", ApiHost.Json(new { ptrdname = "evil.example." }), HttpStatusCode.Forbidden);
        await ApiHost.Send(b, HttpMethod.Patch, "/v1/zones/113.0.203.in-addr.arpa/rrsets", ApiHost.Json(new { rrsets = new[] { new { name = "41", type = "PTR", data = new[] { "evil.example." } } } }), HttpStatusCode.Forbidden);
        var theirs = await ApiHost.Send(b, HttpMethod.Get, "/v1/allocations", null, HttpStatusCode.OK);
        Assert.Empty(theirs["items"]!.AsArray());
        var domains = await ApiHost.Send(b, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.OK);
        Assert.Empty(domains["items"]!.AsArray());

        Assert.Equal("owner.example.test.", Ptr("203.0.113.41"));
        Assert.Equal(auditBefore, (await store.GetAuditAsync(1000)).Count);
        Assert.Null((await store.GetAllocationAsync(allocation))!.ReleasedAt);
    }

    [Fact]
    public async Task A_released_address_cools_down_before_anyone_else_can_hold_it()
    {
        await using var strict = await ApiHost.StartAsync(configure: s => s.Tenants.CoolDown = TimeSpan.FromHours(1));
        await strict.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "198.18.0.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." }), HttpStatusCode.Created);
        var t = await strict.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "x" }), HttpStatusCode.Created);
        var a = await strict.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant = (string)t["id"]!, prefix = "198.18.0.0/28" }), HttpStatusCode.Created);
        await strict.Send(HttpMethod.Delete, $"/v1/allocations/{(string)a["id"]!}", null, HttpStatusCode.OK);
        var again = await strict.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant = (string)t["id"]!, prefix = "198.18.0.8/32" }), HttpStatusCode.Conflict);
        Assert.Equal("addresses_unavailable", (string?)again["code"]);
        Assert.Contains("cooling down", (string?)again["detail"]);
        var outside = await strict.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant = (string)t["id"]!, prefix = "10.0.0.1/32" }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("outside_pools", (string?)outside["code"]);
    }

    [Fact]
    public async Task Tenant_keys_are_rate_limited_with_retry_after()
    {
        await using var limited = await ApiHost.StartAsync(configure: s => s.Tenants.RequestsPerMinute = 3);
        var t = await limited.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "busy" }), HttpStatusCode.Created);
        var key = await limited.Send(HttpMethod.Post, $"/v1/tenants/{(string)t["id"]!}/keys", null, HttpStatusCode.Created);
        using var client = limited.As((string)key["key"]!);
        for (int i = 0; i < 3; i++)
            await ApiHost.Send(client, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.OK);
        using var response = await client.GetAsync("/v1/domains");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("rate_limited", (string?)problem["code"]);
    }
}
