using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

public abstract partial class StoreContractTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A pool over 192.0.2.0/24 (zone <see cref="TestZones.Zone2"/>) and one tenant holding 192.0.2.10.</summary>
    private async Task<AllocationRecord> HeldAddressAsync()
    {
        await Store.CreateZoneAsync(Zone2, Zone(Zone2, 1, ptrs: 0), false, Audit("zone.create", "zone"));
        var allocation = new AllocationRecord("alloc-1", "ten-1", "pool-1", "192.0.2.10/32", T0, null);
        await Store.CommitAsync([],
            [
                new PutTenant(new TenantRecord("ten-1", "Alpha", T0)),
                new PutPool(new PoolRecord("pool-1", "192.0.2.0/24", "ip-{ip}.pool.example.net.", 3600, T0)),
                new PutAllocation(allocation, TimeSpan.Zero),
            ],
            Audit("setup", "tenant"));
        return allocation;
    }

    private static CustomReverseRecord Reverse(AllocationRecord allocation, string name) =>
        new("192.0.2.10", allocation.TenantId, allocation.Id, name, "confirmed", null, T0, T0);

    [Fact]
    public async Task A_custom_ptr_under_a_released_allocation_is_refused_with_its_zone_change()
    {
        var allocation = await HeldAddressAsync();
        await Store.CommitAsync([], [new ReleaseAllocation(allocation.Id, T0)], Audit("allocation.release", allocation.Id));
        string before = await StateAsync(Store);

        // The PTR and its row were planned while the allocation was held; they arrive after the release.
        var late = Change(Zone2, 1, 2, added: [Ptr(Zone2, 10, "mail.alpha.example.")]);
        var e = await Assert.ThrowsAsync<AllocationReleasedException>(() =>
            Store.CommitAsync([late], [new PutCustomReverse(Reverse(allocation, "mail.alpha.example."))], Audit("reverse.set", "192.0.2.10")));
        Assert.Equal(allocation.Id, e.AllocationId);
        Assert.Equal(before, await StateAsync(Store));
        Assert.Null(await Store.GetCustomReverseAsync("192.0.2.10"));
        Assert.Equal(1u, await Store.GetSerialAsync(Zone2));
    }

    [Fact]
    public async Task A_custom_ptr_under_a_held_allocation_lands_with_its_zone_change()
    {
        var allocation = await HeldAddressAsync();
        await Store.CommitAsync([Change(Zone2, 1, 2, added: [Ptr(Zone2, 10, "mail.alpha.example.")])],
            [new PutCustomReverse(Reverse(allocation, "mail.alpha.example."))], Audit("reverse.set", "192.0.2.10"));
        Assert.Equal("mail.alpha.example.", (await Store.GetCustomReverseAsync("192.0.2.10"))!.Name);
        Assert.Equal(2u, await Store.GetSerialAsync(Zone2));
    }
}
