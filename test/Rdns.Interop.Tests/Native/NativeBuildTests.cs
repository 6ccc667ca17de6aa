using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Native;

/// <summary>
/// What the Native AOT build of <c>./rdns</c> must still do without a JIT or reflection over
/// unknown types: render the console's Razor components, read and write the API's JSON (errors
/// as Problem Details naming the field), serve the OpenAPI document, and run the CLI's verbs
/// through the API. The launcher builds Native AOT when it can; these tests hold for any build it
/// falls back to, and say which one ran.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class NativeBuildTests : IAsyncLifetime
{
    private const string Zone = "2.0.192.in-addr.arpa";

    private RdnsServer _server = null!;

    public async Task InitializeAsync() => _server = await RdnsServer.StartAsync(null, []);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();

    private HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = _server.Http, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        return http;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_launcher_says_which_build_it_made()
    {
        await RdnsProcess.EnsureBuiltAsync();
        var kind = (await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, ".build", "rdns", ".kind"))).Trim();
        Assert.Contains(kind, new[] { "aot", "r2r", "jit" });
        // A native build carries no runtime: the process maps no coreclr.
        var maps = await File.ReadAllTextAsync($"/proc/{_server.ProcessId}/maps");
        Assert.Equal(kind != "aot", maps.Contains("libcoreclr.so", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_executable_copied_away_from_its_libraries_names_what_is_missing()
    {
        await RdnsProcess.EnsureBuiltAsync();
        string built = Path.Combine(RepoRoot.Path, ".build", "rdns");
        var kind = (await File.ReadAllTextAsync(Path.Combine(built, ".kind"))).Trim();
        string alone = Directory.CreateTempSubdirectory("rdns-alone-").FullName;
        try
        {
            File.Copy(Path.Combine(built, "rdns"), Path.Combine(alone, "rdns"));
            File.SetUnixFileMode(Path.Combine(alone, "rdns"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var run = await ProcessRunner.RunAsync(Path.Combine(alone, "rdns"),
                ["serve", "--data", Path.Combine(alone, "data"), "--dns", "127.0.0.1:9", "--http", "127.0.0.1:9"], RdnsProcess.Timeout);
            Assert.True(run.ExitCode != 0, run.ToString());
            // The native build loads SQLite's library from beside itself; the other builds need their assemblies.
            Assert.Contains(kind == "aot" ? "e_sqlite3" : "rdns.dll", run.Stderr);
            if (kind == "aot")
                Assert.Contains("copy the whole directory", run.Stderr);
            Assert.DoesNotContain("type initializer", run.Stderr);
        }
        finally
        {
            Directory.Delete(alone, recursive: true);
        }
    }

    [Fact]
    public async Task The_console_signs_in_and_renders_its_pages()
    {
        using var http = Api();
        using (var created = await http.PostAsync("/v1/zones", Json($$"""{"name": "{{Zone}}"}""")))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var console = new HttpClient(handler) { BaseAddress = _server.Http, Timeout = TimeSpan.FromSeconds(30) };
        var form = await console.GetStringAsync("/");
        Assert.Contains("<title>", form);
        Assert.Contains("Sign in with an API key", form);
        var token = TokenInput().Match(form).Groups[1].Value;
        Assert.NotEmpty(token);

        // A wrong key: the page again, with its error (a component parameter), and 401.
        using (var wrong = await console.PostAsync("/console/sign-in", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["key"] = "rdns_not_a_key", ["__RequestVerificationToken"] = token })))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("That key is not valid or has been revoked.", await wrong.Content.ReadAsStringAsync());
        }

        using (var signIn = await console.PostAsync("/console/sign-in", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["key"] = _server.AdminKey, ["__RequestVerificationToken"] = token })))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal("/console/audit", signIn.Headers.Location?.OriginalString);
        }

        foreach (var (path, text) in new[]
        {
            ("/console/audit", "zone.create"),
            ("/console/zones", Zone),
            ($"/console/zones/{Zone}", "SOA"),
            ("/console/pools", "<form"),
            ("/console/tenants", "<form"),
            ("/console/keys", "<form"),
            ("/console/delegate?prefix=192.0.2.0/26&ns=ns1.example.net.", "26"),
        })
        {
            using var page = await console.GetAsync(path);
            var html = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{path}: {(int)page.StatusCode} {html}");
            Assert.Contains("<html", html);
            Assert.Contains(text, html);
        }

        // A form post through the console: a pool, rendered back in the list.
        var poolsForm = await console.GetStringAsync("/console/pools");
        using (var pool = await console.PostAsync("/console/pools", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["prefix"] = "198.51.100.0/24",
            ["defaultPtr"] = "ip-{ip}.pool.example.net.",
            ["__RequestVerificationToken"] = TokenInput().Match(poolsForm).Groups[1].Value,
        })))
        {
            var html = await pool.Content.ReadAsStringAsync();
            Assert.True(pool.StatusCode == HttpStatusCode.OK, html);
            Assert.Contains("198.51.100.0/24", html);
        }
    }

    [Fact]
    public async Task The_api_reads_and_writes_json_and_names_the_field_of_an_error()
    {
        using var http = Api();
        using (var created = await http.PostAsync("/v1/zones", Json($$"""{"name": "{{Zone}}", "nameServers": ["ns1.example.net."]}""")))
        {
            var zone = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(Zone + ".", (string?)zone["name"]);
        }

        using (var set = await http.PutAsync("/v1/ptr/192.0.2.7", Json("""{"ptrdname": "host.example.net", "ttl": 600}""")))
        {
            var ptr = JsonNode.Parse(await set.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.Equal("host.example.net.", (string?)ptr["ptrdname"]);
            Assert.Equal(600u, (uint)ptr["ttl"]!);
            Assert.Equal("7.2.0.192.in-addr.arpa.", (string?)ptr["name"]);
        }
        var got = JsonNode.Parse(await http.GetStringAsync("/v1/ptr/192.0.2.7"))!;
        Assert.Equal("host.example.net.", (string?)got["ptrdname"]);
        var listed = JsonNode.Parse(await http.GetStringAsync("/v1/zones"))!;
        Assert.Contains(listed["items"]!.AsArray(), z => (string?)z!["name"] == Zone + ".");

        // The name served over DNS is the one the API wrote.
        var kdig = ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig not installed");
        var answer = await ProcessRunner.RunAsync(kdig, ["@127.0.0.1", "-p", _server.Dns.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+short", "-x", "192.0.2.7"], TimeSpan.FromSeconds(10));
        Assert.Equal("host.example.net.", answer.Stdout.Trim());

        // A rule broken: Problem Details with the code and the field.
        await AssertProblemAsync(await http.PutAsync("/v1/ptr/192.0.2.8", Json("""{"ptrdname": ""}""")), 400, "validation_failed", "ptrdname");
        // A string where a number belongs: the JSON path of the member.
        await AssertProblemAsync(await http.PutAsync("/v1/ptr/192.0.2.8", Json("""{"ptrdname": "a.example.net", "ttl": "60"}""")), 400, "invalid_json", "$.ttl");
        // A member the request does not have.
        await AssertProblemAsync(await http.PutAsync("/v1/ptr/192.0.2.8", Json("""{"ptrdname": "a.example.net", "color": "red"}""")), 400, "invalid_json", "$.color");
        // A query value that does not bind.
        await AssertProblemAsync(await http.GetAsync("/v1/zones?limit=abc"), 400, "invalid_parameter", "limit");
        // Not found, and an unknown endpoint.
        await AssertProblemAsync(await http.GetAsync("/v1/ptr/198.51.100.1"), 404, "no_zone_for_address", null);
        await AssertProblemAsync(await http.GetAsync("/v1/nothing-here"), 404, "not_found", null);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string code, string? field)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(text)!;
            Assert.Equal(code, (string?)problem["code"]);
            Assert.Equal(status, (int)problem["status"]!);
            Assert.False(string.IsNullOrEmpty((string?)problem["title"]), text);
            if (field is not null)
                Assert.Equal(field, (string?)problem["field"]);
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var http = new HttpClient { BaseAddress = _server.Http, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString());
        Assert.Equal("Rdns API", root.GetProperty("info").GetProperty("title").GetString());
        var setPtr = root.GetProperty("paths").GetProperty("/v1/ptr/{ip}").GetProperty("put");
        Assert.Equal("SetPtr", setPtr.GetProperty("operationId").GetString());
        Assert.True(setPtr.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Contains("no_zone_for_address", setPtr.GetProperty("responses").GetProperty("404").GetProperty("description").GetString());
        var schemas = root.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("PtrView").GetProperty("properties").TryGetProperty("ptrdname", out _), text);
        Assert.True(schemas.GetProperty("ProblemDetails").GetProperty("properties").TryGetProperty("code", out _), text);
    }

    [Fact]
    public async Task The_cli_verbs_work_through_the_api()
    {
        var version = await RdnsProcess.RunAsync("version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("rdns ", version.Stdout);

        string[] api = ["--api", _server.Http!.ToString(), "--key", _server.AdminKey];
        var created = await RdnsProcess.RunAsync(["zone", "create", "192.0.2.0/24", "--ns", "ns1.example.net.", .. api]);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains(Zone + ".", created.Stdout);

        var listed = await RdnsProcess.RunAsync(["zone", "list", "--json", .. api]);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var zones = JsonNode.Parse(listed.Stdout)!.AsArray();
        Assert.Contains(zones, z => (string?)z!["name"] == Zone + ".");

        var pool = await RdnsProcess.RunAsync(["pool", "create", "198.51.100.0/24", "--default-ptr", "ip-{ip}.pool.example.net.", "--ttl", "300", .. api]);
        Assert.True(pool.ExitCode == 0, pool.ToString());
        Assert.Contains("198.51.100.0/24", pool.Stdout);

        // An error from the API: one line naming the code, exit code 2.
        var again = await RdnsProcess.RunAsync(["zone", "create", Zone, .. api]);
        Assert.Equal(2, again.ExitCode);
        Assert.Single(again.Stderr.Trim().Split('\n'));

        var exported = await RdnsProcess.RunAsync(["zone", "export", Zone, .. api]);
        Assert.True(exported.ExitCode == 0, exported.ToString());
        Assert.Contains("SOA", exported.Stdout);
    }
}
