using Rdns.Addressing;
using Rdns.Control.Ptr;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Control.Tenants;

/// <summary>
/// Tenants and the addresses they hold. A release resets every custom PTR of the allocation to
/// the default, records the release and writes the audit row in one transaction; the addresses
/// then stay out of new allocations for the cool-down, so no one inherits a stranger's PTR.
/// </summary>
public sealed class TenantService(ZoneService zones, PoolService pools, TenantOptions options, TimeProvider time)
{
    private IRdnsStore Store => zones.Store;

    public async Task<TenantRecord> CreateTenantAsync(string? name, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
            throw new ControlException(ControlError.Invalid, "validation_failed", "name: required, at most 200 characters", "name");
        var tenant = new TenantRecord(Ids.New("ten"), name.Trim(), time.GetUtcNow());
        await Store.CommitAsync([], [new PutTenant(tenant)], audit with { Action = "tenant.create", Target = tenant.Id, Detail = tenant.Name }, cancellationToken).ConfigureAwait(false);
        return tenant;
    }

    public async Task<TenantRecord> GetTenantAsync(string id, CancellationToken cancellationToken) =>
        await Store.GetTenantAsync(id, cancellationToken).ConfigureAwait(false)
        ?? throw new ControlException(ControlError.NotFound, "tenant_not_found", $"no tenant {id}");

