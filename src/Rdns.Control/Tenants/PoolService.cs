using Rdns.Addressing;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Synthesis;

namespace Rdns.Control.Tenants;

/// <summary>
/// Operator address pools. Creating one creates its reverse zones (the address planner's plan)
/// and the forward zone its default names live in, and turns on the default names in DNS.
/// </summary>
public sealed class PoolService(ZoneService zones, ZoneDefaults defaults, TimeProvider time)
{
    /// <summary>3600 s for default PTRs and their addresses, as for any record.</summary>
    public const uint DefaultTtl = 3600;

    private IRdnsStore Store => zones.Store;

    public async Task<(PoolRecord Pool, IReadOnlyList<string> CreatedZones)> CreateAsync(string prefixText, string? template, uint? ttl, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (!IpPrefix.TryParse(prefixText, out var prefix, out var error))
            throw new ControlException(ControlError.Invalid, "validation_failed", $"prefix: {error}", "prefix");
        if (string.IsNullOrWhiteSpace(template))
            throw new ControlException(ControlError.Invalid, "validation_failed", "defaultPtr: required, e.g. ip-{ip}.pool.example.net.", "defaultPtr");
        if (!DefaultNamePool.TryCreate(prefix, template, ttl ?? DefaultTtl, out var names, out var templateError))
            throw new ControlException(ControlError.Invalid, "validation_failed", $"defaultPtr: {templateError}", "defaultPtr");
        var existing = await Store.ListPoolsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var p in existing)
        {
            if (IpPrefix.Parse(p.Prefix).Overlaps(prefix))
                throw new ControlException(ControlError.Conflict, "pool_overlaps", $"{prefix} overlaps pool {p.Id} ({p.Prefix})", "prefix");
        }

        var created = new List<string>();
        foreach (var planned in ReverseZonePlan.For(prefix))
            await EnsureZoneAsync(DnsName.Parse(planned.Name), created, audit, cancellationToken).ConfigureAwait(false);
        // The forward zone only when no hosted zone already holds the default names.
        if (zones.Served.Current.FindZone(names.ForwardZone.Prepend("x").Wire) is null)
            await EnsureZoneAsync(names.ForwardZone, created, audit, cancellationToken).ConfigureAwait(false);

        var pool = new PoolRecord(Ids.New("pool"), prefix.ToString(), names.Template, names.Ttl, time.GetUtcNow());
        try
        {
            await Store.CommitAsync([], [new PutPool(pool)], audit with { Action = "pool.create", Target = pool.Id, Detail = $"{pool.Prefix} {pool.Template}" }, cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConflictException e)
        {
            throw new ControlException(ControlError.Conflict, "pool_overlaps", e.Message, "prefix");
        }
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return (pool, created);
    }

    public async Task<PoolRecord> GetAsync(string id, CancellationToken cancellationToken) =>
        (await Store.ListPoolsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Id == id)
        ?? throw new ControlException(ControlError.NotFound, "pool_not_found", $"no pool {id}");

