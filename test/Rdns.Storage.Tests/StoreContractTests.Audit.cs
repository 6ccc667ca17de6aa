using System.Net;

namespace Rdns.Storage.Tests;

public abstract partial class StoreContractTests
{
    private async Task<IReadOnlyList<string>> AuditTargetsAsync(AuditQuery query, int limit = 100, long? before = null) =>
        (await Store.GetAuditAsync(query, limit, before)).Select(a => $"{a.Action} {a.Target}").ToList();

    [Fact]
    public async Task The_audit_log_is_filtered_by_action_tenant_address_and_zone_in_the_database()
    {
        await Store.AppendAuditAsync(
        [
            new AuditEntry("admin:key_a", "pool.create", "pool_1", "192.0.2.0/24 ip-{ip}.example."),
            new AuditEntry("admin:key_a", "tenant.create", "ten_acme", "Acme"),
            new AuditEntry("admin:key_a", "allocation.create", "alloc_1", "192.0.2.8/29 to ten_acme"),
            new AuditEntry("tenant:ten_acme:key_t", "reverse.set", "192.0.2.9", "mail.example. (confirmed)"),
            new AuditEntry("admin:key_a", "ptr.set", "2001:db8::5", "host.example."),
            new AuditEntry("admin:key_a", "zone.create", "2.0.192.in-addr.arpa.", "for a pool"),
            new AuditEntry("admin:key_a", "zone.change", "Example.COM", null),
            new AuditEntry("tenant:ten_other:key_o", "reverse.set", "198.51.100.1", "x.example. (confirmed)"),
        ]);

        Assert.Equal(["ptr.set 2001:db8::5"], await AuditTargetsAsync(new AuditQuery(Action: "ptr.set")));
        Assert.Equal(["reverse.set 198.51.100.1", "reverse.set 192.0.2.9"], await AuditTargetsAsync(new AuditQuery(Action: "reverse.")));
        // No '_' wildcard: "pool_" is no family of "pool.".
        Assert.Empty(await AuditTargetsAsync(new AuditQuery(Action: "pool_")));

        Assert.Equal(["reverse.set 192.0.2.9", "allocation.create alloc_1", "tenant.create ten_acme"],
            await AuditTargetsAsync(new AuditQuery(Tenant: "ten_acme")));

        // The address is the target, inside the allocation's prefix and inside the pool's.
        Assert.Equal(["reverse.set 192.0.2.9", "allocation.create alloc_1", "pool.create pool_1"],
            await AuditTargetsAsync(new AuditQuery(Ip: IPAddress.Parse("192.0.2.9"))));
        Assert.Equal(["ptr.set 2001:db8::5"], await AuditTargetsAsync(new AuditQuery(Ip: IPAddress.Parse("2001:db8::5"))));
        Assert.Empty(await AuditTargetsAsync(new AuditQuery(Ip: IPAddress.Parse("203.0.113.1"))));

        // The zone by name (any case, with or without the final dot), and the addresses inside a reverse zone.
        Assert.Equal(["zone.change Example.COM"], await AuditTargetsAsync(new AuditQuery(Zone: "example.com.")));
        Assert.Equal(["zone.create 2.0.192.in-addr.arpa.", "reverse.set 192.0.2.9", "allocation.create alloc_1", "pool.create pool_1"],
            await AuditTargetsAsync(new AuditQuery(Zone: "2.0.192.in-addr.arpa", ZoneFirst: IPAddress.Parse("192.0.2.0"), ZoneLast: IPAddress.Parse("192.0.2.255"))));

        // Filters combine, and pages follow the id (keyset): the second page starts after the first's last row.
        var first = await Store.GetAuditAsync(new AuditQuery(Ip: IPAddress.Parse("192.0.2.9")), 2);
        Assert.Equal(["reverse.set", "allocation.create"], first.Select(a => a.Action));
        Assert.Equal(["pool.create pool_1"], await AuditTargetsAsync(new AuditQuery(Ip: IPAddress.Parse("192.0.2.9")), 2, first[^1].Id));
        Assert.Equal(["reverse.set 192.0.2.9"], await AuditTargetsAsync(new AuditQuery(Action: "reverse.set", Tenant: "ten_acme", Ip: IPAddress.Parse("192.0.2.9"))));
        Assert.Equal(8, (await Store.GetAuditAsync(AuditQuery.All, 100)).Count);
    }
}
