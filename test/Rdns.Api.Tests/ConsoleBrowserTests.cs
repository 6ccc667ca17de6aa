using System.Net;
using Microsoft.Playwright;

namespace Rdns.Api.Tests;

/// <summary>
/// The web console in a real browser: Debian's chromium driven by Playwright (installed by
/// ./test.sh; Playwright cannot download browsers here), a real knotd as the forward resolver and
/// kdig reading the answer. Screenshots of the pages go to docs/console/ for docs/CONSOLE.md.
/// </summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private ForwardKnot _knot = null!;
    private ApiHost _api = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium package");
        _knot = await ForwardKnot.StartAsync("example.test.", "other A 198.51.100.7\n");
        _api = await ApiHost.StartAsync(configure: s =>
        {
            s.Resolver = _knot.Endpoint;
            s.Tenants.CoolDown = TimeSpan.Zero;
        });
        await _api.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "203.0.113.0/24", defaultPtr = "ip-{ip}.pool.rdns.test." }), HttpStatusCode.Created);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _api.DisposeAsync();
        await _knot.DisposeAsync();
    }

    private string Base => _api.Http.BaseAddress!.ToString().TrimEnd('/');

    private async Task<(string Id, string Key)> TenantHoldingAsync(string name, string prefix)
    {
        var id = (string)(await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name }), HttpStatusCode.Created))["id"]!;
        var key = (string)(await _api.Send(HttpMethod.Post, $"/v1/tenants/{id}/keys", null, HttpStatusCode.Created))["key"]!;
        await _api.Send(HttpMethod.Post, "/v1/allocations", ApiHost.Json(new { tenant = id, prefix }), HttpStatusCode.Created);
        return (id, key);
    }

    private async Task<IPage> SignInAsync(string key, string? screenshot = null)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 700 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Base + "/");
        if (screenshot is not null)
            await Screenshot(page, screenshot);
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        return page;
    }

    private static async Task Screenshot(IPage page, string name)
    {
        // RDNS_SCREENSHOTS=1 refreshes the pictures of docs/CONSOLE.md; otherwise they go to a
        // scratch folder, so a test run leaves the checkout as it found it.
        var dir = Environment.GetEnvironmentVariable("RDNS_SCREENSHOTS") == "1"
            ? Path.Combine(Rdns.Interop.Tests.Support.RepoRoot.Path, "docs", "console")
            : Path.Combine(Path.GetTempPath(), "rdns-console-screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    [Fact]
    public async Task A_tenant_sees_why_a_ptr_fails_the_forward_check_fixes_it_and_sees_it_confirmed()
    {
        var (_, key) = await TenantHoldingAsync("Acme", "203.0.113.10/32");
        var page = await SignInAsync(key, "sign-in");
        Assert.EndsWith("/console/addresses", page.Url);
        Assert.Contains("203.0.113.10/32", await page.InnerTextAsync("main"));

        await page.FillAsync("#ip", "203.0.113.10");
        await page.FillAsync("#name", "mail.example.test");
        await page.ClickAsync("button >> text=\"Set PTR\"");
        var error = await page.InnerTextAsync("#error");
        Assert.Contains("mail.example.test. does not point back to 203.0.113.10", error);
        Assert.Contains("What the forward check found: nxdomain", error);
        await Screenshot(page, "forward-check-failed");

        await _knot.UpdateAsync("add mail.example.test. 60 A 203.0.113.10");
        await page.ClickAsync("button >> text=\"Set PTR\"");
        Assert.Contains("now points to mail.example.test.", await page.InnerTextAsync("#done"));
        Assert.Equal("confirmed", await page.InnerTextAsync("#ptrs .status"));
        await Screenshot(page, "tenant-addresses");

        var kdig = await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {_api.DnsEndpoint.Port} +short -x 203.0.113.10");
        Assert.Equal("mail.example.test.", kdig.Output.Trim());

        await page.ClickAsync("button >> text=\"Reset to default\"");
        Assert.Contains("answers its default name again", await page.InnerTextAsync("#done"));
        kdig = await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {_api.DnsEndpoint.Port} +short -x 203.0.113.10");
        Assert.Equal("ip-203-0-113-10.pool.rdns.test.", kdig.Output.Trim());
    }

    [Fact]
    public async Task Revoking_the_key_ends_its_sessions()
    {
        var (tenant, key) = await TenantHoldingAsync("Epsilon", "203.0.113.40/32");
        var page = await SignInAsync(key);
        Assert.EndsWith("/console/addresses", page.Url);
        var keyId = (string)(await _api.Send(HttpMethod.Get, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.OK))["items"]![0]!["id"]!;
        await _api.Send(HttpMethod.Delete, $"/v1/tenants/{tenant}/keys/{keyId}", null, HttpStatusCode.NoContent);
        await page.ReloadAsync();
        Assert.Equal(Base + "/?ReturnUrl=%2Fconsole%2Faddresses", page.Url);
        Assert.Contains("Sign in with an API key", await page.InnerTextAsync("main"));
    }

    [Fact]
    public async Task A_tenant_cannot_reach_operator_pages_and_an_operator_sees_the_audit_rows()
    {
        var (tenant, key) = await TenantHoldingAsync("Beta", "203.0.113.20/32");
        var page = await SignInAsync(key);
        var response = await page.GotoAsync(Base + "/console/audit");
        Assert.Equal(403, response!.Status);

        var admin = await SignInAsync(_api.AdminKey);
        Assert.EndsWith("/console/audit", admin.Url);
        var audit = await admin.InnerTextAsync("#audit");
        Assert.Contains("allocation.create", audit);
        Assert.Contains("tenant.create", audit);
        Assert.Contains(tenant, audit);
        await Screenshot(admin, "operator-audit");
        var tenantPage = await admin.GotoAsync(Base + "/console/addresses");
        Assert.Equal(403, tenantPage!.Status);
    }

    [Fact]
    public async Task An_operator_creates_a_pool_a_tenant_and_an_allocation_releases_it_and_sees_the_audit_rows()
    {
        var page = await SignInAsync(_api.AdminKey);
        await page.ClickAsync("nav >> text=Pools");
        await page.FillAsync("#prefix", "198.51.100.0/24");
        await page.FillAsync("#defaultPtr", "ip-{ip}.console.rdns.test.");
        await page.ClickAsync("button >> text=\"Create pool\"");
        Assert.Contains("created with zones 100.51.198.in-addr.arpa.", await page.InnerTextAsync("#done"));
        Assert.Contains("198.51.100.0/24", await page.InnerTextAsync("#pools"));
        await Screenshot(page, "operator-pools");

        await page.ClickAsync("nav >> text=Tenants");
        await page.FillAsync("#name", "Delta");
        await page.ClickAsync("button >> text=\"Create tenant\"");
        var created = await page.InnerTextAsync("#done");
        var tenant = created[(created.IndexOf("ten_", StringComparison.Ordinal))..].TrimEnd('.');
        await page.SelectOptionAsync("#tenant", tenant);
        await page.FillAsync("#allocPrefix", "198.51.100.64/30");
        await page.ClickAsync("button >> text=\"Allocate\"");
        Assert.Contains($"198.51.100.64/30 allocated to {tenant}", await page.InnerTextAsync("#done"));
        // Refused with the API's reason: the same addresses twice.
        await page.FillAsync("#allocPrefix", "198.51.100.64/31");
        await page.ClickAsync("button >> text=\"Allocate\"");
        var refusal = await page.InnerTextAsync("main");
        Assert.True(refusal.Contains("overlaps addresses that are allocated", StringComparison.Ordinal), refusal);
        await Screenshot(page, "operator-tenants");

        await page.ClickAsync("button >> text=\"Release 198.51.100.64/30\"");
        Assert.Contains("released; 0 PTR(s) reset", await page.InnerTextAsync("#done"));
        Assert.DoesNotContain("198.51.100.64/30", await page.InnerTextAsync("#allocations"));

        await page.ClickAsync("nav >> text=Zones");
        await page.FillAsync("#q", "100.51.198");
        await page.ClickAsync("button >> text=\"Search\"");
        Assert.Contains("100.51.198.in-addr.arpa.", await page.InnerTextAsync("#zones"));
        Assert.DoesNotContain("113.0.203", await page.InnerTextAsync("#zones"));

        await page.ClickAsync("nav >> text=Audit log");
        var audit = await page.InnerTextAsync("#audit");
        foreach (var action in new[] { "pool.create", "tenant.create", "allocation.create", "allocation.release" })
            Assert.Contains(action, audit);
    }

    [Fact]
    public async Task A_form_posted_without_the_antiforgery_token_is_refused_and_a_bad_key_does_not_sign_in()
    {
        var (_, key) = await TenantHoldingAsync("Gamma", "203.0.113.30/32");
        var page = await SignInAsync(key);
        // The session cookie goes along (same origin), the token does not: a cross-site form's situation.
        var form = page.APIRequest.CreateFormData();
        form.Set("ip", "203.0.113.30");
        form.Set("name", "evil.example.");
        var forged = await page.APIRequest.PostAsync(Base + "/console/addresses/set", new APIRequestContextOptions { Form = form });
        Assert.Equal(400, forged.Status);
        Assert.Equal("ip-203-0-113-30.pool.rdns.test.", (await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {_api.DnsEndpoint.Port} +short -x 203.0.113.30")).Output.Trim());

        var stranger = await SignInAsync("rdns_not-a-key");
        Assert.Contains("not valid or has been revoked", await stranger.InnerTextAsync("main"));
        var cookies = await stranger.Context.CookiesAsync();
        Assert.DoesNotContain(cookies, c => c.Name == "rdns_session");

        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "rdns_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
    }
}
