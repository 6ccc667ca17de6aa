using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Addressing;
using Rdns.Control.Tenants;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;

namespace Rdns.Api.Tests;

/// <summary>
/// A released address goes back to its default and nobody's name survives the release: not a
/// tenant's PTR whose forward check was still running, not an operator's PTR, and the tenant API
/// always says what DNS answers.
/// </summary>
public sealed class ReleaseTests : IAsyncLifetime
{
    private readonly HeldForwardResolver _resolver = new();
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(
            configure: s => s.Tenants.CoolDown = TimeSpan.Zero,
            services: s => s.AddSingleton<IForwardResolver>(_resolver));
        await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "203.0.113.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "2001:db8:ff00::/48", defaultPtr = "ip-{ip}.v6.rdns.test." }), HttpStatusCode.Created);
    }

    public async Task DisposeAsync()
    {
        _resolver.Release();
        await _api.DisposeAsync();
    }

    private async Task<(string Id, HttpClient Client)> Tenant(string name)
    {
        var tenant = await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name }), HttpStatusCode.Created);
        var id = (string)tenant["id"]!;
        var key = await _api.Send(HttpMethod.Post, $"/v1/tenants/{id}/keys", null, HttpStatusCode.Created);
        return (id, _api.As((string)key["key"]!));
    }

    private async Task<string> Allocate(string tenant, string prefix) =>
        (string)(await _api.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant, prefix }), HttpStatusCode.Created))["id"]!;

    private string Ptr(string address)
    {
        var m = _api.Dns(ReverseName.ToName(IpAddress.Parse(address)), RecordType.PTR);
        return m.Answers.Count == 0 ? $"rcode {m.Rcode}" : Rdata.ReadName(m.Answers[0].Data).ToString();
    }

    private IRdnsStore Store => _api.Services.GetRequiredService<IRdnsStore>();

    [Fact]
    public async Task A_ptr_whose_forward_check_outlasts_the_release_is_refused_and_leaves_nothing_behind()
    {
        var (alpha, a) = await Tenant("Alpha");
        var allocation = await Allocate(alpha, "203.0.113.10/32");
        _resolver.Point("mail.alpha.test.", "203.0.113.10");

        // The tenant's PUT is inside its forward check (a slow resolver) when the operator releases.
        var checking = _resolver.HoldNextLookup();
        var put = ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/203.0.113.10/reverse", ApiHost.Json(new { name = "mail.alpha.test" }), HttpStatusCode.Conflict);
        await checking;
        var released = await _api.Send(HttpMethod.Delete, $"/v1/allocations/{allocation}", null, HttpStatusCode.OK);
        Assert.Equal(0, (int)released["resetPtrs"]!);
        var (beta, b) = await Tenant("Beta");
        await Allocate(beta, "203.0.113.10/32");
        var auditBefore = (await Store.GetAuditAsync(1000)).Count;

        // The check now passes, but the commit finds the allocation released: 409, nothing written.
        _resolver.Release();
        var refused = await put;
        Assert.Equal("allocation_released", (string?)refused["code"]);
        Assert.Contains(allocation, (string?)refused["detail"]);

        Assert.Equal("ip-203-0-113-10.pool.rdns.test.", Ptr("203.0.113.10"));
        var seen = await ApiHost.Send(b, HttpMethod.Get, "/v1/addresses/203.0.113.10/reverse", null, HttpStatusCode.OK);
        Assert.Equal(("ip-203-0-113-10.pool.rdns.test.", "default"), ((string?)seen["name"], (string?)seen["status"]));
        Assert.Null(await Store.GetCustomReverseAsync("203.0.113.10"));
        Assert.Equal(auditBefore, (await Store.GetAuditAsync(1000)).Count);
        var zone = await Store.LoadAsync(Protocol.Names.DnsName.Parse("113.0.203.in-addr.arpa."));
        Assert.DoesNotContain(zone!.Records, r => r.Type == RecordType.PTR);
    }

    [Fact]
    public async Task An_operator_ptr_on_a_pool_address_is_reset_by_the_release_and_the_next_holder_sees_the_default()
    {
        var (alpha, a) = await Tenant("Alpha");
        var allocation = await Allocate(alpha, "203.0.113.20/32");
        await _api.Send(HttpMethod.Put, "/v1/ptr/203.0.113.20", ApiHost.Json(new { ptrdname = "legacy.example.net" }), HttpStatusCode.OK);
        Assert.Equal("legacy.example.net.", Ptr("203.0.113.20"));
        // The holder sees what DNS answers, and who set it.
        var shown = await ApiHost.Send(a, HttpMethod.Get, "/v1/addresses/203.0.113.20/reverse", null, HttpStatusCode.OK);
        Assert.Equal(("legacy.example.net.", "operator-set"), ((string?)shown["name"], (string?)shown["status"]));

        var released = await _api.Send(HttpMethod.Delete, $"/v1/allocations/{allocation}", null, HttpStatusCode.OK);
        Assert.Equal(1, (int)released["resetPtrs"]!);
        Assert.Equal("ip-203-0-113-20.pool.rdns.test.", Ptr("203.0.113.20"));
        var (beta, b) = await Tenant("Beta");
        await Allocate(beta, "203.0.113.20/32");
        var seen = await ApiHost.Send(b, HttpMethod.Get, "/v1/addresses/203.0.113.20/reverse", null, HttpStatusCode.OK);
        Assert.Equal(("ip-203-0-113-20.pool.rdns.test.", "default"), ((string?)seen["name"], (string?)seen["status"]));
        Assert.Contains(await Store.GetAuditAsync(20), e => e.Action == "allocation.release" && e.Target == allocation && e.Detail!.Contains("203.0.113.20/32"));
    }

    [Fact]
    public async Task An_operator_overwrite_or_removal_of_a_tenant_ptr_is_what_the_tenant_sees()
    {
        var (alpha, a) = await Tenant("Alpha");
        await Allocate(alpha, "203.0.113.30/32");
        _resolver.Point("mail.alpha.test.", "203.0.113.30");
        await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/203.0.113.30/reverse", ApiHost.Json(new { name = "mail.alpha.test" }), HttpStatusCode.OK);

        await _api.Send(HttpMethod.Put, "/v1/ptr/203.0.113.30", ApiHost.Json(new { ptrdname = "abuse-hold.example.net" }), HttpStatusCode.OK);
        Assert.Equal("abuse-hold.example.net.", Ptr("203.0.113.30"));
        var shown = await ApiHost.Send(a, HttpMethod.Get, "/v1/addresses/203.0.113.30/reverse", null, HttpStatusCode.OK);
        Assert.Equal(("abuse-hold.example.net.", "operator-set"), ((string?)shown["name"], (string?)shown["status"]));
        Assert.Empty((await ApiHost.Send(a, HttpMethod.Get, "/v1/addresses?status=confirmed", null, HttpStatusCode.OK))["items"]!.AsArray());
        var listed = Assert.Single((await ApiHost.Send(a, HttpMethod.Get, "/v1/addresses?status=operator-set", null, HttpStatusCode.OK))["items"]!.AsArray());
        Assert.Equal("abuse-hold.example.net.", (string?)listed!["name"]);
        // The drift check leaves the operator's name alone.
        await _api.Services.GetRequiredService<TenantReverseService>().RecheckAllAsync(CancellationToken.None);
        Assert.Equal("operator-set", (string?)(await Store.GetCustomReverseAsync("203.0.113.30"))!.Status);

        await _api.Send(HttpMethod.Delete, "/v1/ptr/203.0.113.30", null, HttpStatusCode.NoContent);
        Assert.Equal("ip-203-0-113-30.pool.rdns.test.", Ptr("203.0.113.30"));
        shown = await ApiHost.Send(a, HttpMethod.Get, "/v1/addresses/203.0.113.30/reverse", null, HttpStatusCode.OK);
        Assert.Equal(("ip-203-0-113-30.pool.rdns.test.", "default"), ((string?)shown["name"], (string?)shown["status"]));
        Assert.Null(await Store.GetCustomReverseAsync("203.0.113.30"));
    }

    [Fact]
    public async Task Releasing_an_ipv6_prefix_resets_every_ptr_stored_in_it_and_nothing_outside()
    {
        var (alpha, a) = await Tenant("Alpha");
        var allocation = await Allocate(alpha, "2001:db8:ff00:1::/64");
        _resolver.Point("v6.alpha.test.", "2001:db8:ff00:1::a", "2001:db8:ff00:1:ffff:ffff:ffff:ffff");
        await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/2001:db8:ff00:1::a/reverse", ApiHost.Json(new { name = "v6.alpha.test" }), HttpStatusCode.OK);
        await ApiHost.Send(a, HttpMethod.Put, "/v1/addresses/2001:db8:ff00:1:ffff:ffff:ffff:ffff/reverse", ApiHost.Json(new { name = "v6.alpha.test" }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Put, "/v1/ptr/2001:db8:ff00:1::77", ApiHost.Json(new { ptrdname = "ops.example.net" }), HttpStatusCode.OK);
        await _api.Send(HttpMethod.Put, "/v1/ptr/2001:db8:ff00:2::1", ApiHost.Json(new { ptrdname = "neighbour.example.net" }), HttpStatusCode.OK);

        var released = await _api.Send(HttpMethod.Delete, $"/v1/allocations/{allocation}", null, HttpStatusCode.OK);
        Assert.Equal(3, (int)released["resetPtrs"]!);
        foreach (var address in new[] { "2001:db8:ff00:1::a", "2001:db8:ff00:1:ffff:ffff:ffff:ffff", "2001:db8:ff00:1::77" })
            Assert.Equal($"ip-{address.Replace(':', '-')}.v6.rdns.test.", Ptr(address));
        Assert.Equal("neighbour.example.net.", Ptr("2001:db8:ff00:2::1"));
        Assert.Empty(await Store.ListCustomReversesAsync(alpha, null, null));
    }
}
