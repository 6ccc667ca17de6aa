using System.Net;
using Rdns.Addressing;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// Tenants and pools from creation to deletion, each step in the audit log with who did it and the
/// value before and after: nothing is deleted while addresses are held, and a deleted tenant's
/// keys stop working.
/// </summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync(configure: s => s.Tenants.CoolDown = TimeSpan.Zero);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private string Ptr(string address)
    {
        var m = _api.Dns(ReverseName.ToName(IpAddress.Parse(address)), RecordType.PTR);
        return m.Answers.Count == 0 ? $"rcode {m.Rcode}" : Rdata.ReadName(m.Answers[0].Data).ToString();
    }

    [Fact]
    public async Task A_tenant_is_listed_renamed_and_deleted_only_once_it_holds_nothing()
    {
        var pool = await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "198.51.100.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." }), HttpStatusCode.Created);
        var tenant = (string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Acme" }), HttpStatusCode.Created))["id"]!;
        var key = (string)(await _api.Send(HttpMethod.Post, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.Created))["key"]!;
        using var acme = _api.As(key);

        var listed = await _api.Send(HttpMethod.Get, "/v1/tenants", null, HttpStatusCode.OK);
        Assert.Equal("Acme", (string?)Assert.Single(listed["items"]!.AsArray())!["name"]);
        var renamed = await _api.Send(HttpMethod.Patch, $"/v1/tenants/{tenant}", ApiHost.Json(new { name = "Acme Ltd" }), HttpStatusCode.OK);
        Assert.Equal("Acme Ltd", (string?)renamed["name"]);
        var blank = await _api.Send(HttpMethod.Patch, $"/v1/tenants/{tenant}", ApiHost.Json(new { name = " " }), HttpStatusCode.BadRequest);
        Assert.Equal("name", (string?)blank["field"]);

        var allocation = (string)(await _api.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant, prefix = "198.51.100.8/29" }), HttpStatusCode.Created))["id"]!;
        var refused = await _api.Send(HttpMethod.Delete, $"/v1/tenants/{tenant}", null, HttpStatusCode.Conflict);
        Assert.Equal("tenant_holds_addresses", (string?)refused["code"]);
        Assert.Contains(allocation, (string?)refused["detail"]);
        var poolRefused = await _api.Send(HttpMethod.Delete, $"/v1/pools/{(string)pool["id"]!}", null, HttpStatusCode.Conflict);
        Assert.Equal("pool_allocated", (string?)poolRefused["code"]);
        await ApiHost.Send(acme, HttpMethod.Get, "/v1/addresses/198.51.100.9/reverse", null, HttpStatusCode.OK);

        await _api.Send(HttpMethod.Delete, $"/v1/allocations/{allocation}", null, HttpStatusCode.OK);
        await _api.Send(HttpMethod.Delete, $"/v1/tenants/{tenant}", null, HttpStatusCode.NoContent);

        // Gone for the operator, and its key no longer acts for it.
        Assert.Equal("tenant_not_found", (string?)(await _api.Send(HttpMethod.Get, $"/v1/tenants/{tenant}", null, HttpStatusCode.NotFound))["code"]);
        Assert.Empty((await _api.Send(HttpMethod.Get, "/v1/tenants", null, HttpStatusCode.OK))["items"]!.AsArray());
        await ApiHost.Send(acme, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.Unauthorized);
        await _api.Send(HttpMethod.Delete, $"/v1/tenants/{tenant}", null, HttpStatusCode.NotFound);
        var allocate = await _api.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant, prefix = "198.51.100.8/29" }), HttpStatusCode.NotFound);
        Assert.Equal("tenant_not_found", (string?)allocate["code"]);

        var audit = await _api.Send(HttpMethod.Get, $"/v1/audit?tenant={tenant}", null, HttpStatusCode.OK);
        var actions = audit["items"]!.AsArray().Select(a => (string?)a!["action"]).ToList();
        Assert.Equal(["tenant.delete", "allocation.release", "allocation.create", "tenant.update", "key.create", "tenant.create"], actions);
        var update = audit["items"]!.AsArray().Single(a => (string?)a!["action"] == "tenant.update")!;
        Assert.Equal(("Acme", "Acme Ltd"), ((string?)update["before"], (string?)update["after"]));
        Assert.StartsWith("admin:key_", (string?)update["who"]);
    }

    [Fact]
    public async Task A_pool_changes_its_default_names_at_once_and_is_deleted_when_nothing_is_allocated()
    {
        var pool = (string)(await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "203.0.113.0/24", defaultPtr = "ip-{ip}.old.rdns.test." }), HttpStatusCode.Created))["id"]!;
        Assert.Equal("ip-203-0-113-7.old.rdns.test.", Ptr("203.0.113.7"));

        var updated = await _api.Send(HttpMethod.Patch, $"/v1/pools/{pool}", ApiHost.Json(new { defaultPtr = "host-{ip}.new.rdns.test.", ttl = 600 }), HttpStatusCode.OK);
        Assert.Equal((600u, "host-{ip}.new.rdns.test."), ((uint)updated["ttl"]!, (string?)updated["defaultPtr"]));
        Assert.Equal("host-203-0-113-7.new.rdns.test.", Ptr("203.0.113.7"));
        var bad = await _api.Send(HttpMethod.Patch, $"/v1/pools/{pool}", ApiHost.Json(new { defaultPtr = "no-placeholder.example." }), HttpStatusCode.BadRequest);
        Assert.Equal("defaultPtr", (string?)bad["field"]);

        await _api.Send(HttpMethod.Delete, $"/v1/pools/{pool}", null, HttpStatusCode.NoContent);
        Assert.Equal("rcode 3", Ptr("203.0.113.7")); // NXDOMAIN
        Assert.Empty((await _api.Send(HttpMethod.Get, "/v1/pools", null, HttpStatusCode.OK))["items"]!.AsArray());
        Assert.Equal("pool_not_found", (string?)(await _api.Send(HttpMethod.Delete, $"/v1/pools/{pool}", null, HttpStatusCode.NotFound))["code"]);

        var audit = await _api.Send(HttpMethod.Get, "/v1/audit?action=pool.", null, HttpStatusCode.OK);
        var rows = audit["items"]!.AsArray();
        Assert.Equal(["pool.delete", "pool.update", "pool.create"], rows.Select(a => (string?)a!["action"]));
        Assert.Equal("ip-{ip}.old.rdns.test. ttl 3600", (string?)rows[1]!["before"]);
        Assert.Equal("host-{ip}.new.rdns.test. ttl 600", (string?)rows[1]!["after"]);
    }

    [Fact]
    public async Task The_audit_log_says_who_changed_a_ptr_from_what_to_what_by_zone_and_address()
    {
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "10.9.8.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.5", ApiHost.Json(new { ptrdname = "first.example." }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.5", ApiHost.Json(new { ptrdname = "second.example." }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.6", ApiHost.Json(new { ptrdname = "other.example." }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Put, "/v1/ptr/10.9.8.5", ApiHost.Json(new { ptrdname = "elsewhere.example." }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Delete, "/v1/ptr/192.0.2.5", null, HttpStatusCode.NoContent);

        var byIp = (await _api.Send(HttpMethod.Get, "/v1/audit?ip=192.0.2.5", null, HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal([("ptr.delete", "second.example.", null), ("ptr.set", "first.example.", "second.example."), ("ptr.set", null, "first.example.")],
            byIp.Select(a => ((string?)a!["action"], (string?)a["before"], (string?)a["after"])));
        Assert.All(byIp, a => Assert.StartsWith("admin:", (string?)a!["who"]));

        var byZone = (await _api.Send(HttpMethod.Get, "/v1/audit?zone=2.0.192.in-addr.arpa", null, HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(["192.0.2.5", "192.0.2.6", "192.0.2.5", "192.0.2.5", "2.0.192.in-addr.arpa."],
            byZone.Select(a => (string?)a!["target"]));

        // Page by page, newest first, nothing twice.
        var first = await _api.Send(HttpMethod.Get, "/v1/audit?zone=2.0.192.in-addr.arpa&limit=2", null, HttpStatusCode.OK);
        var second = await _api.Send(HttpMethod.Get, $"/v1/audit?zone=2.0.192.in-addr.arpa&limit=2&after={Uri.EscapeDataString((string)first["next"]!)}", null, HttpStatusCode.OK);
        var ids = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(a => (long)a!["id"]!).ToList();
        Assert.Equal(byZone.Take(4).Select(a => (long)a!["id"]!), ids);
    }
}
