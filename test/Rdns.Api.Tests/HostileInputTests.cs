using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Rdns.Api.Tests;

/// <summary>
/// Requests an attacker (or a careless script) sends: each is refused with a 4xx Problem Details
/// that names what is wrong, never a 500, and changes nothing.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(configure: s => s.Import.ApiRecords = 100_000);
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<uint> SerialAsync() =>
        (uint)(await _api.Send(HttpMethod.Get, "/v1/zones/2.0.192.in-addr.arpa", null, HttpStatusCode.OK))["serial"]!;

    private Task<JsonNode> Import(string text, HttpStatusCode expected) =>
        _api.Send(HttpMethod.Post, "/v1/zones/2.0.192.in-addr.arpa/import", new StringContent(text), expected);

    private const string Head = "$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n";

    [Fact]
    public async Task A_generate_offset_at_the_edge_of_a_64_bit_number_is_a_zone_file_error_naming_the_line()
    {
        var serial = await SerialAsync();
        var problem = await Import(Head + "$GENERATE 1-2 ${-9223372036854775808} PTR host$.example.\n", HttpStatusCode.UnprocessableEntity);
        Assert.Equal("zone_file_error", (string?)problem["code"]);
        Assert.Equal(5, (int)problem["line"]!);
        Assert.Contains("${-9223372036854775808}", (string?)problem["detail"]);
        Assert.Equal(serial, await SerialAsync());
    }

    [Fact]
    public async Task A_few_kilobytes_of_generate_lines_cannot_expand_past_the_record_limit()
    {
        var serial = await SerialAsync();
        var text = Head + string.Join("\n", Enumerable.Range(0, 16).Select(i => $"$GENERATE 0-65535 ${{0,0,x}}.{i}.x PTR h$.example.")) + "\n";
        Assert.True(text.Length < 4096);
        var problem = await Import(text, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("too_many_records", (string?)problem["code"]);
        Assert.Equal(100_000, (long)problem["limit"]!);
        Assert.Equal(6, (int)problem["line"]!);
        Assert.Contains("Import:ApiRecords", (string?)problem["detail"]);
        Assert.Equal(serial, await SerialAsync());
    }

    [Theory]
    [InlineData("""{"ptrdname":"host.example.","ttl":"60"}""", "$.ttl", "wrong type")]
    [InlineData("""{"ptrdname":"host.example.","ttl":60,"ttl":7}""", "ttl", "given twice")]
    [InlineData("""{"ptrdname":"evil.example.","ptrdname":"host.example."}""", "ptrdname", "given twice")]
    public async Task Json_numbers_are_numbers_and_a_member_is_given_once(string body, string member, string rule)
    {
        var serial = await SerialAsync();
        var problem = await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.9", ApiHost.RawJson(body), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_json", (string?)problem["code"]);
        Assert.Contains(member, (string?)problem["detail"]);
        Assert.Contains(rule, (string?)problem["detail"]);
        Assert.Equal(serial, await SerialAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_json_body_must_say_it_is_json(string? contentType)
    {
        var serial = await SerialAsync();
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"ptrdname":"host.example."}"""));
        if (contentType is not null)
            body.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var problem = await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.9", body, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("unsupported_media_type", (string?)problem["code"]);
        Assert.Contains("application/json", (string?)problem["detail"]);
        Assert.Equal(serial, await SerialAsync());
        // With a charset it is JSON all the same.
        var json = new StringContent("""{"ptrdname":"host.example."}""", Encoding.UTF8, "application/json");
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.9", json, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Retry_after_is_the_time_until_the_next_request_is_allowed()
    {
        // 120 a minute: a new request is allowed every half second, so a refused one waits 1 s, not 60.
        await using var limited = await ApiHost.StartAsync(configure: s => s.Tenants.RequestsPerMinute = 120);
        var t = await limited.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "busy" }), HttpStatusCode.Created);
        var key = await limited.Send(HttpMethod.Post, $"/v1/tenants/{(string)t["id"]!}/keys", null, HttpStatusCode.Created);
        using var client = limited.As((string)key["key"]!);
        HttpResponseMessage? refused = null;
        for (int i = 0; i < 400 && refused is null; i++)
        {
            var response = await client.GetAsync("/v1/domains");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                refused = response;
            else
                response.Dispose();
        }
        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("retry after 1 s", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var again = await client.GetAsync("/v1/domains");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
