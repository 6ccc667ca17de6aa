using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Rdns.Api.Tests;

/// <summary>
/// Query parameters: a value that does not parse and a parameter the endpoint does not take are
/// 400 Problem Details naming the parameter; every list pages with limit, after and next.
/// </summary>
public sealed class ListingTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("/v1/zones?limit=abc", "limit", "is not an integer")]
    [InlineData("/v1/tenants?limit=1.5", "limit", "is not an integer")]
    [InlineData("/v1/allocations?released=maybe", "released", "true or false")]
    public async Task A_value_that_does_not_parse_is_a_problem_naming_the_parameter(string path, string parameter, string rule)
    {
        var problem = await _api.Send(HttpMethod.Get, path, null, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_parameter", (string?)problem["code"]);
        Assert.Equal(parameter, (string?)problem["field"]);
        Assert.Contains(rule, (string?)problem["detail"]);
    }

    /// <summary>
    /// A path value that does not parse would be answered by the Native AOT build's generated
    /// request delegates with an empty 400 (the JIT build's binder throws, and that becomes Problem
    /// Details); query values are checked before binding (<c>QueryParameterGuard</c>), path values
    /// are not, because every path value is a name, an address or an id taken as text and checked
    /// by the handler. A typed path value (<c>long id</c>, <c>{id:int}</c>) would need that check too.
    /// </summary>
    [Fact]
    public void Every_path_value_of_every_endpoint_is_taken_as_text()
    {
        var endpoints = _api.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().ToList();
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/v1/ptr/{ip}");
        var typed = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var handler = endpoint.Metadata.GetMetadata<System.Reflection.MethodInfo>();
            // A catch-all (the fallbacks' {*path:nonfile}) binds nothing: a value its constraint refuses is no match, a 404.
            foreach (var parameter in endpoint.RoutePattern.Parameters.Where(p => !p.IsCatchAll))
            {
                if (parameter.ParameterPolicies.Count > 0)
                    typed.Add($"{endpoint.RoutePattern.RawText}: {parameter.Name} has a constraint");
                var bound = handler?.GetParameters().FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                if (bound is not null && bound.ParameterType != typeof(string))
                    typed.Add($"{endpoint.RoutePattern.RawText}: {parameter.Name} is {bound.ParameterType.Name}");
            }
        }
        Assert.Empty(typed);
    }

    [Theory]
    [InlineData("/v1/zones?limt=5", "limt", "limit, after")]
    [InlineData("/v1/allocations?tennant=ten_1", "tennant", "tenant, released, limit, after")]
    [InlineData("/v1/zones/2.0.192.in-addr.arpa?name=x", "name", "view")]
    [InlineData("/v1/audit?zone=example.&who=me", "who", "zone, tenant, ip, action, limit, after")]
    public async Task An_unknown_query_parameter_is_refused_not_ignored(string path, string parameter, string known)
    {
        var problem = await _api.Send(HttpMethod.Get, path, null, HttpStatusCode.BadRequest);
        Assert.Equal("unknown_parameter", (string?)problem["code"]);
        Assert.Equal(parameter, (string?)problem["field"]);
        Assert.Contains(known, (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("/v1/tenants?limit=0", "limit")]
    [InlineData("/v1/tenants?limit=1001", "limit")]
    [InlineData("/v1/tenants?after=%21%21", "after")]
    [InlineData("/v1/audit?ip=300.1.1.1", "ip")]
    [InlineData("/v1/audit?zone=bad..name", "zone")]
    [InlineData("/v1/allocations?tenant=ten%20x", "tenant")]
    public async Task Filters_and_pages_are_validated(string path, string field)
    {
        var problem = await _api.Send(HttpMethod.Get, path, null, HttpStatusCode.BadRequest);
        Assert.Equal("validation_failed", (string?)problem["code"]);
        Assert.Equal(field, (string?)problem["field"]);
    }

    [Fact]
    public async Task Every_tenant_is_seen_once_across_pages_even_when_one_is_added_between_pages()
    {
        var ids = new List<string>();
        for (int i = 0; i < 5; i++)
            ids.Add((string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = $"t{i}" }), HttpStatusCode.Created))["id"]!);
        var first = await _api.Send(HttpMethod.Get, "/v1/tenants?limit=2", null, HttpStatusCode.OK);
        Assert.Equal(2, first["items"]!.AsArray().Count);
        var seen = first["items"]!.AsArray().Select(t => (string)t!["id"]!).ToList();
        var late = (string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "late" }), HttpStatusCode.Created))["id"]!;
        string? next = (string?)first["next"];
        while (next is not null)
        {
            var page = await _api.Send(HttpMethod.Get, $"/v1/tenants?limit=2&after={Uri.EscapeDataString(next)}", null, HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(t => (string)t!["id"]!));
            next = (string?)page["next"];
        }
        Assert.Equal(ids.Append(late), seen);
    }
}
