using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Addressing;
using Rdns.Control.Tenants;
using Rdns.Control.Zones;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Control.Tests.Tenants;

/// <summary>
/// Every resync reloads the pools: one that finds them as in use changes nothing (no new zone
/// set, no catalog reconciliation); one that finds them changed (by another node) applies them.
/// </summary>
public sealed class PoolReloadTests() : StoreScratch("rdns-pools-")
{
    [Fact]
    public async Task A_reload_that_finds_the_pools_in_use_changes_nothing_and_one_that_finds_a_change_applies_it()
    {
        var store = Own(StoreFactory.Open(new StoreOptions(), DataDirectory));
        await store.MigrateAsync();
        var zones = new ServedZones();
        var writer = Own(new ZoneWriter(store, zones, NullLogger<ZoneWriter>.Instance));
        var service = new ZoneService(writer, zones, store);
        var defaults = new ZoneDefaults { NameServers = ["ns1.example.net."] };
        var pools = new PoolService(service, defaults, TimeProvider.System);
        int reloaded = 0;
        pools.Reloaded += () => reloaded++;

        await pools.ReloadAsync(default);
        Assert.Equal(1, reloaded);
        var set = zones.Current;
        await pools.ReloadAsync(default);
        await pools.ReloadAsync(default);
        Assert.Equal(1, reloaded);
        Assert.Same(set, zones.Current);

        var audit = new AuditEntry("tester", "pool.create", "198.51.100.0/24");
        var (pool, _) = await pools.CreateAsync("198.51.100.0/24", "ip-{ip}.pool.example.net.", null, audit, default);
        Assert.Equal(2, reloaded);
        Assert.Equal("ip-198-51-100-7.pool.example.net.", pools.DefaultName(IpAddress.Parse("198.51.100.7")));
        set = zones.Current;
        await pools.ReloadAsync(default);
        Assert.Equal(2, reloaded);
        Assert.Same(set, zones.Current);

        // Another node changes the template (its own service on the same store): the next reload here applies it.
        var other = new PoolService(new ZoneService(writer, new ServedZones(), store), defaults, TimeProvider.System);
        await other.UpdateAsync(pool.Id, "host-{ip}.pool.example.net.", null, audit with { Action = "pool.update" }, default);
        Assert.Equal("ip-198-51-100-7.pool.example.net.", pools.DefaultName(IpAddress.Parse("198.51.100.7")));
        await pools.ReloadAsync(default);
        Assert.Equal(3, reloaded);
        Assert.Equal("host-198-51-100-7.pool.example.net.", pools.DefaultName(IpAddress.Parse("198.51.100.7")));
    }
}
