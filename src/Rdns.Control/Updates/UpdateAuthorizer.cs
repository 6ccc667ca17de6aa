using System.Net;
using Rdns.Addressing;
using Rdns.Control.Tenants;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones.Updates;

namespace Rdns.Control.Updates;

/// <summary>
/// Who may update what (RFC 2136 §3.3). Unsigned updates only from the ranges the operator lists
/// (REFUSED otherwise, as BIND answers); a signed update under its key's rules; a tenant's key
/// over the PTR and DHCID records of the addresses the tenant holds now, each new PTR passing the
/// tenant's PTR policy (<see cref="TenantUpdateCheck"/>). An UPDATE a view matched is judged by the
/// same rules, on the view's zones; a tenant's key there may change the PTR and DHCID records of
/// private addresses in the tenant's own view only (<see cref="TenantViewUpdateCheck"/>), never in
/// another tenant's view.
/// </summary>
public sealed class UpdateAuthorizer : IUpdateAuthorizer
{
    private static readonly IReadOnlySet<RecordType> TenantTypes = new HashSet<RecordType> { RecordType.PTR, RecordType.DHCID };

    private readonly UpdateKeys _keys;
    private readonly ITenantStore _tenants;
    private readonly TenantReverseService _reverse;
    private readonly IReadOnlyList<IpPrefix> _unsignedFrom;
    private readonly IReadOnlyList<UpdateRule> _unsignedRules;
    private readonly Views.ViewRegistry? _views;

    public UpdateAuthorizer(UpdateKeys keys, ITenantStore tenants, TenantReverseService reverse, UpdateOptions options, Views.ViewRegistry? views = null)
    {
        _views = views;
        _keys = keys;
        _tenants = tenants;
        _reverse = reverse;
        var from = new List<IpPrefix>();
        foreach (var text in options.UnsignedFrom ?? [])
        {
            if (!IpPrefix.TryParse(text, out var prefix, out var error))
                throw new ControlException(Rdns.Zones.Writes.WriteError.Invalid, "validation_failed", $"Update:UnsignedFrom '{text}': {error}", "Update:UnsignedFrom");
            from.Add(prefix);
        }
        _unsignedFrom = from;
        _unsignedRules = from.Count == 0 ? [] : UpdateRules.Parse(options.UnsignedAllow, "Update:UnsignedAllow");
    }

    public async ValueTask<UpdateAuthorization> AuthorizeAsync(UpdateRequester requester, DnsName zone, CancellationToken cancellationToken)
    {
        if (requester.KeyName is null)
        {
            if (requester.Client is { } client && _unsignedFrom.Any(p => p.Contains(Address(client))))
                return Granted(new UpdatePermission($"unsigned:{client}", _unsignedRules), zone);
            return UpdateAuthorization.Refused($"unsigned updates are not accepted from {requester.Client?.ToString() ?? "this client"}; sign them with a TSIG key (RFC 2136 §3.3)");
        }
        var policy = _keys.Policy(requester.KeyName);
        if (policy is null)
            return UpdateAuthorization.Refused($"key {requester.KeyName} has no update policy");
        if (policy.TenantId is null)
            return Granted(new UpdatePermission($"tsig:{policy.Name}", policy.Rules), zone);
        if (!ViewName.IsPublic(requester.View))
            return InTenantView(policy, requester.View, zone);

        var held = await _tenants.ListAllocationsAsync(policy.TenantId, includeReleased: false, cancellationToken).ConfigureAwait(false);
        if (held.Count == 0)
            return UpdateAuthorization.Refused($"key {policy.Name} belongs to tenant {policy.TenantId}, which holds no addresses");
        var rules = held.Select(a => new UpdateRule { Prefix = IpPrefix.Parse(a.Prefix), Types = TenantTypes }).ToList();
        return UpdateAuthorization.Granted(new UpdatePermission($"tsig:{policy.Name} (tenant {policy.TenantId})", rules)
        {
            Content = new TenantUpdateCheck(policy.TenantId, held, _reverse),
        });
    }

    private UpdateAuthorization InTenantView(UpdateKeyPolicy policy, string viewName, DnsName zone)
    {
        var view = _views?.Find(viewName);
        if (view?.Definition is null || view.Definition.TenantId != policy.TenantId)
            return UpdateAuthorization.Refused($"key {policy.Name} belongs to tenant {policy.TenantId}, and view {viewName} is not that tenant's");
        if (zone.Equals(view.CatalogName))
            return UpdateAuthorization.Refused($"the view's catalog {zone} is kept by the server");
        var rules = Views.TenantViewService.PrivateSpace.Select(p => new UpdateRule { Prefix = p, Types = TenantTypes }).ToList();
        return UpdateAuthorization.Granted(new UpdatePermission($"tsig:{policy.Name} (tenant {policy.TenantId}, view {view.Name})", rules)
        {
            Content = new TenantViewUpdateCheck(view),
        });
    }

    /// <summary>A key with no rule for the zone is refused up front, before its prerequisites are looked at.</summary>
    private static UpdateAuthorization Granted(UpdatePermission permission, DnsName zone) =>
        permission.Rules.Any(r => r.Zone is null || r.Zone.Equals(zone))
            ? UpdateAuthorization.Granted(permission)
            : UpdateAuthorization.Refused($"{permission.Actor} may not update zone {zone}");

    private static IpAddress Address(IPAddress client) =>
        IpAddress.FromIPAddress(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client);
}
