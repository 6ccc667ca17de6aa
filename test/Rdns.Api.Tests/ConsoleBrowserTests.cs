using System.Net;
using Microsoft.Playwright;

namespace Rdns.Api.Tests;

/// <summary>
/// The web console in a real browser: Debian's chromium driven by Playwright (installed by
/// ./test.sh; Playwright cannot download browsers here), a real knotd as the forward resolver and
/// kdig reading the answer. Screenshots of the pages go to docs/console/ for docs/CONSOLE.md.
/// One server and browser serve the class (<see cref="ConsoleFixture"/>).
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private ApiHost Api => fixture.Api;

    private ForwardKnot Knot => fixture.Knot;

    private string Base => fixture.Base;

    private Task<(string Id, string Key)> TenantHoldingAsync(string name, params string[] prefixes) => fixture.TenantHoldingAsync(name, prefixes);

    private Task<IPage> SignInAsync(string key, string? screenshot = null) => fixture.SignInAsync(key, screenshot);

    private static Task Screenshot(IPage page, string name) => ConsoleFixture.Screenshot(page, name);

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

        await Knot.UpdateAsync("add mail.example.test. 60 A 203.0.113.10");
        await page.ClickAsync("button >> text=\"Set PTR\"");
        Assert.Contains("now points to mail.example.test.", await page.InnerTextAsync("#done"));
        Assert.Equal("confirmed", await page.InnerTextAsync("tr[data-address=\"203.0.113.10\"] .status"));
        await Screenshot(page, "ptr-confirmed");

        var kdig = await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {Api.DnsEndpoint.Port} +short -x 203.0.113.10");
        Assert.Equal("mail.example.test.", kdig.Output.Trim());

        await page.ClickAsync("button >> text=\"Reset to default\"");
        Assert.Contains("answers its default name again", await page.InnerTextAsync("#done"));
        kdig = await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {Api.DnsEndpoint.Port} +short -x 203.0.113.10");
        Assert.Equal("ip-203-0-113-10.pool.rdns.test.", kdig.Output.Trim());
    }

    [Fact]
    public async Task Revoking_the_key_ends_its_sessions()
    {
        var (tenant, key) = await TenantHoldingAsync("Epsilon", "203.0.113.40/32");
        var page = await SignInAsync(key);
        Assert.EndsWith("/console/addresses", page.Url);
        var keyId = (string)(await Api.Send(HttpMethod.Get, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.OK))["items"]![0]!["id"]!;
        await Api.Send(HttpMethod.Delete, $"/v1/tenants/{tenant}/keys/{keyId}", null, HttpStatusCode.NoContent);
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

        var admin = await SignInAsync(Api.AdminKey);
        Assert.EndsWith("/console/audit", admin.Url);
        var audit = await admin.InnerTextAsync("#audit");
        Assert.Contains("allocation.create", audit);
        Assert.Contains("tenant.create", audit);
        Assert.Contains(tenant, audit);
        var tenantPage = await admin.GotoAsync(Base + "/console/addresses");
        Assert.Equal(403, tenantPage!.Status);
    }

    [Fact]
    public async Task An_operator_creates_a_pool_a_tenant_and_an_allocation_releases_it_and_sees_the_audit_rows()
    {
        var page = await SignInAsync(Api.AdminKey);
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

        // A pool with allocated addresses is not deleted, with the reason; one without is, and so is a tenant holding nothing.
        await page.ClickAsync("nav >> text=Pools");
        await page.ClickAsync("button[aria-label=\"Delete pool 203.0.113.0/24\"]");
        Assert.NotEmpty(await page.InnerTextAsync("#error"));
        Assert.Contains("203.0.113.0/24", await page.InnerTextAsync("#pools"));
        await page.ClickAsync("button[aria-label=\"Delete pool 198.51.100.0/24\"]");
        Assert.Contains("deleted", await ConsoleFixture.DoneAsync(page));
        Assert.DoesNotContain("198.51.100.0/24", await page.InnerTextAsync("#pools"));
        await page.ClickAsync("nav >> text=Tenants");
        await page.ClickAsync("button[aria-label=\"Delete tenant Delta\"]");
        Assert.Contains($"Tenant {tenant} deleted", await ConsoleFixture.DoneAsync(page));
        Assert.DoesNotContain(tenant, await page.InnerTextAsync("#tenants"));
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
        Assert.Equal("ip-203-0-113-30.pool.rdns.test.", (await ForwardKnot.RunAsync("kdig", $"@127.0.0.1 -p {Api.DnsEndpoint.Port} +short -x 203.0.113.30")).Output.Trim());

        var stranger = await SignInAsync("rdns_not-a-key");
        Assert.Contains("not valid or has been revoked", await stranger.InnerTextAsync("main"));
        var cookies = await stranger.Context.CookiesAsync();
        Assert.DoesNotContain(cookies, c => c.Name == "rdns_session");

        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "rdns_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
    }
}
