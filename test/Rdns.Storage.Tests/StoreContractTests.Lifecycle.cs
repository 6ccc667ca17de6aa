using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_tenant_holding_addresses_is_not_deleted_and_one_that_holds_none_is_hidden_with_its_keys_revoked()
    {
        var allocation = await HeldAddressAsync();
        await Store.AddKeyAsync(new ApiKeyRecord("key-t", "tenant", "ten-1", [1, 2, 3], T0, null), Audit("key.create", "key-t"));
        await Store.CommitAsync([], [new RenameTenant("ten-1", "Alpha Ltd")], Audit("tenant.update", "ten-1"));
        Assert.Equal("Alpha Ltd", Assert.Single(await Store.ListTenantsAsync()).Name);

        await Assert.ThrowsAsync<TenantConflictException>(() => Store.CommitAsync([], [new DeleteTenant("ten-1", T0)], Audit("tenant.delete", "ten-1")));
        Assert.NotNull(await Store.GetTenantAsync("ten-1"));

        await Store.CommitAsync([], [new ReleaseAllocation(allocation.Id, T0)], Audit("allocation.release", allocation.Id));
        await Store.CommitAsync([], [new DeleteTenant("ten-1", T0)], Audit("tenant.delete", "ten-1"));
        Assert.Null(await Store.GetTenantAsync("ten-1"));
        Assert.Empty(await Store.ListTenantsAsync());
        Assert.Null(await Store.FindKeyAsync([1, 2, 3]));
        Assert.NotNull(Assert.Single(await Store.ListKeysAsync("tenant", "ten-1")).RevokedAt);
        // The released allocation stays as history, naming the hidden tenant.
        Assert.Equal("ten-1", (await Store.GetAllocationAsync(allocation.Id))!.TenantId);
        await Assert.ThrowsAsync<TenantConflictException>(() => Store.CommitAsync([], [new DeleteTenant("ten-1", T0)], Audit("tenant.delete", "ten-1")));
        await Assert.ThrowsAsync<TenantConflictException>(() => Store.CommitAsync([], [new RenameTenant("ten-1", "again")], Audit("tenant.update", "ten-1")));
    }

    [Fact]
    public async Task A_pool_with_allocated_addresses_is_not_deleted_and_its_template_changes()
    {
        var allocation = await HeldAddressAsync();
        await Store.CommitAsync([], [new UpdatePool("pool-1", "host-{ip}.example.net.", 600)], Audit("pool.update", "pool-1"));
        var pool = Assert.Single(await Store.ListPoolsAsync());
        Assert.Equal(("host-{ip}.example.net.", 600u), (pool.Template, pool.Ttl));

        await Assert.ThrowsAsync<TenantConflictException>(() => Store.CommitAsync([], [new DeletePool("pool-1")], Audit("pool.delete", "pool-1")));
        Assert.Single(await Store.ListPoolsAsync());
        await Store.CommitAsync([], [new ReleaseAllocation(allocation.Id, T0)], Audit("allocation.release", allocation.Id));
        await Store.CommitAsync([], [new DeletePool("pool-1")], Audit("pool.delete", "pool-1"));
        Assert.Empty(await Store.ListPoolsAsync());
        await Assert.ThrowsAsync<TenantConflictException>(() => Store.CommitAsync([], [new DeletePool("pool-1")], Audit("pool.delete", "pool-1")));
        await Assert.ThrowsAsync<TenantConflictException>(() => Store.CommitAsync([], [new UpdatePool("pool-1", "x-{ip}.example.", 1)], Audit("pool.update", "pool-1")));
    }

    [Fact]
    public async Task An_audit_row_keeps_the_value_before_and_after()
    {
        await Store.CommitAsync([], [new PutTenant(new TenantRecord("ten-2", "Beta", T0))],
            new AuditEntry("admin:key_1", "tenant.update", "ten-2", null, "192.0.2.7", "Beta", "Beta GmbH"));
        var row = (await Store.GetAuditAsync(1))[0];
        Assert.Equal(("admin:key_1", "tenant.update", "Beta", "Beta GmbH"), (row.Actor, row.Action, row.Before, row.After));
    }
}
