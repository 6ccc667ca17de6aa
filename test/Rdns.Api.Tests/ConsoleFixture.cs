using System.Net;
using Microsoft.Playwright;

namespace Rdns.Api.Tests;

/// <summary>
/// One server, one knotd (the forward resolver) and one Debian chromium shared by the tests of a
/// console test class: each test uses addresses and tenants of its own, so they do not meet.
/// Chromium is installed by ./test.sh; Playwright cannot download browsers here.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public ForwardKnot Knot { get; private set; } = null!;

    public ApiHost Api { get; private set; } = null!;

    private IPlaywright _playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium package");
        Knot = await ForwardKnot.StartAsync("example.test.", "other A 198.51.100.7\n");
        Api = await ApiHost.StartAsync(configure: s =>
        {
            s.Resolver = Knot.Endpoint;
            s.Tenants.CoolDown = TimeSpan.Zero;
        });
        await Api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "203.0.113.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." }), HttpStatusCode.Created);
        await Api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "2001:db8::/32", defaultPtr = "ip-{ip}.v6pool.rdns.test." }), HttpStatusCode.Created);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Api.DisposeAsync();
        await Knot.DisposeAsync();
    }

    public string Base => Api.Http.BaseAddress!.ToString().TrimEnd('/');

    public async Task<(string Id, string Key)> TenantHoldingAsync(string name, params string[] prefixes)
    {
        var id = (string)(await Api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name }), HttpStatusCode.Created))["id"]!;
        var key = (string)(await Api.Send(HttpMethod.Post, $"/v1/tenants/{id}/keys", null, HttpStatusCode.Created))["key"]!;
        foreach (var prefix in prefixes)
            await Api.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant = id, prefix }), HttpStatusCode.Created);
        return (id, key);
    }

    /// <summary>A new browser context (its own cookies) signed in with <paramref name="key"/>.</summary>
    public async Task<IPage> SignInAsync(string key, string? screenshot = null, int width = 1000, int height = 700)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Base + "/");
        if (screenshot is not null)
            await Screenshot(page, screenshot);
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        return page;
    }

    public static async Task Screenshot(IPage page, string name)
    {
        // RDNS_SCREENSHOTS=1 refreshes the pictures of docs/CONSOLE.md; otherwise they go to a
        // scratch folder, so a test run leaves the checkout as it found it.
        var dir = Environment.GetEnvironmentVariable("RDNS_SCREENSHOTS") == "1"
            ? Path.Combine(Rdns.Interop.Tests.Support.RepoRoot.Path, "docs", "console")
            : Path.Combine(Path.GetTempPath(), "rdns-console-screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    /// <summary>The page's "done" message after a form, or a failure quoting the page's error.</summary>
    public static async Task<string> DoneAsync(IPage page)
    {
        await page.WaitForSelectorAsync("#done, #error");
        if (await page.Locator("#error").CountAsync() > 0)
            Assert.Fail($"{page.Url}: {await page.InnerTextAsync("#error")}");
        return await page.InnerTextAsync("#done");
    }

    /// <summary>What the server's DNS answers for the PTR of <paramref name="ip"/>, asked with kdig.</summary>
    public async Task<string> KdigPtrAsync(string ip) =>
        (await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {Api.DnsEndpoint.Port} +short -x {ip}")).Output.Trim();

    /// <summary>A form post that carries the session cookie but no antiforgery token: a cross-site form's situation.</summary>
    public async Task<int> PostWithoutTokenAsync(IPage page, string path, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (n, v) in fields)
            form.Set(n, v);
        var response = await page.APIRequest.PostAsync(Base + path, new APIRequestContextOptions { Multipart = form });
        return response.Status;
    }
}
