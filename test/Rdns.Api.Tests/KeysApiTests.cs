using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Storage;

namespace Rdns.Api.Tests;

/// <summary>An operator lists and revokes keys: operator keys and each tenant's; no secret is ever shown again.</summary>
public sealed class KeysApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static void AssertNoSecrets(JsonNode listed)
    {
        foreach (var key in listed["items"]!.AsArray())
        {
            var members = key!.AsObject().Select(m => m.Key).ToList();
            Assert.DoesNotContain("key", members);
            Assert.DoesNotContain("hash", members);
            Assert.DoesNotContain("rdns_", key.ToJsonString());
        }
    }

    [Fact]
    public async Task A_tenant_key_is_listed_without_its_secret_and_refused_at_once_when_revoked()
    {
        var tenant = (string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Acme" }), HttpStatusCode.Created))["id"]!;
        var other = (string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Other" }), HttpStatusCode.Created))["id"]!;
        var ci = await _api.Send(HttpMethod.Post, $"/v1/tenants/{tenant}/keys", ApiHost.Json(new { label = "ci" }), HttpStatusCode.Created);
        var laptop = await _api.Send(HttpMethod.Post, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.Created);
        using var ciClient = _api.As((string)ci["key"]!);
        await ApiHost.Send(ciClient, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.OK);

        var listed = await _api.Send(HttpMethod.Get, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.OK);
        AssertNoSecrets(listed);
        Assert.Equal(new[] { (string?)ci["id"], (string?)laptop["id"] }.Order(), listed["items"]!.AsArray().Select(k => (string?)k!["id"]).Order());
        Assert.Equal("ci", (string?)listed["items"]!.AsArray().Single(k => (string?)k!["id"] == (string?)ci["id"])!["label"]);

        // The wrong tenant does not find it; a tenant key may not manage keys.
        var wrong = await _api.Send(HttpMethod.Delete, $"/v1/tenants/{other}/keys/{(string)ci["id"]!}", null, HttpStatusCode.NotFound);
        Assert.Equal("key_not_found", (string?)wrong["code"]);
        await ApiHost.Send(ciClient, HttpMethod.Get, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.Forbidden);
        await ApiHost.Send(ciClient, HttpMethod.Delete, $"/v1/tenants/{tenant}/keys/{(string)laptop["id"]!}", null, HttpStatusCode.Forbidden);

        await _api.Send(HttpMethod.Delete, $"/v1/tenants/{tenant}/keys/{(string)ci["id"]!}", null, HttpStatusCode.NoContent);
        var refused = await ApiHost.Send(ciClient, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.Unauthorized);
        Assert.Equal("unauthorized", (string?)refused["code"]);
        // Revoking again changes nothing; the listing shows when it was revoked.
        await _api.Send(HttpMethod.Delete, $"/v1/tenants/{tenant}/keys/{(string)ci["id"]!}", null, HttpStatusCode.NoContent);
        listed = await _api.Send(HttpMethod.Get, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.OK);
        Assert.NotNull(listed["items"]!.AsArray().Single(k => (string?)k!["id"] == (string?)ci["id"])!["revokedAt"]);
        Assert.Null(listed["items"]!.AsArray().Single(k => (string?)k!["id"] == (string?)laptop["id"])!["revokedAt"]);

        var audit = await _api.Services.GetRequiredService<IRdnsStore>().GetAuditAsync(50);
        Assert.Single(audit, a => a.Action == "key.revoke" && a.Target == (string?)ci["id"]);
        var missing = await _api.Send(HttpMethod.Get, "/v1/tenants/ten_nope/keys", null, HttpStatusCode.NotFound);
        Assert.Equal("tenant_not_found", (string?)missing["code"]);
    }

    [Fact]
    public async Task A_tenant_manages_its_own_keys_and_no_one_elses()
    {
        var tenant = (string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Self" }), HttpStatusCode.Created))["id"]!;
        var other = (string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Neighbour" }), HttpStatusCode.Created))["id"]!;
        var first = await _api.Send(HttpMethod.Post, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.Created);
        var neighbours = await _api.Send(HttpMethod.Post, $"/v1/tenants/{other}/keys", null, HttpStatusCode.Created);
        using var self = _api.As((string)first["key"]!);

        var made = await ApiHost.Send(self, HttpMethod.Post, "/v1/tenant/keys", ApiHost.Json(new { label = "deploy" }), HttpStatusCode.Created);
        Assert.Equal(tenant, (string?)made["tenant"]);
        using var deploy = _api.As((string)made["key"]!);
        await ApiHost.Send(deploy, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.OK);

        var listed = await ApiHost.Send(self, HttpMethod.Get, "/v1/tenant/keys", null, HttpStatusCode.OK);
        AssertNoSecrets(listed);
        Assert.Equal(new[] { (string?)first["id"], (string?)made["id"] }.Order(), listed["items"]!.AsArray().Select(k => (string?)k!["id"]).Order());

        // Another tenant's key is not found from here, and stays valid.
        var wrong = await ApiHost.Send(self, HttpMethod.Delete, $"/v1/tenant/keys/{(string)neighbours["id"]!}", null, HttpStatusCode.NotFound);
        Assert.Equal("key_not_found", (string?)wrong["code"]);
        using var neighbour = _api.As((string)neighbours["key"]!);
        await ApiHost.Send(neighbour, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.OK);

        // Revoking its own new key refuses it at once; operators cannot use the tenant's endpoints.
        await ApiHost.Send(self, HttpMethod.Delete, $"/v1/tenant/keys/{(string)made["id"]!}", null, HttpStatusCode.NoContent);
        await ApiHost.Send(deploy, HttpMethod.Get, "/v1/domains", null, HttpStatusCode.Unauthorized);
        await _api.Send(HttpMethod.Get, "/v1/tenant/keys", null, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Operator_keys_are_listed_and_revoked_but_never_the_last_one()
    {
        var first = Assert.Single((await _api.Send(HttpMethod.Get, "/v1/keys", null, HttpStatusCode.OK))["items"]!.AsArray());
        var firstId = (string)first!["id"]!;
        Assert.Equal("admin", (string?)first["role"]);

        var lastOne = await _api.Send(HttpMethod.Delete, $"/v1/keys/{firstId}", null, HttpStatusCode.Conflict);
        Assert.Equal("last_admin_key", (string?)lastOne["code"]);
        Assert.Contains("POST /v1/keys", (string?)lastOne["detail"]);

        var second = await _api.Send(HttpMethod.Post, "/v1/keys", ApiHost.Json(new { label = "automation" }), HttpStatusCode.Created);
        using var automation = _api.As((string)second["key"]!);
        var listed = await ApiHost.Send(automation, HttpMethod.Get, "/v1/keys", null, HttpStatusCode.OK);
        AssertNoSecrets(listed);
        Assert.Equal(2, listed["items"]!.AsArray().Count);

        // With another operator key in hand, the first can go; it is refused at once.
        await ApiHost.Send(automation, HttpMethod.Delete, $"/v1/keys/{firstId}", null, HttpStatusCode.NoContent);
        await _api.Send(HttpMethod.Get, "/v1/zones", null, HttpStatusCode.Unauthorized);
        var last = await ApiHost.Send(automation, HttpMethod.Delete, $"/v1/keys/{(string)second["id"]!}", null, HttpStatusCode.Conflict);
        Assert.Equal("last_admin_key", (string?)last["code"]);
        var notOperator = await ApiHost.Send(automation, HttpMethod.Delete, "/v1/keys/key_0000000000000000", null, HttpStatusCode.NotFound);
        Assert.Equal("key_not_found", (string?)notOperator["code"]);
    }
}
