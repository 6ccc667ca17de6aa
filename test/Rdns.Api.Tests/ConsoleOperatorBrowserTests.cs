using System.Net;
using Microsoft.Playwright;

namespace Rdns.Api.Tests;

/// <summary>
/// The operator's console in a real browser: a zone's records edited, exported and imported (kdig
/// answers each change), keys, the audit log filtered and paged by the store, and the
/// classless-delegation planner.
/// </summary>
public sealed class ConsoleOperatorBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private const string Zone = "113.0.203.in-addr.arpa.";

    [Fact]
    public async Task An_operator_edits_an_rrset_exports_the_zone_and_imports_it_changed()
    {
        var page = await fixture.SignInAsync(fixture.Api.AdminKey);
        await page.ClickAsync("nav >> text=Zones");
        await page.FillAsync("#q", "113.0.203");
        await page.ClickAsync("button >> text=\"Search\"");
        await page.ClickAsync($"#zones a >> text=\"{Zone}\"");
        var serial = uint.Parse(await page.InnerTextAsync("#serial b"), System.Globalization.CultureInfo.InvariantCulture);

        // Refused with the API's rule, naming the field; the form keeps what was typed.
        await page.FillAsync("#owner", "77");
        await page.FillAsync("#type", "PTR");
        await page.FillAsync("#data", "not a name..");
        await page.ClickAsync("button >> text=\"Save RRset\"");
        Assert.Contains("rrset.data[0]", await page.InnerTextAsync("#error"));
        Assert.Equal("77", await page.InputValueAsync("#owner"));

        await page.FillAsync("#data", "edited.example.test.");
        await page.ClickAsync("button >> text=\"Save RRset\"");
        Assert.Contains($"77.{Zone} PTR replaced; serial {serial + 1}", await ConsoleFixture.DoneAsync(page));
        Assert.Contains("edited.example.test.", await page.InnerTextAsync("#records"));
        Assert.Equal("edited.example.test.", await fixture.KdigPtrAsync("203.0.113.77"));
        await ConsoleFixture.Screenshot(page, "operator-zone");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("text=Download the zone file"));
        Assert.Equal("113.0.203.in-addr.arpa.zone", download.SuggestedFilename);
        var path = await download.PathAsync();
        var text = await File.ReadAllTextAsync(path!);
        Assert.Contains("edited.example.test.", text);

        await page.SetInputFilesAsync("#file", new FilePayload
        {
            Name = "changed.zone",
            MimeType = "text/plain",
            Buffer = System.Text.Encoding.UTF8.GetBytes(text.Replace("edited.example.test.", "imported.example.test.", StringComparison.Ordinal)),
        });
        await page.ClickAsync("button >> text=\"Import\"");
        Assert.Contains("imported from changed.zone", await ConsoleFixture.DoneAsync(page));
        Assert.Equal("imported.example.test.", await fixture.KdigPtrAsync("203.0.113.77"));
        Assert.Contains("No secondaries are configured", await page.InnerTextAsync("#secondaries"));
    }

    [Fact]
    public async Task An_operator_creates_and_revokes_an_operator_key_and_lists_a_tenants_keys()
    {
        var (tenant, _) = await fixture.TenantHoldingAsync("Kappa", "203.0.113.70/32");
        var page = await fixture.SignInAsync(fixture.Api.AdminKey);
        await page.ClickAsync("nav >> text=Keys");
        await page.FillAsync("#label", "backup operator");
        await page.ClickAsync("button >> text=\"Create key\"");
        Assert.StartsWith("rdns_", await page.InnerTextAsync("#secret"));
        var keyId = (await ConsoleFixture.DoneAsync(page)).Split(' ')[2];
        await ConsoleFixture.Screenshot(page, "operator-keys");
        await page.ClickAsync($"button[aria-label=\"Revoke {keyId}\"]");
        Assert.Equal("revoked", await page.InnerTextAsync($"tr[data-key=\"{keyId}\"] .status"));

        await page.SelectOptionAsync("#keysTenant", tenant);
        await page.ClickAsync("button >> text=\"Show\"");
        Assert.Equal(1, await page.Locator("#keys tbody tr").CountAsync());
        Assert.Equal("active", await page.InnerTextAsync("#keys tbody tr .status"));
    }

    [Fact]
    public async Task The_audit_log_filters_by_address_zone_tenant_and_action_and_pages_older_rows()
    {
        var (tenant, _) = await fixture.TenantHoldingAsync("Lambda", "203.0.113.90/32");
        for (int i = 0; i < 55; i++)
            await fixture.Api.Send(HttpMethod.Put, $"/v1/ptr/203.0.113.{150 + i}", ApiHost.Json(new { ptrdname = $"h{i}.example.test." }), HttpStatusCode.OK);
        var page = await fixture.SignInAsync(fixture.Api.AdminKey);
        await page.ClickAsync("nav >> text=Audit log");

        await page.FillAsync("#fip", "203.0.113.160");
        await page.ClickAsync("button >> text=\"Filter\"");
        // The PTR set at the address, and the pool whose prefix holds it.
        var rows = await page.Locator("#audit tbody tr").AllInnerTextsAsync();
        Assert.Equal(["ptr.set", "pool.create"], rows.Select(r => r.Split('\t')[2]));
        Assert.Contains("h10.example.test.", rows[0]);

        await page.FillAsync("#fip", "");
        await page.FillAsync("#ftenant", tenant);
        await page.ClickAsync("button >> text=\"Filter\"");
        var actions = (await page.Locator("#audit tbody tr td:nth-child(3)").AllInnerTextsAsync()).ToList();
        Assert.Equal(["allocation.create", "key.create", "tenant.create"], actions);

        await page.FillAsync("#ftenant", "");
        await page.FillAsync("#faction", "ptr.set");
        await page.FillAsync("#fzone", Zone);
        await page.ClickAsync("button >> text=\"Filter\"");
        Assert.Equal(50, await page.Locator("#audit tbody tr").CountAsync());
        Assert.Contains("h54.example.test.", await page.InnerTextAsync("#audit tbody tr:first-child"));
        await ConsoleFixture.Screenshot(page, "operator-audit");
        await page.ClickAsync("#older");
        Assert.Equal(5, await page.Locator("#audit tbody tr").CountAsync());
        Assert.Contains("h0.example.test.", await page.InnerTextAsync("#audit tbody tr:last-child"));
        Assert.Equal(0, await page.Locator("#older").CountAsync());
        Assert.Equal(Zone, await page.InputValueAsync("#fzone"));

        await page.GotoAsync(fixture.Base + "/console/audit?ip=300.1.1.1");
        Assert.Contains("ip:", await page.InnerTextAsync("#error"));
    }

    [Fact]
    public async Task The_delegation_planner_shows_the_parents_and_the_childs_records()
    {
        var page = await fixture.SignInAsync(fixture.Api.AdminKey);
        await page.ClickAsync("nav >> text=Delegation planner");
        await page.FillAsync("#dprefix", "192.0.2.0/24");
        await page.FillAsync("#dns", "ns1.customer.example");
        await page.ClickAsync("button >> text=\"Plan\"");
        Assert.Contains("/25 to /32", await page.InnerTextAsync("#error"));

        await page.FillAsync("#dprefix", "192.0.2.128/26");
        await page.FillAsync("#dns", "ns1.customer.example\nns2.customer.example");
        await page.ClickAsync("button >> text=\"Plan\"");
        var parent = await page.InnerTextAsync("#parent");
        Assert.Contains("128-26.2.0.192.in-addr.arpa.", parent);
        Assert.Contains("NS", parent);
        Assert.Contains("ns2.customer.example.", parent);
        Assert.Contains("CNAME", parent);
        Assert.Contains("191.128-26.2.0.192.in-addr.arpa.", parent);
        var child = await page.InnerTextAsync("#child");
        Assert.Contains("SOA", child);
        await ConsoleFixture.Screenshot(page, "operator-delegate");
    }
}
