using Rdns.Addressing;
using Rdns.Control.Ptr;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Control.Tenants;

/// <summary>Many addresses at once: the tenant's allocations address by address, and many PTRs set in one change.</summary>
public sealed partial class TenantReverseService
{
    /// <summary>The most PTRs one bulk change sets: each may need a forward lookup before anything is written.</summary>
    public const int MaxBulk = 1000;

    /// <summary>
    /// The tenant's allocations, each with every address (as DNS answers it, with its status) when
    /// it holds at most <paramref name="listUpTo"/> addresses, else with the addresses that have a PTR of their own.
    /// </summary>
    public async Task<IReadOnlyList<HeldAddresses>> ListHeldAsync(string tenantId, int listUpTo, CancellationToken cancellationToken)
    {
        var allocations = await Store.ListAllocationsAsync(tenantId, false, cancellationToken).ConfigureAwait(false);
        var custom = (await Store.ListCustomReversesAsync(tenantId, null, null, cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.Address);
        var pools = await Store.ListPoolsAsync(cancellationToken).ConfigureAwait(false);
        var held = new List<HeldAddresses>();
        foreach (var allocation in allocations)
        {
            var prefix = IpPrefix.Parse(allocation.Prefix);
            bool complete = prefix.HostBits < 63 && (1L << prefix.HostBits) <= listUpTo;
            IEnumerable<IpAddress> addresses = complete
                ? prefix.Split(prefix.Network.BitLength).Select(p => p.Network)
                : custom.Values.Where(r => r.AllocationId == allocation.Id).Select(r => IpAddress.Parse(r.Address)).Order();
            var views = addresses.Select(a => ViewOf(a, custom.TryGetValue(a.ToString(), out var r) && r.AllocationId == allocation.Id ? r : null)).ToList();
            if (!complete)
                views = views.Where(v => v.Custom).ToList();
            var template = pools.FirstOrDefault(p => p.Id == allocation.PoolId)?.Template;
            held.Add(new HeldAddresses(allocation, views, complete, template));
        }
        return held;
    }

    /// <summary>
    /// Sets the PTRs of many addresses inside <paramref name="within"/> (a prefix the tenant holds)
    /// in one change: every line is checked first as <see cref="SetAsync"/> checks one (held, served,
    /// forward-confirmed or under a verified domain), and either all are written or none, with
    /// the first refusal naming its line.
    /// </summary>
    public async Task<int> SetManyAsync(string tenantId, IpPrefix within, IReadOnlyList<(IpAddress Address, string Name)> items, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
            throw new ControlException(ControlError.Invalid, "validation_failed", "items: at least one address and name", "items");
        if (items.Count > MaxBulk)
            throw new ControlException(ControlError.Invalid, "validation_failed", $"items: at most {MaxBulk} per change (got {items.Count})", "items");
        var edits = new Dictionary<DnsName, List<RRsetChange>>();
        var writes = new List<TenantWrite>();
        var seen = new HashSet<IpAddress>();
        var now = time.GetUtcNow();
        for (int i = 0; i < items.Count; i++)
        {
            var (address, name) = items[i];
            string line = $"line {i + 1} ({address})";
            if (!within.Contains(address))
                throw new ControlException(ControlError.Invalid, "validation_failed", $"{line}: not inside {within}", "items");
            if (!seen.Add(address))
                throw new ControlException(ControlError.Invalid, "validation_failed", $"{line}: the address appears twice", "items");
            if (!PtrTarget.TryNormalize(name, out var normalized, out var reason))
                throw new ControlException(ControlError.Invalid, "validation_failed", $"{line}: {reason}", "items");
            var target = DnsName.Parse(normalized);
            AllocationRecord allocation;
            (string Status, string Detail) check;
            try
            {
                allocation = await tenants.RequireHeldAsync(tenantId, address, cancellationToken).ConfigureAwait(false);
                check = await CheckNameAsync(tenantId, address, target, cancellationToken).ConfigureAwait(false);
            }
            catch (WriteException e)
            {
                throw new ControlException(e.Kind, e.Code, $"{line}: {e.Message}; nothing was changed", "items", e.Details);
            }
            var location = PtrLocator.Locate(zones.Served.Current, address);
            if (!location.Found)
                throw new ControlException(ControlError.Conflict, "address_not_served", $"{line}: {location.Detail}");
            if (!edits.TryGetValue(location.Zone!.Origin, out var changes))
                edits[location.Zone.Origin] = changes = [];
            changes.Add(new RRsetChange(location.Owner, RecordType.PTR, options.PtrTtl, [target.Wire.ToArray()]));
            writes.Add(new PutCustomReverse(new CustomReverseRecord(address.ToString(), tenantId, allocation.Id, target.ToString(), check.Status, check.Detail, now, now)));
        }
        try
        {
            await zones.ChangeAsync(edits.Select(e => new ZoneEdit(e.Key, e.Value)).ToList(), writes,
                audit with { Action = "reverse.bulk", Target = within.ToString(), Detail = $"{items.Count} addresses" }, cancellationToken).ConfigureAwait(false);
        }
        catch (AllocationReleasedException)
        {
            throw new ControlException(ControlError.Conflict, "allocation_released", $"an allocation inside {within} was released while the names were being checked; nothing was changed");
        }
        return items.Count;
    }
}
