using System.Buffers.Binary;
using System.Data.Common;
using Rdns.Addressing;
using Rdns.Protocol.Names;

namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    /// <summary>Keeps allocation checks and inserts of concurrent nodes apart (no-op where one writer exists).</summary>
    protected virtual Task LockAllocationsAsync(StoreSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>An address as 16 big-endian octets: byte order is numeric order, in both databases.</summary>
    internal static byte[] AddressKey(UInt128 value)
    {
        var key = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(key, value);
        return key;
    }

    private static (int Family, byte[] First, byte[] Last) Range(string prefixText)
    {
        var prefix = IpPrefix.Parse(prefixText);
        return (prefix.Family == IpFamily.V4 ? 4 : 6, AddressKey(prefix.First.Value), AddressKey(prefix.Last.Value));
    }

    private async Task ApplyTenantWriteAsync(StoreSession s, TenantWrite write, CancellationToken cancellationToken)
    {
        switch (write)
        {
            case PutTenant t:
                await ExecAsync(s, "INSERT INTO tenants (id, name, created_at) VALUES (@id, @name, @at)", cancellationToken,
                    ("@id", t.Tenant.Id), ("@name", t.Tenant.Name), ("@at", DbTime(t.Tenant.CreatedAt)));
                break;
            case PutPool p:
                {
                    var (family, first, last) = Range(p.Pool.Prefix);
                    await LockAllocationsAsync(s, cancellationToken);
                    if (await ExistsAsync(s, "SELECT 1 FROM pools WHERE family = @f AND first_address <= @last AND last_address >= @first", cancellationToken,
                            ("@f", family), ("@first", first), ("@last", last)))
                        throw new TenantConflictException($"pool {p.Pool.Prefix} overlaps an existing pool");
                    await ExecAsync(s, "INSERT INTO pools (id, prefix, family, first_address, last_address, template, ttl, created_at) " +
                                       "VALUES (@id, @prefix, @f, @first, @last, @template, @ttl, @at)", cancellationToken,
                        ("@id", p.Pool.Id), ("@prefix", p.Pool.Prefix), ("@f", family), ("@first", first), ("@last", last),
                        ("@template", p.Pool.Template), ("@ttl", (long)p.Pool.Ttl), ("@at", DbTime(p.Pool.CreatedAt)));
                    s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.Pools));
                    break;
                }
            case DeletePool d:
                // Checked in the transaction that deletes, under the allocation lock, so an
                // allocation made meanwhile either lands first (and blocks this) or fails after.
                await LockAllocationsAsync(s, cancellationToken);
                if (await ExistsAsync(s, "SELECT 1 FROM allocations WHERE pool_id = @id AND released_at IS NULL", cancellationToken, ("@id", d.Id)))
                    throw new TenantConflictException($"pool {d.Id} has addresses allocated to tenants; release them first");
                if (await ExecAsync(s, "DELETE FROM pools WHERE id = @id", cancellationToken, ("@id", d.Id)) == 0)
                    throw new TenantConflictException($"no pool {d.Id}");
                s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.Pools));
                break;
            case UpdatePool u:
                if (await ExecAsync(s, "UPDATE pools SET template = @template, ttl = @ttl WHERE id = @id", cancellationToken,
                        ("@id", u.Id), ("@template", u.Template), ("@ttl", (long)u.Ttl)) == 0)
                    throw new TenantConflictException($"no pool {u.Id}");
                s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.Pools));
                break;
            case RenameTenant t:
                if (await ExecAsync(s, "UPDATE tenants SET name = @name WHERE id = @id AND deleted_at IS NULL", cancellationToken, ("@id", t.Id), ("@name", t.Name)) == 0)
                    throw new TenantConflictException($"no tenant {t.Id}");
                break;
            case DeleteTenant t:
                await LockAllocationsAsync(s, cancellationToken);
                if (await ExistsAsync(s, "SELECT 1 FROM allocations WHERE tenant_id = @id AND released_at IS NULL", cancellationToken, ("@id", t.Id)))
                    throw new TenantConflictException($"tenant {t.Id} holds addresses; release its allocations first");
                if (await ExecAsync(s, "UPDATE tenants SET deleted_at = @at WHERE id = @id AND deleted_at IS NULL", cancellationToken, ("@id", t.Id), ("@at", DbTime(t.At))) == 0)
                    throw new TenantConflictException($"no tenant {t.Id}");
                // The row stays (its released allocations keep their cool-down and the audit log
                // names it); what acted for the tenant goes with it.
                await ExecAsync(s, "UPDATE api_keys SET revoked_at = @at WHERE tenant_id = @id AND revoked_at IS NULL", cancellationToken, ("@id", t.Id), ("@at", DbTime(t.At)));
                await ExecAsync(s, "DELETE FROM domains WHERE tenant_id = @id", cancellationToken, ("@id", t.Id));
                if (await ExecAsync(s, "DELETE FROM tsig_keys WHERE tenant_id = @id", cancellationToken, ("@id", t.Id)) > 0)
                    s.Notices.Add(new ChangeNotice(DnsName.Root, 0, ChangeKind.TsigKeys));
                break;
            case PutAllocation a:
                {
                    var (family, first, last) = Range(a.Allocation.Prefix);
                    await LockAllocationsAsync(s, cancellationToken);
                    // Held allocations and those released within the cool-down both block the range.
                    var cutoff = DbTime(Now() - a.CoolDown);
                    if (await ExistsAsync(s, "SELECT 1 FROM allocations WHERE family = @f AND first_address <= @last AND last_address >= @first " +
                                             "AND (released_at IS NULL OR released_at > @cutoff)", cancellationToken,
                            ("@f", family), ("@first", first), ("@last", last), ("@cutoff", cutoff)))
                        throw new TenantConflictException($"{a.Allocation.Prefix} overlaps addresses that are allocated or cooling down after a release");
                    await ExecAsync(s, "INSERT INTO allocations (id, tenant_id, pool_id, prefix, family, first_address, last_address, created_at, released_at) " +
                                       "VALUES (@id, @tenant, @pool, @prefix, @f, @first, @last, @at, NULL)", cancellationToken,
                        ("@id", a.Allocation.Id), ("@tenant", a.Allocation.TenantId), ("@pool", a.Allocation.PoolId), ("@prefix", a.Allocation.Prefix),
                        ("@f", family), ("@first", first), ("@last", last), ("@at", DbTime(a.Allocation.CreatedAt)));
                    break;
                }
            case ReleaseAllocation r:
                if (await ExecAsync(s, "UPDATE allocations SET released_at = @at WHERE id = @id AND released_at IS NULL", cancellationToken,
                        ("@id", r.Id), ("@at", DbTime(r.At))) == 0)
                    throw new TenantConflictException($"allocation {r.Id} is not held");
                break;
            case PutCustomReverse c:
                {
                    // Checked here, in the transaction that writes the PTR, not when the request
                    // started: a forward check can take seconds, and a release committed meanwhile
                    // must win. The row lock (PostgreSQL) makes a concurrent release wait for this
                    // commit, and it then finds this row (see DeleteCustomReversesOf).
                    await using var held = s.Command("SELECT 1 FROM allocations WHERE id = @id AND released_at IS NULL" + ForUpdate);
                    held.With("@id", c.Reverse.AllocationId);
                    if (await held.ScalarInt64Async(cancellationToken) is null)
                        throw new AllocationReleasedException(c.Reverse.AllocationId);
                }
                await ExecAsync(s, "DELETE FROM custom_reverses WHERE address = @a", cancellationToken, ("@a", c.Reverse.Address));
                await ExecAsync(s, "INSERT INTO custom_reverses (address, tenant_id, allocation_id, name, status, detail, set_at, checked_at) " +
                                   "VALUES (@a, @tenant, @alloc, @name, @status, @detail, @set, @checked)", cancellationToken,
                    ("@a", c.Reverse.Address), ("@tenant", c.Reverse.TenantId), ("@alloc", c.Reverse.AllocationId), ("@name", c.Reverse.Name),
                    ("@status", c.Reverse.Status), ("@detail", c.Reverse.Detail), ("@set", DbTime(c.Reverse.SetAt)), ("@checked", DbTime(c.Reverse.CheckedAt)));
                break;
            case SetReverseByOperator o:
                await ExecAsync(s, "UPDATE custom_reverses SET name = @name, status = @status, detail = @detail, set_at = @at, checked_at = @at WHERE address = @a", cancellationToken,
                    ("@name", o.Name), ("@status", o.Status), ("@detail", o.Detail), ("@at", DbTime(o.At)), ("@a", o.Address));
                break;
            case DeleteCustomReverse d:
                await ExecAsync(s, "DELETE FROM custom_reverses WHERE address = @a", cancellationToken, ("@a", d.Address));
                break;
            case DeleteCustomReversesOf d:
                await ExecAsync(s, "DELETE FROM custom_reverses WHERE allocation_id = @id", cancellationToken, ("@id", d.AllocationId));
                break;
            case UpdateReverseStatus u:
                await ExecAsync(s, "UPDATE custom_reverses SET status = @status, detail = @detail, checked_at = @at WHERE address = @a AND name = @name", cancellationToken,
                    ("@status", u.Status), ("@detail", u.Detail), ("@at", DbTime(u.CheckedAt)), ("@a", u.Address), ("@name", u.Name));
                break;
            case PutDomain d:
                await ExecAsync(s, "DELETE FROM domains WHERE tenant_id = @tenant AND name = @name", cancellationToken,
                    ("@tenant", d.Domain.TenantId), ("@name", d.Domain.Name));
                await ExecAsync(s, "INSERT INTO domains (tenant_id, name, token, created_at, verified_at) VALUES (@tenant, @name, @token, @at, @verified)", cancellationToken,
                    ("@tenant", d.Domain.TenantId), ("@name", d.Domain.Name), ("@token", d.Domain.Token), ("@at", DbTime(d.Domain.CreatedAt)),
                    ("@verified", d.Domain.VerifiedAt is { } v ? DbTime(v) : null));
                break;
            default:
                throw new ArgumentException($"unknown tenant write {write.GetType().Name}", nameof(write));
        }
    }

    public async Task<TenantRecord?> GetTenantAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT id, name, created_at FROM tenants WHERE id = @id AND deleted_at IS NULL");
        cmd.With("@id", id);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? new TenantRecord(r.GetString(0), r.GetString(1), ReadTime(r, 2)) : null;
    }

    public async Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT id, name, created_at FROM tenants WHERE deleted_at IS NULL ORDER BY created_at, id");
        var list = new List<TenantRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            list.Add(new TenantRecord(r.GetString(0), r.GetString(1), ReadTime(r, 2)));
        return list;
    }

    public async Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(int limit, DateTimeOffset? afterCreated, string? afterId, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var s = await BeginReadAsync(cancellationToken);
        bool after = afterCreated is not null && afterId is not null;
        await using var cmd = s.Command("SELECT id, name, created_at FROM tenants WHERE deleted_at IS NULL" +
            (after ? " AND (created_at > @at OR (created_at = @at AND id > @id))" : "") + " ORDER BY created_at, id LIMIT @limit");
        if (after)
        {
            cmd.With("@at", DbTime(StoreTime.ToMicroseconds(afterCreated!.Value)));
            cmd.With("@id", afterId);
        }
        cmd.With("@limit", limit);
        var list = new List<TenantRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            list.Add(new TenantRecord(r.GetString(0), r.GetString(1), ReadTime(r, 2)));
        return list;
    }

    public async Task<IReadOnlyList<PoolRecord>> ListPoolsAsync(CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT id, prefix, template, ttl, created_at FROM pools ORDER BY family, first_address");
        var pools = new List<PoolRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            pools.Add(new PoolRecord(r.GetString(0), r.GetString(1), r.GetString(2), (uint)r.GetInt64(3), ReadTime(r, 4)));
        return pools;
    }

    private const string AllocationColumns = "id, tenant_id, pool_id, prefix, created_at, released_at";

    private AllocationRecord ReadAllocation(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), ReadTime(r, 4), r.IsDBNull(5) ? null : ReadTime(r, 5));

    public async Task<AllocationRecord?> GetAllocationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command($"SELECT {AllocationColumns} FROM allocations WHERE id = @id");
        cmd.With("@id", id);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadAllocation(r) : null;
    }

    public async Task<AllocationRecord?> FindHeldAllocationAsync(string tenantId, IpAddress address, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command($"SELECT {AllocationColumns} FROM allocations WHERE tenant_id = @tenant AND family = @f " +
                                        "AND first_address <= @a AND last_address >= @a AND released_at IS NULL");
        cmd.With("@tenant", tenantId);
        cmd.With("@f", address.Family == IpFamily.V4 ? 4 : 6);
        cmd.With("@a", AddressKey(address.Value));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadAllocation(r) : null;
    }

    public async Task<IReadOnlyList<AllocationRecord>> ListAllocationsAsync(string? tenantId, bool includeReleased, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        var where = new List<string>();
        if (tenantId is not null)
            where.Add("tenant_id = @tenant");
        if (!includeReleased)
            where.Add("released_at IS NULL");
        await using var cmd = s.Command($"SELECT {AllocationColumns} FROM allocations" +
                                        (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY family, first_address, created_at");
        if (tenantId is not null)
            cmd.With("@tenant", tenantId);
        var list = new List<AllocationRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            list.Add(ReadAllocation(r));
        return list;
    }

    private const string ReverseColumns = "address, tenant_id, allocation_id, name, status, detail, set_at, checked_at";

    private CustomReverseRecord ReadReverse(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), NullableString(r, 5), ReadTime(r, 6), ReadTime(r, 7));

    public async Task<CustomReverseRecord?> GetCustomReverseAsync(string address, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command($"SELECT {ReverseColumns} FROM custom_reverses WHERE address = @a");
        cmd.With("@a", address);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadReverse(r) : null;
    }

    public async Task<IReadOnlyList<CustomReverseRecord>> ListCustomReversesAsync(string? tenantId, string? status, string? allocationId, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        var where = new List<string>();
        if (tenantId is not null)
            where.Add("tenant_id = @tenant");
        if (status is not null)
            where.Add("status = @status");
        if (allocationId is not null)
            where.Add("allocation_id = @alloc");
        await using var cmd = s.Command($"SELECT {ReverseColumns} FROM custom_reverses" +
                                        (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY address");
        if (tenantId is not null)
            cmd.With("@tenant", tenantId);
        if (status is not null)
            cmd.With("@status", status);
        if (allocationId is not null)
            cmd.With("@alloc", allocationId);
        var list = new List<CustomReverseRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            list.Add(ReadReverse(r));
        return list;
    }

    public async Task<DomainRecord?> GetDomainAsync(string tenantId, string name, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT tenant_id, name, token, created_at, verified_at FROM domains WHERE tenant_id = @tenant AND name = @name");
        cmd.With("@tenant", tenantId);
        cmd.With("@name", name);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadDomain(r) : null;
    }

    public async Task<IReadOnlyList<DomainRecord>> ListDomainsAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await using var s = await BeginReadAsync(cancellationToken);
        await using var cmd = s.Command("SELECT tenant_id, name, token, created_at, verified_at FROM domains WHERE tenant_id = @tenant ORDER BY name");
        cmd.With("@tenant", tenantId);
        var list = new List<DomainRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            list.Add(ReadDomain(r));
        return list;
    }

    private DomainRecord ReadDomain(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), ReadTime(r, 3), r.IsDBNull(4) ? null : ReadTime(r, 4));

    private async Task<int> ExecAsync(StoreSession s, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = s.Command(sql);
        foreach (var (name, value) in parameters)
            cmd.With(name, value);
        try
        {
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new TenantConflictException("it already exists", e);
        }
    }

    private static async Task<bool> ExistsAsync(StoreSession s, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = s.Command(sql + " LIMIT 1");
        foreach (var (name, value) in parameters)
            cmd.With(name, value);
        return await cmd.ScalarInt64Async(cancellationToken) is not null;
    }
}
