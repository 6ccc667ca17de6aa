namespace Rdns.Storage;

public sealed record TenantRecord(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>An operator's address pool; its default names are synthesized from <see cref="Template"/>.</summary>
public sealed record PoolRecord(string Id, string Prefix, string Template, uint Ttl, DateTimeOffset CreatedAt);

/// <summary>Addresses held by a tenant; released allocations stay as history (and for the cool-down).</summary>
public sealed record AllocationRecord(string Id, string TenantId, string PoolId, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ReleasedAt);

/// <summary>A tenant's own PTR for one address, with the outcome of its latest forward check.</summary>
public sealed record CustomReverseRecord(string Address, string TenantId, string AllocationId, string Name, string Status, string? Detail, DateTimeOffset SetAt, DateTimeOffset CheckedAt);

/// <summary>A domain a tenant proves it controls by publishing <see cref="Token"/> in DNS.</summary>
public sealed record DomainRecord(string TenantId, string Name, string Token, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt);

/// <summary>
/// Writes to tenant data, applied in order in the same transaction as zone commits, after them
/// (see <see cref="ITenantStore.CommitAsync"/>), so that, for example, a release and the PTR resets
/// it causes land together or not at all.
/// </summary>
public abstract record TenantWrite;

public sealed record PutTenant(TenantRecord Tenant) : TenantWrite;

public sealed record PutPool(PoolRecord Pool) : TenantWrite;

/// <summary>Deletes a pool; fails with <see cref="TenantConflictException"/> while any of its addresses is allocated, or when there is no such pool.</summary>
public sealed record DeletePool(string Id) : TenantWrite;

/// <summary>Changes a pool's default-name template and TTL (its prefix never changes); <see cref="TenantConflictException"/> when there is no such pool.</summary>
public sealed record UpdatePool(string Id, string Template, uint Ttl) : TenantWrite;

/// <summary>Renames a tenant; <see cref="TenantConflictException"/> when there is no such tenant.</summary>
public sealed record RenameTenant(string Id, string Name) : TenantWrite;

/// <summary>
/// Deletes a tenant: refused (<see cref="TenantConflictException"/>) while it holds any allocation.
/// Its keys are revoked, its domains and TSIG keys removed; the row stays, hidden, so released
/// allocations keep their cool-down and the audit log keeps naming it.
/// </summary>
public sealed record DeleteTenant(string Id, DateTimeOffset At) : TenantWrite;

/// <summary>Adds an allocation; fails with <see cref="StoreConflictException"/> if any held or cooling address overlaps.</summary>
public sealed record PutAllocation(AllocationRecord Allocation, TimeSpan CoolDown) : TenantWrite;

public sealed record ReleaseAllocation(string Id, DateTimeOffset At) : TenantWrite;

/// <summary>
/// Adds or replaces the custom PTR of an address. Fails with <see cref="AllocationReleasedException"/>
/// when the allocation it is recorded under is no longer held, so a PTR never outlives its release.
/// </summary>
public sealed record PutCustomReverse(CustomReverseRecord Reverse) : TenantWrite;

public sealed record DeleteCustomReverse(string Address) : TenantWrite;

/// <summary>
/// The operator set the PTR of an address (PUT /v1/ptr): a custom PTR row of that address, if any,
/// takes the operator's name with <paramref name="Status"/>, so the tenant sees what DNS answers;
/// no-op when there is none.
/// </summary>
public sealed record SetReverseByOperator(string Address, string Name, string Status, string Detail, DateTimeOffset At) : TenantWrite;

/// <summary>Removes every custom PTR recorded under an allocation (on release).</summary>
public sealed record DeleteCustomReversesOf(string AllocationId) : TenantWrite;

/// <summary>Updates only the check outcome of an existing custom PTR (the drift job); no-op when it is gone or changed.</summary>
public sealed record UpdateReverseStatus(string Address, string Name, string Status, string? Detail, DateTimeOffset CheckedAt) : TenantWrite;

public sealed record PutDomain(DomainRecord Domain) : TenantWrite;

/// <summary>
/// Tenants, pools, allocations, custom PTRs and verified domains. Addresses and prefixes are
/// kept as text in canonical form plus their numeric range, so containment and overlap are
/// index lookups.
/// </summary>
public interface ITenantStore
{
    /// <summary>Zone commits and tenant writes in one transaction; either all land or none do.</summary>
    Task CommitAsync(IReadOnlyList<ZoneCommit> commits, IReadOnlyList<TenantWrite> writes, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>The tenant, or null when there is none or it was deleted.</summary>
    Task<TenantRecord?> GetTenantAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Tenants that are not deleted, oldest first.</summary>
    Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> tenants that are not deleted, oldest first (then by id), after
    /// the tenant created at <paramref name="afterCreated"/> with id <paramref name="afterId"/>: the
    /// database pages (keyset), so a page costs its own rows.
    /// </summary>
    Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(int limit, DateTimeOffset? afterCreated, string? afterId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PoolRecord>> ListPoolsAsync(CancellationToken cancellationToken = default);

    Task<AllocationRecord?> GetAllocationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The tenant's unreleased allocation that contains the address, or null.</summary>
    Task<AllocationRecord?> FindHeldAllocationAsync(string tenantId, Rdns.Addressing.IpAddress address, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AllocationRecord>> ListAllocationsAsync(string? tenantId, bool includeReleased, CancellationToken cancellationToken = default);

    Task<CustomReverseRecord?> GetCustomReverseAsync(string address, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CustomReverseRecord>> ListCustomReversesAsync(string? tenantId, string? status, string? allocationId, CancellationToken cancellationToken = default);

    Task<DomainRecord?> GetDomainAsync(string tenantId, string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DomainRecord>> ListDomainsAsync(string tenantId, CancellationToken cancellationToken = default);
}

/// <summary>
/// A custom PTR was to be written under an allocation that is released (or was never held): the
/// release committed while the PTR's forward check ran. Nothing of the transaction remains.
/// </summary>
public sealed class AllocationReleasedException(string allocationId)
    : Exception($"allocation {allocationId} is not held (it was released)")
{
    public string AllocationId { get; } = allocationId;
}

/// <summary>A tenant write collides with what is stored (an overlapping allocation or pool, a release of a released allocation, a duplicate id).</summary>
public sealed class TenantConflictException(string message, Exception? inner = null) : Exception(message, inner);
