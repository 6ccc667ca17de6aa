using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Rdns.Api.Tests;

public sealed class AuthApiTests : IAsyncLifetime
{
    private ApiHost _api = null!;

    public async Task InitializeAsync() => _api = await ApiHost.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_admin_key_file_is_private_to_its_owner()
    {
        var mode = File.GetUnixFileMode(Path.Combine(_api.Data, "admin.key"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task Every_endpoint_in_the_openapi_document_says_401_without_a_key_or_with_a_wrong_one()
    {
        using var anonymous = _api.Anonymous();
        var doc = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject();
        int checkedCount = 0;
        foreach (var (path, item) in paths)
        {
            var concrete = path.Replace("{name}", "2.0.192.in-addr.arpa").Replace("{ip}", "192.0.2.1").Replace("{id}", "x");
            foreach (var (method, _) in item!.AsObject())
            {
                foreach (var key in new[] { null, "rdns_wrong", _api.AdminKey + "x" })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), concrete);
                    if (key is not null)
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    request.Content = ApiHost.RawJson("{}");
                    using var response = await anonymous.SendAsync(request);
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {concrete} with key '{key}': {(int)response.StatusCode}");
                    var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    Assert.Equal("unauthorized", (string?)problem["code"]);
                    checkedCount++;
                }
            }
        }
        Assert.True(checkedCount >= 3 * 10, $"only {checkedCount} endpoint checks: is the OpenAPI document complete?");
    }
}
