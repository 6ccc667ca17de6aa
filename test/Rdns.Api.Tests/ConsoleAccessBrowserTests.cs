using Microsoft.Playwright;

namespace Rdns.Api.Tests;

/// <summary>
/// The console for everyone: no page overflows a phone's width, the PTR form works by keyboard
/// alone, every input has a label, and no form acts without its antiforgery token.
/// </summary>
public sealed class ConsoleAccessBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private static readonly string[] TenantPages = ["/console/addresses", "/console/domains", "/console/my-keys"];

    private static readonly string[] OperatorPages =
        ["/console/zones", "/console/zones/113.0.203.in-addr.arpa.", "/console/pools", "/console/tenants", "/console/keys", "/console/audit",
         "/console/delegate?prefix=192.0.2.128%2F26&ns=ns1.customer.example"];

    private const string Unlabelled =
        "Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))" +
        ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id || e.name)";

    [Fact]
    public async Task No_main_page_is_wider_than_a_phone_and_every_input_has_a_label()
    {
        var (_, key) = await fixture.TenantHoldingAsync("Mu", "203.0.113.96/29", "2001:db8:9::/64");
        var tenant = await fixture.SignInAsync(key, width: 360, height: 740);
        var admin = await fixture.SignInAsync(fixture.Api.AdminKey, width: 360, height: 740);
        foreach (var (page, path) in TenantPages.Select(p => (tenant, p)).Concat(OperatorPages.Select(p => (admin, p))))
        {
            var response = await page.GotoAsync(fixture.Base + path);
            Assert.True(response!.Status == 200, $"{path}: {response.Status}");
            Assert.Equal("width=device-width, initial-scale=1", await page.GetAttributeAsync("meta[name=viewport]", "content"));
            var widths = await page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            Assert.True(widths[0] <= widths[1], $"{path} is {widths[0]} px wide on a {widths[1]} px screen");
            Assert.Empty(await page.EvaluateAsync<string[]>(Unlabelled));
        }
        await tenant.GotoAsync(fixture.Base + "/console/addresses");
        await ConsoleFixture.Screenshot(tenant, "phone-addresses");
    }

    [Fact]
    public async Task The_ptr_form_is_reached_by_tab_from_a_skip_link_and_submitted_with_enter()
    {
        var (_, key) = await fixture.TenantHoldingAsync("Nu", "203.0.113.104/32");
        await fixture.Knot.UpdateAsync("add keyboard.example.test. 60 A 203.0.113.104");
        var page = await fixture.SignInAsync(key);
        await page.GotoAsync(fixture.Base + "/console/addresses");

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        var box = await page.Locator("a.skip").BoundingBoxAsync();
        Assert.True(box is { X: >= 0, Width: > 0 }, "the skip link is on screen when focused");
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("document.activeElement.id"));

        for (int i = 0; i < 30 && await page.EvaluateAsync<string>("document.activeElement.id") != "ip"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("ip", await page.EvaluateAsync<string>("document.activeElement.id"));
        // The focused field shows it: an outline, not a colour alone.
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.TypeAsync("203.0.113.104");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("name", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("keyboard.example.test");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#done");
        Assert.Contains("now points to keyboard.example.test.", await ConsoleFixture.DoneAsync(page));
        Assert.Equal("keyboard.example.test.", await fixture.KdigPtrAsync("203.0.113.104"));
    }

    [Fact]
    public async Task Every_form_posted_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        var (tenantId, key) = await fixture.TenantHoldingAsync("Xi", "203.0.113.112/32");
        var tenant = await fixture.SignInAsync(key);
        var admin = await fixture.SignInAsync(fixture.Api.AdminKey);
        var tenantForms = new (string Path, (string, string)[] Fields)[]
        {
            ("/console/addresses/set", [("ip", "203.0.113.112"), ("name", "evil.example.")]),
            ("/console/addresses/reset", [("ip", "203.0.113.112")]),
            ("/console/addresses/bulk", [("prefix", "203.0.113.112/32"), ("lines", "203.0.113.112 evil.example.")]),
            ("/console/domains", [("name", "evil.example")]),
            ("/console/domains/verify", [("name", "evil.example")]),
            ("/console/my-keys", [("label", "evil")]),
            ("/console/my-keys/revoke", [("id", "key_x")]),
            ("/console/sign-out", []),
        };
        var operatorForms = new (string Path, (string, string)[] Fields)[]
        {
            ("/console/pools", [("prefix", "192.0.2.0/24"), ("defaultPtr", "x-{ip}.evil.")]),
            ("/console/tenants", [("name", "Evil")]),
            ("/console/tenants/delete", [("id", tenantId)]),
            ("/console/pools/delete", [("id", "pool_x")]),
            ("/console/allocations", [("tenant", tenantId), ("prefix", "203.0.113.113/32")]),
            ("/console/allocations/release", [("id", "alc_x")]),
            ("/console/keys", [("label", "evil")]),
            ("/console/keys/revoke", [("id", "key_x")]),
            ("/console/zones/113.0.203.in-addr.arpa./rrset", [("owner", "112"), ("type", "PTR"), ("data", "evil.example.")]),
            ("/console/zones/113.0.203.in-addr.arpa./import", [("file", "")]),
        };
        foreach (var (path, fields) in tenantForms)
            Assert.True(await fixture.PostWithoutTokenAsync(tenant, path, fields) == 400, path);
        foreach (var (path, fields) in operatorForms)
            Assert.True(await fixture.PostWithoutTokenAsync(admin, path, fields) == 400, path);

        Assert.Equal("ip-203-0-113-112.pool.rdns.test.", await fixture.KdigPtrAsync("203.0.113.112"));
        await tenant.GotoAsync(fixture.Base + "/console/my-keys");
        Assert.Equal(1, await tenant.Locator("#keys tbody tr").CountAsync());
        await admin.GotoAsync(fixture.Base + "/console/tenants");
        Assert.DoesNotContain("Evil", await admin.InnerTextAsync("#tenants"));
        Assert.DoesNotContain("evil", await admin.InnerTextAsync("main"));
    }
}
