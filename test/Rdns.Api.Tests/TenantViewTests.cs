using System.Net;
using System.Net.Sockets;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

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
}