    /// <summary>
    /// Changes the default-name template and TTL of a pool; every address of it that has no PTR of
    /// its own answers the new default at once. The prefix is fixed: a different prefix is a
    /// different pool.
    /// </summary>
    public async Task<PoolRecord> UpdateAsync(string id, string? template, uint? ttl, AuditEntry audit, CancellationToken cancellationToken)
    {
        var pool = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (template is not null && string.IsNullOrWhiteSpace(template))
            throw new ControlException(ControlError.Invalid, "validation_failed", "defaultPtr: must not be empty", "defaultPtr");
        if (ttl is > int.MaxValue)
            throw new ControlException(ControlError.Invalid, "validation_failed", "ttl: must be at most 2147483647 (RFC 2181 §8)", "ttl");
        if (!DefaultNamePool.TryCreate(IpPrefix.Parse(pool.Prefix), template ?? pool.Template, ttl ?? pool.Ttl, out var names, out var templateError))
            throw new ControlException(ControlError.Invalid, "validation_failed", $"defaultPtr: {templateError}", "defaultPtr");
        if (names.Template != pool.Template && zones.Served.Current.FindZone(names.ForwardZone.Prepend("x").Wire) is null)
        {
            var created = new List<string>();
            await EnsureZoneAsync(names.ForwardZone, created, audit, cancellationToken).ConfigureAwait(false);
        }
        var updated = pool with { Template = names.Template, Ttl = names.Ttl };
        try
        {
            await Store.CommitAsync([], [new UpdatePool(id, updated.Template, updated.Ttl)],
                audit with { Action = "pool.update", Target = id, Before = $"{pool.Template} ttl {pool.Ttl}", After = $"{updated.Template} ttl {updated.Ttl}" },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConflictException)
        {
            throw new ControlException(ControlError.NotFound, "pool_not_found", $"no pool {id}");
        }
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// Deletes a pool none of whose addresses is allocated (409 <c>pool_allocated</c> otherwise).
    /// Its default names stop at once; its zones stay, with whatever PTRs they hold, until the
    /// operator deletes them.
    /// </summary>
    public async Task DeleteAsync(string id, AuditEntry audit, CancellationToken cancellationToken)
    {
        var pool = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        var allocated = (await Store.ListAllocationsAsync(null, includeReleased: false, cancellationToken).ConfigureAwait(false))
            .Where(a => a.PoolId == id).ToList();
        if (allocated.Count > 0)
            throw Allocated(pool, allocated);
        try
        {
            await Store.CommitAsync([], [new DeletePool(id)],
                audit with { Action = "pool.delete", Target = id, Before = $"{pool.Prefix} {pool.Template}" }, cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConflictException)
        {
            allocated = (await Store.ListAllocationsAsync(null, includeReleased: false, cancellationToken).ConfigureAwait(false)).Where(a => a.PoolId == id).ToList();
            throw allocated.Count > 0 ? Allocated(pool, allocated) : new ControlException(ControlError.NotFound, "pool_not_found", $"no pool {id}");
        }
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ControlException Allocated(PoolRecord pool, List<AllocationRecord> allocated) =>
        new(ControlError.Conflict, "pool_allocated",
            $"pool {pool.Id} ({pool.Prefix}) has {allocated.Count} allocation(s) ({string.Join(", ", allocated.Take(5).Select(a => $"{a.Id} {a.Prefix} to {a.TenantId}"))}); release them first",
            null, new Dictionary<string, object?> { ["allocations"] = allocated.Select(a => a.Id).ToList() });

    private async Task EnsureZoneAsync(DnsName name, List<string> created, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (zones.Served.Current.Get(name) is not null)
            return;
        try
        {
            await zones.CreateAsync(name, defaults.Skeleton(name, null, time.GetUtcNow()), replace: false,
                audit with { Action = "zone.create", Target = name.ToString(), Detail = "for a pool" }, cancellationToken).ConfigureAwait(false);
            created.Add(name.ToString());
        }
        catch (StoreConflictException)
        {
            // Created meanwhile by another request or node: it exists, which is all we need.
            await zones.CatchUpAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Rebuilds the default names served in DNS from the stored pools.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        // One reload at a time, so the last applied is the last read.
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pools = await Store.ListPoolsAsync(cancellationToken).ConfigureAwait(false);
            // The pools in use already (a resync round reloads after any settings moved): nothing to rebuild, nothing to tell.
            if (_applied is not null && pools.SequenceEqual(_applied))
                return;
            var built = new List<DefaultNamePool>(pools.Count);
            foreach (var p in pools)
            {
                if (DefaultNamePool.TryCreate(IpPrefix.Parse(p.Prefix), p.Template, p.Ttl, out var pool, out _))
                    built.Add(pool);
            }
            var names = new DefaultNames(built);
            zones.Served.Update(set => set.WithDefaults(names));
            _applied = pools;
        }
        finally
        {
            _reload.Release();
        }
        Reloaded?.Invoke();
    }

    private readonly SemaphoreSlim _reload = new(1, 1);

    /// <summary>The pools whose default names are in use, as last read from the store.</summary>
    private IReadOnlyList<PoolRecord>? _applied;

    /// <summary>Raised after the pools were read from the store again (created here, or changed by another node).</summary>
    public event Action? Reloaded;

    /// <summary>The pool that holds <paramref name="address"/> in DNS right now, or null.</summary>
    public DefaultNamePool? PoolOf(IpAddress address) => zones.Served.Current.Defaults.PoolOf(address);

    /// <summary>The default name of an address, when it is in a pool.</summary>
    public string? DefaultName(IpAddress address)
    {
        var pool = PoolOf(address);
        if (pool is null)
            return null;
        Span<byte> wire = stackalloc byte[DnsName.MaxLength];
        int n = pool.WriteName(address, wire);
        return DnsName.FromWire(wire[..n]).ToString();
    }
}
