using System.Net;
using System.Text.Json.Nodes;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

public sealed class PtrApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync();
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "2001:db8:ff00::/48" }), HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_ptr_set_through_the_api_is_answered_in_dns_when_the_call_returns()
    {
        var set = await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.10", ApiHost.Json(new { ptrdname = "Mail.Example.NET" }), HttpStatusCode.OK);
        Assert.Equal("mail.example.net.", (string?)set["ptrdname"]);
        var answer = _api.Dns("10.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal("mail.example.net.", Rdata.ReadName(answer.Answers[0].Data).ToString());
        var got = await _api.Send(HttpMethod.Get, "/v1/ptr/192.0.2.10", null, HttpStatusCode.OK);
        Assert.Equal("10.2.0.192.in-addr.arpa.", (string?)got["name"]);
        await _api.Send(HttpMethod.Delete, "/v1/ptr/192.0.2.10", null, HttpStatusCode.NoContent);
        Assert.Equal((int)Rcode.NXDomain, _api.Dns("10.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);
        var missing = await _api.Send(HttpMethod.Get, "/v1/ptr/192.0.2.10", null, HttpStatusCode.NotFound);
        Assert.Equal("ptr_not_found", (string?)missing["code"]);
    }

    [Fact]
    public async Task Ipv6_ptrs_land_in_the_nibble_zone()
    {
        await _api.Send(HttpMethod.Put, "/v1/ptr/2001:db8:ff00:1::53", ApiHost.Json(new { ptrdname = "ns.example.net." }), HttpStatusCode.OK);
        var name = "3.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa.";
        Assert.Equal("ns.example.net.", Rdata.ReadName(_api.Dns(name, RecordType.PTR).Answers[0].Data).ToString());
    }

    [Fact]
    public async Task An_rfc_2317_alias_is_followed_into_the_hosted_child()
    {
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.128/26" }), HttpStatusCode.Created);
        await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets", ApiHost.Json(new
        {
            rrsets = new object[]
            {
                new { name = "128-26", type = "NS", data = new[] { "ns1.example.net." } },
                new { name = "129", type = "CNAME", data = new[] { "129.128-26" } },
            },
        }), HttpStatusCode.OK);
        var set = await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.129", ApiHost.Json(new { ptrdname = "www.contoso.com" }), HttpStatusCode.OK);
        Assert.Equal("128-26.2.0.192.in-addr.arpa.", (string?)set["zone"]);
        Assert.Equal("129.128-26.2.0.192.in-addr.arpa.", (string?)set["name"]);
        Assert.Equal("www.contoso.com.", Rdata.ReadName(_api.Dns("129.128-26.2.0.192.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());
    }

    [Theory]
    [InlineData("/v1/ptr/198.51.100.1", "{\"ptrdname\":\"x.example.\"}", 404, "no_zone_for_address")]
    [InlineData("/v1/ptr/300.1.1.1", "{\"ptrdname\":\"x.example.\"}", 400, "validation_failed")]
    [InlineData("/v1/ptr/fe80::1%25eth0", "{\"ptrdname\":\"x.example.\"}", 400, "validation_failed")]
    [InlineData("/v1/ptr/192.0.2.1", "{\"ptrdname\":\"bad_name.example.\"}", 400, "validation_failed")]
    [InlineData("/v1/ptr/192.0.2.1", "{\"ptrdname\":\"-bad.example.\"}", 400, "validation_failed")]
    [InlineData("/v1/ptr/192.0.2.1", "{\"ptrdname\":", 400, "invalid_json")]
    [InlineData("/v1/ptr/192.0.2.1", "{\"ptrdname\":\"x.example.\",\"extra\":1}", 400, "invalid_json")]
    [InlineData("/v1/ptr/192.0.2.1", "{\"ptrdname\":42}", 400, "invalid_json")]
    [InlineData("/v1/ptr/192.0.2.1", "{}", 400, "validation_failed")]
    [InlineData("/v1/ptr/192.0.2.1", "{\"ptrdname\":\"x.example.\",\"ttl\":4294967295}", 400, "validation_failed")]
    public async Task Bad_requests_name_the_problem_and_change_nothing(string path, string body, int status, string code)
    {
        var before = await Snapshot();
        var problem = await _api.Send(HttpMethod.Put, path, ApiHost.RawJson(body), (HttpStatusCode)status);
        Assert.Equal(code, (string?)problem["code"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_problem_details()
    {
        var huge = "{\"items\":[" + string.Join(',', Enumerable.Repeat("{\"ip\":\"192.0.2.1\",\"ptrdname\":\"" + new string('a', 60) + ".example.\"}", 400_000)) + "]}";
        // Expect: 100-continue lets the client hear the refusal before sending 40 MB it would be cut off in.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ptr") { Content = ApiHost.RawJson(huge) };
        request.Headers.ExpectContinue = true;
        using var response = await _api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("body_too_large", (string?)problem["code"]);
    }

    [Fact]
    public async Task Bulk_sets_thousands_atomically_or_nothing()
    {
        var items = Enumerable.Range(0, 256).Select(i => new { ip = $"192.0.2.{i}", ptrdname = $"host-{i}.example.net." })
            .Concat(Enumerable.Range(0, 5000).Select(i => new { ip = $"2001:db8:ff00::{i:x}", ptrdname = $"v6-{i}.example.net." }))
            .ToList();
        var result = await _api.Send(HttpMethod.Post, "/v1/ptr", ApiHost.Json(new { items }), HttpStatusCode.OK);
        Assert.Equal(2, result["zones"]!.AsArray().Count);
        Assert.Equal("host-200.example.net.", Rdata.ReadName(_api.Dns("200.2.0.192.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());

        var before = await Snapshot();
        var bad = items.Select(i => new { i.ip, ptrdname = i.ptrdname.Replace("host-", "new-") }).ToList();
        bad.Add(new { ip = "198.51.100.1", ptrdname = "outside.example." });
        var problem = await _api.Send(HttpMethod.Post, "/v1/ptr", ApiHost.Json(new { items = bad }), HttpStatusCode.NotFound);
        Assert.Equal("no_zone_for_address", (string?)problem["code"]);
        Assert.Contains("items[5256]", (string?)problem["detail"]);
        Assert.Equal(before, await Snapshot());
    }

    private async Task<string> Snapshot()
    {
        var a = await (await _api.Http.GetAsync("/v1/zones/2.0.192.in-addr.arpa/export")).Content.ReadAsStringAsync();
        var b = await (await _api.Http.GetAsync("/v1/zones/0.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa/export")).Content.ReadAsStringAsync();
        return a + b;
    }
}
