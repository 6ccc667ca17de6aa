using System.Net;
using System.Text.Json.Nodes;

namespace Rdns.Api.Tests;

/// <summary>
/// The OpenAPI document describes the API a client can be generated from: every operation has an
/// id, schemas for the bodies it reads and returns, the status codes it really answers (201 for a
/// creation, 204 for a deletion) and its errors as Problem Details with their codes; bearer auth
/// is declared and required.
/// </summary>
public sealed class OpenApiLintTests : IAsyncLifetime
{
    private ApiHost _api = null!;
    private JsonNode _doc = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync();
        using var anonymous = _api.Anonymous();
        _doc = await ApiHost.Send(anonymous, HttpMethod.Get, "/openapi/v1.json", null, HttpStatusCode.OK);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        _doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(m => m.Key is "get" or "put" or "post" or "patch" or "delete")
            .Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    /// <summary>A schema that says something: a reference, a type, or properties.</summary>
    private static bool Described(JsonNode? schema) =>
        schema is JsonObject o && (o.ContainsKey("$ref") || o.ContainsKey("type") || o.ContainsKey("properties") || o.ContainsKey("items"));

    [Fact]
    public void Every_operation_has_an_id_schemas_for_its_bodies_and_documented_errors()
    {
        var ops = Operations().ToList();
        Assert.True(ops.Count >= 40, $"only {ops.Count} operations described");
        var failures = new List<string>();
        foreach (var (path, method, op) in ops)
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            if (op["operationId"] is null)
                failures.Add($"{where}: no operationId");
            var responses = op["responses"]?.AsObject();
            if (responses is null || responses.Count == 0)
            {
                failures.Add($"{where}: no responses");
                continue;
            }
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (success.Count == 0)
                failures.Add($"{where}: no success status");
            foreach (var (status, response) in success)
            {
                if (status == "204")
                    continue;
                var content = response!["content"]?.AsObject();
                if (content is null || content.Count == 0 || !content.All(c => Described(c.Value!["schema"])))
                    failures.Add($"{where}: {status} has no response schema");
            }
            var errors = responses.Where(r => r.Key[0] is '4' or '5').ToList();
            if (!errors.Any(e => e.Key == "401"))
                failures.Add($"{where}: 401 not documented");
            foreach (var (status, response) in errors)
            {
                var problem = response!["content"]?["application/problem+json"]?["schema"];
                if (!Described(problem))
                    failures.Add($"{where}: {status} is not Problem Details");
                if (!((string?)response["description"] ?? "").Contains("code:", StringComparison.Ordinal))
                    failures.Add($"{where}: {status} lists no error codes");
            }
            if (method is "put" or "post" or "patch" && op["requestBody"] is { } body)
            {
                if (!body["content"]!.AsObject().All(c => Described(c.Value!["schema"])))
                    failures.Add($"{where}: request body has no schema");
            }
            if (op["security"] is not JsonArray { Count: > 0 })
                failures.Add($"{where}: no security requirement");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Bearer_auth_is_declared()
    {
        var scheme = _doc["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
    }

    [Fact]
    public void Problem_details_carry_code_and_field()
    {
        var properties = _doc["components"]!["schemas"]!["ProblemDetails"]!["properties"]!.AsObject();
        Assert.True(properties.ContainsKey("code"));
        Assert.True(properties.ContainsKey("field"));
    }

    [Theory]
    [InlineData("/v1/zones", "post", "201", "CreateZoneRequest")]
    [InlineData("/v1/zones/{name}", "delete", "204", null)]
    [InlineData("/v1/pools", "post", "201", "CreatePoolRequest")]
    [InlineData("/v1/tenants/{id}", "delete", "204", null)]
    [InlineData("/v1/ptr/{ip}", "put", "200", "PtrRequest")]
    [InlineData("/v1/addresses/{ip}/reverse", "put", "200", "ReverseRequest")]
    public void Statuses_and_bodies_are_the_real_ones(string path, string method, string status, string? body)
    {
        var op = _doc["paths"]![path]![method]!;
        Assert.NotNull(op["responses"]![status]);
        Assert.Null(op["responses"]!["200"] is not null && status != "200" ? op["responses"]!["200"] : null);
        if (body is not null)
            Assert.EndsWith(body, (string?)op["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]);
    }

    [Fact]
    public void Lists_take_limit_and_after_and_answer_a_page()
    {
        foreach (var path in new[] { "/v1/zones", "/v1/pools", "/v1/tenants", "/v1/allocations", "/v1/keys", "/v1/tsig-keys", "/v1/audit", "/v1/addresses", "/v1/domains" })
        {
            var op = _doc["paths"]![path]!["get"]!;
            var names = op["parameters"]!.AsArray().Select(p => (string?)p!["name"]).ToList();
            Assert.Contains("limit", names);
            Assert.Contains("after", names);
            var schema = op["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
            Assert.NotNull(schema["$ref"]);
        }
    }
}
