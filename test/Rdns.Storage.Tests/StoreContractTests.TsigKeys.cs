using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

public abstract partial class StoreContractTests
{
    private static TsigKeyRecord TsigKey(string name, string? tenant = null) =>
        new(name, "hmac-sha256", [1, 2, 3, 4, 5], tenant, """[{"zone":"2.0.192.in-addr.arpa."}]""", new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Tsig_keys_are_added_listed_by_tenant_and_deleted_with_their_audit_rows()
    {
        await Store.AddTsigKeyAsync(TsigKey("dhcp1."), Audit("tsig-key.create", "dhcp1."));
        await Store.AddTsigKeyAsync(TsigKey("acme-dhcp.", "ten-1"), Audit("tsig-key.create", "acme-dhcp."));
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.AddTsigKeyAsync(TsigKey("dhcp1."), Audit("tsig-key.create", "dhcp1.")));

        var all = await Store.ListTsigKeysAsync();
        Assert.Equal(["acme-dhcp.", "dhcp1."], all.Select(k => k.Name).ToArray());
        var dhcp1 = all.Single(k => k.Name == "dhcp1.");
        var expected = TsigKey("dhcp1.");
        Assert.Equal((expected.Algorithm, expected.TenantId, expected.Rules, expected.CreatedAt), (dhcp1.Algorithm, dhcp1.TenantId, dhcp1.Rules, dhcp1.CreatedAt));
        Assert.Equal([1, 2, 3, 4, 5], dhcp1.SealedSecret);
        Assert.Equal("acme-dhcp.", Assert.Single(await Store.ListTsigKeysAsync("ten-1")).Name);

        // A tenant deletes only its own keys.
        Assert.False(await Store.DeleteTsigKeyAsync("dhcp1.", "ten-1", Audit("tsig-key.delete", "dhcp1.")));
        Assert.True(await Store.DeleteTsigKeyAsync("dhcp1.", null, Audit("tsig-key.delete", "dhcp1.")));
        Assert.False(await Store.DeleteTsigKeyAsync("dhcp1.", null, Audit("tsig-key.delete", "dhcp1.")));
        Assert.Equal(["acme-dhcp."], (await Store.ListTsigKeysAsync()).Select(k => k.Name).ToArray());
        var audit = await Store.GetAuditAsync(10);
        Assert.Equal(3, audit.Count(a => a.Action.StartsWith("tsig-key.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Audit_rows_of_refusals_are_appended_in_one_go()
    {
        await Store.AppendAuditAsync([Audit("dns.update.refused", "2.0.192.in-addr.arpa."), Audit("dns.update.refused", "example.org.")]);
        var rows = await Store.GetAuditAsync(10);
        Assert.Equal(["example.org.", "2.0.192.in-addr.arpa."], rows.Where(r => r.Action == "dns.update.refused").Select(r => r.Target).ToArray());
    }
}