    public Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken) => Store.ListTenantsAsync(cancellationToken);

    /// <summary>One page of tenants, oldest first, after the one given (keyset paging in the store).</summary>
    public Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(int limit, DateTimeOffset? afterCreated, string? afterId, CancellationToken cancellationToken) =>
        Store.ListTenantsAsync(limit, afterCreated, afterId, cancellationToken);

    public async Task<TenantRecord> RenameTenantAsync(string id, string? name, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
            throw new ControlException(ControlError.Invalid, "validation_failed", "name: required, at most 200 characters", "name");
        var tenant = await GetTenantAsync(id, cancellationToken).ConfigureAwait(false);
        var renamed = tenant with { Name = name.Trim() };
        try
        {
            await Store.CommitAsync([], [new RenameTenant(id, renamed.Name)],
                audit with { Action = "tenant.update", Target = id, Before = tenant.Name, After = renamed.Name }, cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConflictException)
        {
            throw new ControlException(ControlError.NotFound, "tenant_not_found", $"no tenant {id}");
        }
        return renamed;
    }

    /// <summary>
    /// Deletes a tenant that holds no addresses (409 <c>tenant_holds_addresses</c> otherwise): its
    /// API keys are revoked and its domains and TSIG keys removed in the same transaction.
    /// </summary>
    public async Task DeleteTenantAsync(string id, AuditEntry audit, CancellationToken cancellationToken)
    {
        var tenant = await GetTenantAsync(id, cancellationToken).ConfigureAwait(false);
        var held = await Store.ListAllocationsAsync(id, includeReleased: false, cancellationToken).ConfigureAwait(false);
        if (held.Count > 0)
            throw HoldsAddresses(id, held);
        try
        {
            await Store.CommitAsync([], [new DeleteTenant(id, time.GetUtcNow())],
                audit with { Action = "tenant.delete", Target = id, Before = tenant.Name }, cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConflictException)
        {
            held = await Store.ListAllocationsAsync(id, includeReleased: false, cancellationToken).ConfigureAwait(false);
            throw held.Count > 0 ? HoldsAddresses(id, held) : new ControlException(ControlError.NotFound, "tenant_not_found", $"no tenant {id}");
        }
    }

    private static ControlException HoldsAddresses(string id, IReadOnlyList<AllocationRecord> held) =>
        new(ControlError.Conflict, "tenant_holds_addresses",
            $"tenant {id} holds {held.Count} allocation(s) ({string.Join(", ", held.Take(5).Select(a => $"{a.Id} {a.Prefix}"))}); release them first (DELETE /v1/allocations/{{id}})",
            null, new Dictionary<string, object?> { ["allocations"] = held.Select(a => a.Id).ToList() });

    public async Task<AllocationRecord> AllocateAsync(string? tenantId, string? prefixText, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(tenantId))
            throw new ControlException(ControlError.Invalid, "validation_failed", "tenant: required", "tenant");
        await GetTenantAsync(tenantId, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(prefixText))
            throw new ControlException(ControlError.Invalid, "validation_failed", "prefix: required", "prefix");
        if (!IpPrefix.TryParse(prefixText, out var prefix, out var error))
            throw new ControlException(ControlError.Invalid, "validation_failed", $"prefix: {error}", "prefix");
        var pool = (await Store.ListPoolsAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(p => IpPrefix.Parse(p.Prefix).Contains(prefix))
            ?? throw new ControlException(ControlError.Refused, "outside_pools", $"{prefix} is not inside any address pool", "prefix");
        var allocation = new AllocationRecord(Ids.New("alloc"), tenantId, pool.Id, prefix.ToString(), time.GetUtcNow(), null);
        try
        {
            await Store.CommitAsync([], [new PutAllocation(allocation, options.CoolDown)],
                audit with { Action = "allocation.create", Target = allocation.Id, Detail = $"{allocation.Prefix} to {tenantId}" }, cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConflictException e)
        {
            throw new ControlException(ControlError.Conflict, "addresses_unavailable", e.Message, "prefix");
        }
        return allocation;
    }

    /// <summary>
    /// Releases an allocation: every PTR stored at one of its addresses (the tenant's, and any an
    /// operator set there) is removed in the same transaction, so each address answers its default
    /// again; returns how many were reset.
    /// </summary>
    public async Task<int> ReleaseAsync(string id, AuditEntry audit, CancellationToken cancellationToken)
    {
        var allocation = await Store.GetAllocationAsync(id, cancellationToken).ConfigureAwait(false);
        if (allocation is null || allocation.ReleasedAt is not null)
            throw new ControlException(ControlError.NotFound, "allocation_not_found", $"no held allocation {id}");
        var prefix = IpPrefix.Parse(allocation.Prefix);
        // Every hosted reverse zone with addresses of the prefix (the pool's zones, an RFC 2317
        // child). Each is named, so the write path locks it and catches it up; which PTRs go is
        // decided then, from the zone as it is at commit, so a PTR committed by another request or
        // node a moment ago is reset too. Counted per zone, as the last decision made it: the
        // write path may decide a request again (its batch applied again one by one).
        var reset = new Dictionary<DnsName, int>();
        var edits = zones.Served.Current.Zones
            .Where(z => z.Reverse?.Prefix.Overlaps(prefix) == true)
            .Select(z => new ZoneEdit(z.Origin, [])
            {
                Decide = current =>
                {
                    var changes = StoredPtrs.Within(current, prefix).Select(p => (RecordEdit)new RRsetChange(p.Owner, RecordType.PTR, 0, [])).ToList();
                    reset[current.Origin] = changes.Count;
                    return changes;
                },
            })
            .ToList();
        try
        {
            await zones.ChangeAsync(edits, [new ReleaseAllocation(id, time.GetUtcNow()), new DeleteCustomReversesOf(id)],
                audit with { Action = "allocation.release", Target = id, Detail = $"{allocation.Prefix} of {allocation.TenantId}: every PTR at its addresses reset to the default" },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TenantConflictException)
        {
            // Released by another request (or node) meanwhile.
            throw new ControlException(ControlError.NotFound, "allocation_not_found", $"no held allocation {id}");
        }
        return reset.Values.Sum();
    }

    /// <summary>The caller's held allocation containing the address; 404 when it holds none (whoever else might).</summary>
    public async Task<AllocationRecord> RequireHeldAsync(string tenantId, IpAddress address, CancellationToken cancellationToken) =>
        await Store.FindHeldAllocationAsync(tenantId, address, cancellationToken).ConfigureAwait(false)
        ?? throw new ControlException(ControlError.NotFound, "address_not_held", $"{address} is not an address you hold");

    public PoolService Pools => pools;
}
