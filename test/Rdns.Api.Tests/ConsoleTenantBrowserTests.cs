using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rdns.Control.Tenants;

namespace Rdns.Api.Tests;

/// <summary>
/// A tenant's console in a real browser: every held address with its status, a verified domain,
/// many PTRs of an IPv6 prefix in one change, and the tenant's own keys; nothing of another tenant's.
/// </summary>
public sealed class ConsoleTenantBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private static Task<string> StatusOf(IPage page, string address) => page.InnerTextAsync($"tr[data-address=\"{address}\"] .status");

    [Fact]
    public async Task A_tenant_verifies_a_domain_sets_many_ptrs_of_an_ipv6_prefix_and_sees_every_status()
    {
        var (_, key) = await fixture.TenantHoldingAsync("Zeta", "203.0.113.48/30", "2001:db8:1::/64");
        var page = await fixture.SignInAsync(key);

        // Confirmed by its A record; drifted once the A record is gone and the names are checked again.
        await fixture.Knot.UpdateAsync("add c.example.test. 60 A 203.0.113.49", "add d.example.test. 60 A 203.0.113.50");
        foreach (var (ip, name) in new[] { ("203.0.113.49", "c.example.test"), ("203.0.113.50", "d.example.test") })
        {
            await page.FillAsync("#ip", ip);
            await page.FillAsync("#name", name);
            await page.ClickAsync("button >> text=\"Set PTR\"");
            Assert.Contains("now points to", await ConsoleFixture.DoneAsync(page));
        }
        await fixture.Knot.UpdateAsync("del d.example.test. A");
        await fixture.Api.Services.GetRequiredService<TenantReverseService>().RecheckAllAsync(CancellationToken.None);

        // The domain: the TXT to publish is shown; checking before it is published says what was found.
        await page.ClickAsync("nav >> text=My domains");
        await page.FillAsync("#domain", "v6.example.test");
        await page.ClickAsync("button >> text=\"Add domain\"");
        var txt = await page.InnerTextAsync("tr[data-domain=\"v6.example.test.\"] .txt");
        Assert.StartsWith("_rdns-challenge.v6.example.test. 3600 IN TXT \"rdns-verify-", txt);
        var token = txt[(txt.IndexOf('"', StringComparison.Ordinal) + 1)..].TrimEnd('"');
        Assert.Equal("not verified", await page.InnerTextAsync("tr[data-domain=\"v6.example.test.\"] .status"));
        await page.ClickAsync("button >> text=\"Check now\"");
        Assert.Contains("does not hold the token", await page.InnerTextAsync("#error"));
        await fixture.Knot.UpdateAsync($"add _rdns-challenge.v6.example.test. 60 TXT \"{token}\"");
        await page.ClickAsync("button >> text=\"Check now\"");
        Assert.Contains("v6.example.test. is verified", await ConsoleFixture.DoneAsync(page));
        Assert.Equal("verified", await page.InnerTextAsync("tr[data-domain=\"v6.example.test.\"] .status"));
        await ConsoleFixture.Screenshot(page, "tenant-domains");

        // Many PTRs of the /64 in one change; a refused line names itself and nothing is written.
        await page.ClickAsync("nav >> text=My addresses");
        var defaultName = await fixture.KdigPtrAsync("2001:db8:1::1");
        Assert.EndsWith(".v6pool.rdns.test.", defaultName);
        await page.SelectOptionAsync("#bulkPrefix", "2001:db8:1::/64");
        await page.FillAsync("#bulkLines", "2001:db8:1::1 a.v6.example.test\n2001:db8:1::2 b.v6.example.test\n2001:db8:2::3 c.v6.example.test");
        await page.ClickAsync("button >> text=\"Set all\"");
        Assert.Contains("line 3 (2001:db8:2::3): not inside 2001:db8:1::/64", await page.InnerTextAsync("#error"));
        Assert.Equal(defaultName, await fixture.KdigPtrAsync("2001:db8:1::1"));
        await page.FillAsync("#bulkLines", "2001:db8:1::1 a.v6.example.test\n2001:db8:1::2 b.v6.example.test\n2001:db8:1::3 elsewhere.example.test");
        await page.ClickAsync("button >> text=\"Set all\"");
        Assert.Contains("line 3 (2001:db8:1::3): elsewhere.example.test. does not point back", await page.InnerTextAsync("#error"));
        await page.FillAsync("#bulkLines", "2001:db8:1::1 a.v6.example.test\n2001:db8:1::2 b.v6.example.test");
        await page.ClickAsync("button >> text=\"Set all\"");
        Assert.Contains("2 PTRs in 2001:db8:1::/64 set in one change", await ConsoleFixture.DoneAsync(page));
        Assert.Equal("verified-domain", await StatusOf(page, "2001:db8:1::2"));
        Assert.Equal("b.v6.example.test.", await fixture.KdigPtrAsync("2001:db8:1::2"));

        await page.GotoAsync(fixture.Base + "/console/addresses");
        Assert.Equal("default", await StatusOf(page, "203.0.113.48"));
        Assert.Equal("ip-203-0-113-48.pool.rdns.test.", await page.InnerTextAsync("tr[data-address=\"203.0.113.48\"] td:nth-child(2)"));
        Assert.Equal("confirmed", await StatusOf(page, "203.0.113.49"));
        Assert.Equal("drifted", await StatusOf(page, "203.0.113.50"));
        Assert.Equal("verified-domain", await StatusOf(page, "2001:db8:1::1"));
        // The /64 is not listed address by address: its default names are named once.
        Assert.Contains("Too many addresses to list", await page.InnerTextAsync("section[aria-label=\"2001:db8:1::/64\"]"));
        await ConsoleFixture.Screenshot(page, "tenant-addresses");
    }

    [Fact]
    public async Task A_tenant_creates_a_key_seen_once_signs_in_with_it_and_revokes_it()
    {
        var (tenant, key) = await fixture.TenantHoldingAsync("Eta", "203.0.113.56/32");
        var page = await fixture.SignInAsync(key);
        await page.ClickAsync("nav >> text=My keys");
        await page.FillAsync("#label", "deploy script");
        await page.ClickAsync("button >> text=\"Create key\"");
        var secret = await page.InnerTextAsync("#secret");
        Assert.StartsWith("rdns_", secret);
        var created = await ConsoleFixture.DoneAsync(page);
        var keyId = created.Split(' ')[2];
        Assert.Contains("deploy script", await page.InnerTextAsync($"tr[data-key=\"{keyId}\"]"));
        await ConsoleFixture.Screenshot(page, "tenant-keys");
        await page.GotoAsync(fixture.Base + "/console/my-keys");
        Assert.Equal(0, await page.Locator("#secret").CountAsync());

        var second = await fixture.SignInAsync(secret);
        Assert.EndsWith("/console/addresses", second.Url);
        await page.ClickAsync($"button[aria-label=\"Revoke {keyId}\"]");
        Assert.Equal("revoked", await page.InnerTextAsync($"tr[data-key=\"{keyId}\"] .status"));
        await second.ReloadAsync();
        Assert.Contains("Sign in with an API key", await second.InnerTextAsync("main"));
        var listed = await fixture.Api.Send(HttpMethod.Get, $"/v1/tenants/{tenant}/keys", null, HttpStatusCode.OK);
        Assert.Contains(listed["items"]!.AsArray(), k => (string?)k!["id"] == keyId && k["revokedAt"] is not null);
    }

    [Fact]
    public async Task A_tenant_cannot_reach_another_tenants_addresses_keys_or_the_operator_pages_by_url()
    {
        var (other, otherKey) = await fixture.TenantHoldingAsync("Theta", "203.0.113.60/32");
        var (_, key) = await fixture.TenantHoldingAsync("Iota", "203.0.113.61/32");
        var otherKeyId = (string)(await fixture.Api.Send(HttpMethod.Get, $"/v1/tenants/{other}/keys", null, HttpStatusCode.OK))["items"]![0]!["id"]!;
        var page = await fixture.SignInAsync(key);

        // Tenant pages take no tenant: the session's own is the only one they show.
        var mine = await page.GotoAsync(fixture.Base + $"/console/addresses?tenant={other}");
        Assert.Equal(200, mine!.Status);
        Assert.DoesNotContain("203.0.113.60", await page.InnerTextAsync("main"));
        foreach (var path in new[] { "/console/keys?tenant=" + other, "/console/tenants", "/console/zones/113.0.203.in-addr.arpa.", "/console/audit?tenant=" + other, "/console/delegate" })
        {
            var response = await page.GotoAsync(fixture.Base + path);
            Assert.True(response!.Status == 403, $"{path}: {response.Status}");
        }

        // The other tenant's key, by id through this tenant's form: not found, and it still works.
        await page.GotoAsync(fixture.Base + "/console/my-keys");
        await page.EvaluateAsync("id => { const f = document.querySelector('form[action=\"/console/my-keys/revoke\"]'); f.querySelector('input[name=id]').value = id; f.submit(); }", otherKeyId);
        await page.WaitForSelectorAsync("#error");
        Assert.Contains($"has no key {otherKeyId}", await page.InnerTextAsync("#error"));
        // Nor its address, through the PTR form.
        await page.GotoAsync(fixture.Base + "/console/addresses");
        await page.FillAsync("#ip", "203.0.113.60");
        await page.FillAsync("#name", "other.example.test");
        await page.ClickAsync("button >> text=\"Set PTR\"");
        Assert.Contains("203.0.113.60", await page.InnerTextAsync("#error"));
        Assert.Equal("ip-203-0-113-60.pool.rdns.test.", await fixture.KdigPtrAsync("203.0.113.60"));
        var still = await fixture.SignInAsync(otherKey);
        Assert.EndsWith("/console/addresses", still.Url);
    }
}
