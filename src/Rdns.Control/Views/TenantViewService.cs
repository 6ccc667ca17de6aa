using Rdns.Addressing;
using Rdns.Control.Ptr;
using Rdns.Control.Tenants;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Control.Views;

/// <summary>
/// Tenant networks (Alibaba's PrivateZone, Azure's and AWS's private zones): a tenant sets the
/// PTRs of private addresses in the view an operator assigned to it. No allocation is needed (the
/// space is the tenant's own network's, and two tenants may use the same prefixes), the forward
/// check is made against the view's own forward data, never the public DNS (<see cref="ViewForwardCheck"/>),
/// and the reverse zone is created in the view on first use. A view that is not the tenant's is answered exactly as one
/// that does not exist, so a tenant learns nothing of other tenants' views.
/// </summary>
public sealed class TenantViewService(ViewRegistry views, ZoneDefaults defaults, TenantOptions options, TimeProvider time)
{
    /// <summary>RFC 1918, RFC 6598 shared address space, RFC 4193 unique local addresses.</summary>
    public static readonly IReadOnlyList<IpPrefix> PrivateSpace =
        [.. new[] { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7" }.Select(p => IpPrefix.Parse(p))];

    public static bool IsPrivate(IpAddress address) => PrivateSpace.Any(p => p.Contains(address));

    public async Task<PrivateReverse> SetAsync(string tenantId, string view, IpAddress address, string? name, AuditEntry audit, CancellationToken cancellationToken)
    {
        var scope = Require(tenantId, view, address);
        if (string.IsNullOrWhiteSpace(name))
            throw new ControlException(WriteError.Invalid, "invalid_name", "required: the host name the address should point to", "name");
        if (!PtrTarget.TryNormalize(name, out var normalized, out var reason))
            throw new ControlException(WriteError.Invalid, "invalid_name", reason!, "name");
        var target = DnsName.Parse(normalized);
        ViewForwardCheck.Check(scope.Served.Current, address, target);
        var location = PtrLocator.Locate(scope.Served.Current, address);
        var write = new ZoneWrite([], new WriteAudit(audit.Actor, "reverse.set", $"{address} (view {view})", target.ToString(), audit.RemoteAddress));
        DnsName zone;
        DnsName owner;
        switch (location.Error)
        {
            case PtrLocationError.None:
                zone = location.Zone!.Origin;
                owner = location.Owner;
                break;
            case PtrLocationError.NoZone:
                // The view's reverse zone of the address's /24 (IPv4) or /48 (IPv6), made now.
                zone = DnsName.Parse(ReverseZonePlan.For(IpPrefix.Containing(address, address.Family == IpFamily.V4 ? 24 : 48))[0].Name);
                owner = location.Owner;
                write = write with { Creations = [new NewZone(zone, defaults.Skeleton(zone, null, time.GetUtcNow()))] };
                break;
            default:
                throw new ControlException(WriteError.Conflict, "address_delegated", $"{address}: {location.Detail}", "ip");
        }
        write = write with { Edits = [new ZoneEdit(zone, [new RRsetChange(owner, RecordType.PTR, options.PtrTtl, [target.Wire.ToArray()])])] };
        await scope.Writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        return Read(scope, address);
    }

    public PrivateReverse Get(string tenantId, string view, IpAddress address)
    {
        var scope = Require(tenantId, view, address);
        var reverse = Read(scope, address);
        return reverse.Name is null
            ? throw new ControlException(WriteError.NotFound, "ptr_not_found", $"{address} has no PTR in view {view}", "ip")
            : reverse;
    }

    public async Task ResetAsync(string tenantId, string view, IpAddress address, AuditEntry audit, CancellationToken cancellationToken)
    {
        var scope = Require(tenantId, view, address);
        var location = PtrLocator.Locate(scope.Served.Current, address);
        if (!location.Found || location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR) is null)
            throw new ControlException(WriteError.NotFound, "ptr_not_found", $"{address} has no PTR in view {view}", "ip");
        var edit = new ZoneEdit(location.Zone.Origin, [new RRsetChange(location.Owner, RecordType.PTR, 0, [])]);
        await scope.Writer.WriteAsync(new ZoneWrite([edit], new WriteAudit(audit.Actor, "reverse.reset", $"{address} (view {view})", null, audit.RemoteAddress)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every PTR in the tenant's views (a view assigned to another tenant is never read), as the
    /// tenant's address listing shows them beside its public ones: each names its view, with its
    /// forward check as of now (<c>drifted</c> when the view's forward data no longer points back).
    /// </summary>
    public IEnumerable<ReverseView> List(string tenantId, string? status)
    {
        foreach (var scope in views.Views)
        {
            if (scope.Definition?.TenantId != tenantId)
                continue;
            var zones = scope.Served.Current;
            foreach (var zone in zones.Zones)
            {
                if (zone.Origin.Equals(scope.CatalogName))
                    continue;
                foreach (var record in zone.Records())
                {
                    if (record.Type != RecordType.PTR || !ReverseName.TryParseAddress(record.Owner.ToString(), out var address, out _))
                        continue;
                    var target = Rdata.ReadName(record.Data);
                    var (state, detail) = CheckNow(zones, address, target);
                    if (status is null || status == state)
                        yield return new ReverseView(address.ToString(), target.ToString(), true, state, detail, null, null) { View = scope.Name };
                }
            }
        }
    }

    private static (string Status, string Detail) CheckNow(Rdns.Zones.ZoneSet zones, IpAddress address, DnsName target)
    {
        try
        {
            return ViewForwardCheck.Check(zones, address, target);
        }
        catch (ControlException e)
        {
            return (TenantReverseService.Drifted, e.Message);
        }
    }

    private ViewZones Require(string tenantId, string view, IpAddress address)
    {
        var scope = views.Find(view);
        if (scope?.Definition is null || scope.Definition.TenantId != tenantId)
            throw new ControlException(WriteError.NotFound, "view_not_found", $"there is no view named {Excerpt.Of(view)}", "view");
        if (!IsPrivate(address))
        {
            throw new ControlException(WriteError.Refused, "address_not_private",
                $"{address} is not private address space (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7); public addresses are set without ?view= on addresses the tenant holds", "ip");
        }
        return scope;
    }

    private static PrivateReverse Read(ViewZones scope, IpAddress address)
    {
        var location = PtrLocator.Locate(scope.Served.Current, address);
        var set = location.Found ? location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR) : null;
        var target = set is null ? null : Rdata.ReadName(set.Data[0]);
        var check = target is null ? default : CheckNow(scope.Served.Current, address, target);
        return new PrivateReverse(address.ToString(), scope.Name, target?.ToString(),
            location.Zone?.Origin.ToString() ?? "", location.Zone?.Serial ?? 0, check.Status, check.Detail);
    }
}
