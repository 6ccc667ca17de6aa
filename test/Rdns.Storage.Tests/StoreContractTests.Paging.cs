using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Tenants_are_paged_by_the_database_oldest_first_without_the_deleted()
    {
        await Store.CommitAsync([], [
            new PutTenant(new TenantRecord("ten-b", "B", T0)),
            new PutTenant(new TenantRecord("ten-a", "A", T0)),
            new PutTenant(new TenantRecord("ten-c", "C", T0.AddSeconds(1))),
            new PutTenant(new TenantRecord("ten-d", "D", T0.AddSeconds(2))),
        ], Audit("tenant.create", "four"));
        await Store.CommitAsync([], [new DeleteTenant("ten-c", T0)], Audit("tenant.delete", "ten-c"));

        var first = await Store.ListTenantsAsync(2, null, null);
        Assert.Equal(["ten-a", "ten-b"], first.Select(t => t.Id));
        var rest = await Store.ListTenantsAsync(2, first[^1].CreatedAt, first[^1].Id);
        Assert.Equal(["ten-d"], rest.Select(t => t.Id));
        Assert.Empty(await Store.ListTenantsAsync(2, rest[^1].CreatedAt, rest[^1].Id));
    }
}
