using System.Net;
using System.Text.Json.Nodes;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

public sealed class ZonesApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task<JsonNode> Create(object body, HttpStatusCode expected = HttpStatusCode.Created) =>
        _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(body), expected);

    [Fact]
    public async Task A_zone_created_by_prefix_is_served_at_once()
    {
        var zone = await Create(new { prefix = "192.0.2.0/24" });
        Assert.Equal("2.0.192.in-addr.arpa.", (string?)zone["name"]);
        Assert.Equal("192.0.2.0/24", (string?)zone["prefix"]);
        var soa = _api.Dns("2.0.192.in-addr.arpa.", RecordType.SOA);
        Assert.Equal(0, soa.Rcode);
        Assert.True(soa.Has(HeaderFlags.AA));
        Assert.Equal("ns1.example.net.", Rdata.ReadName(_api.Dns("2.0.192.in-addr.arpa.", RecordType.NS).Answers[0].Data).ToString());
    }

    [Fact]
    public async Task A_prefix_needing_several_zones_is_refused_with_the_plan()
    {
        var problem = await Create(new { prefix = "10.0.0.0/20" }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("prefix_needs_several_zones", (string?)problem["code"]);
        Assert.Equal(16, problem["plan"]!.AsArray().Count);
        Assert.Equal("0.0.10.in-addr.arpa.", (string?)problem["plan"]![0]);
    }

    [Fact]
    public async Task Names_work_with_or_without_the_trailing_dot_and_duplicates_conflict()
    {
        await Create(new { name = "2.0.192.in-addr.arpa" });
        var again = await Create(new { name = "2.0.192.IN-ADDR.ARPA." }, HttpStatusCode.Conflict);
        Assert.Equal("zone_exists", (string?)again["code"]);
        var got = await _api.Send(HttpMethod.Get, "/v1/zones/2.0.192.in-addr.arpa", null, HttpStatusCode.OK);
        Assert.Equal("2.0.192.in-addr.arpa.", (string?)got["name"]);
        await _api.Send(HttpMethod.Delete, "/v1/zones/2.0.192.in-addr.arpa.", null, HttpStatusCode.NoContent);
        Assert.Equal((int)Rcode.Refused, _api.Dns("2.0.192.in-addr.arpa.", RecordType.SOA).Rcode);
        var gone = await _api.Send(HttpMethod.Get, "/v1/zones/2.0.192.in-addr.arpa", null, HttpStatusCode.NotFound);
        Assert.Equal("zone_not_found", (string?)gone["code"]);
    }

    [Fact]
    public async Task Listing_pages_in_name_order()
    {
        for (int i = 0; i < 5; i++)
            await Create(new { prefix = $"10.0.{i}.0/24" });
        var first = await _api.Send(HttpMethod.Get, "/v1/zones?limit=2", null, HttpStatusCode.OK);
        Assert.Equal(2, first["items"]!.AsArray().Count);
        var next = (string)first["next"]!;
        var second = await _api.Send(HttpMethod.Get, $"/v1/zones?limit=10&after={next}", null, HttpStatusCode.OK);
        // The five zones and the catalog zone (RFC 9432) that lists them, in DNS order.
        var names = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(z => (string)z!["name"]!).ToList();
        Assert.Equal(6, names.Count);
        Assert.Contains("catalog.invalid.", names);
        Assert.Null(second["next"]);
    }

    [Fact]
    public async Task Rrset_changes_are_atomic_and_bump_the_serial_once()
    {
        var zone = await Create(new { prefix = "192.0.2.0/24" });
        uint serial = (uint)zone["serial"]!;
        var result = await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets", ApiHost.Json(new
        {
            rrsets = new object[]
            {
                new { name = "1", type = "PTR", ttl = 600, data = new[] { "one.example.net." } },
                new { name = "2", type = "PTR", data = new[] { "two.example.net." } },
                new { name = "note", type = "TXT", data = new[] { "\"hello world\"" } },
            },
        }), HttpStatusCode.OK);
        Assert.Equal(serial + 1, (uint)result["serial"]!);
        var answer = _api.Dns("1.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(600u, answer.Answers[0].Ttl);
        Assert.Equal(serial + 1, Rdata.SoaSerial(_api.Dns("2.0.192.in-addr.arpa.", RecordType.SOA).Answers[0].Data));

        // One bad RRset (a CNAME beside a PTR) refuses the whole request.
        var bad = await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets", ApiHost.Json(new
        {
            rrsets = new object[]
            {
                new { name = "3", type = "PTR", data = new[] { "three.example.net." } },
                new { name = "1", type = "CNAME", data = new[] { "1.128-26" } },
            },
        }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("invalid_zone_data", (string?)bad["code"]);
        Assert.Equal((int)Rcode.NXDomain, _api.Dns("3.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);
        Assert.Equal(serial + 1, Rdata.SoaSerial(_api.Dns("2.0.192.in-addr.arpa.", RecordType.SOA).Answers[0].Data));
    }

    [Fact]
    public async Task Reverse_zones_accept_only_their_types()
    {
        await Create(new { prefix = "192.0.2.0/24" });
        var a = await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets",
            ApiHost.Json(new { rrsets = new[] { new { name = "www", type = "A", data = new[] { "192.0.2.1" } } } }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("glue below a delegation", (string?)a["detail"]);
        var mx = await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets",
            ApiHost.Json(new { rrsets = new[] { new { name = "1", type = "MX", data = new[] { "10 mail.example." } } } }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not allowed in a reverse zone", (string?)mx["detail"]);
        // Glue below a delegation is fine.
        await _api.Send(HttpMethod.Patch, "/v1/zones/2.0.192.in-addr.arpa/rrsets", ApiHost.Json(new
        {
            rrsets = new object[]
            {
                new { name = "64-26", type = "NS", data = new[] { "ns.64-26" } },
                new { name = "ns.64-26", type = "A", data = new[] { "192.0.2.70" } },
            },
        }), HttpStatusCode.OK);
        var referral = _api.Dns("65.64-26.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Single(referral.Additional);
    }

    [Fact]
    public async Task Export_and_import_round_trip_and_a_broken_file_changes_nothing()
    {
        await Create(new { prefix = "192.0.2.0/24" });
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.7", ApiHost.Json(new { ptrdname = "seven.example.net" }), HttpStatusCode.OK);
        using var export = await _api.Http.GetAsync("/v1/zones/2.0.192.in-addr.arpa/export");
        var text = await export.Content.ReadAsStringAsync();
        Assert.Contains("seven.example.net.", text);
        var edited = text.Replace("seven.example.net.", "SEVEN.example.org.");
        await _api.Send(HttpMethod.Post, "/v1/zones/2.0.192.in-addr.arpa/import", new StringContent(edited), HttpStatusCode.OK);
        Assert.Equal("SEVEN.example.org.", Rdata.ReadName(_api.Dns("7.2.0.192.in-addr.arpa.", RecordType.PTR).Answers[0].Data).ToString());

        var before = await (await _api.Http.GetAsync("/v1/zones/2.0.192.in-addr.arpa/export")).Content.ReadAsStringAsync();
        var broken = edited + "\n8 IN PTR\n";
        var problem = await _api.Send(HttpMethod.Post, "/v1/zones/2.0.192.in-addr.arpa/import", new StringContent(broken), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("zone_file_error", (string?)problem["code"]);
        Assert.NotNull(problem["line"]);
        var after = await (await _api.Http.GetAsync("/v1/zones/2.0.192.in-addr.arpa/export")).Content.ReadAsStringAsync();
        Assert.Equal(before, after);
    }
}
