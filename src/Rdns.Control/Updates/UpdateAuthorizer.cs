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
/// tenant's PTR policy (<see cref="TenantUpdateCheck"/>).
/// </summary>
public sealed class UpdateAuthorizer : IUpdateAuthorizer
{
    private static readonly IReadOnlySet<RecordType> TenantTypes = new HashSet<RecordType> { RecordType.PTR, RecordType.DHCID };

    private readonly UpdateKeys _keys;
    private readonly ITenantStore _tenants;
    private readonly TenantReverseService _reverse;
    private readonly IReadOnlyList<IpPrefix> _unsignedFrom;
    private readonly IReadOnlyList<UpdateRule> _unsignedRules;

    public UpdateAuthorizer(UpdateKeys keys, ITenantStore tenants, TenantReverseService reverse, UpdateOptions options)
    {
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

        var held = await _tenants.ListAllocationsAsync(policy.TenantId, includeReleased: false, cancellationToken).ConfigureAwait(false);
        if (held.Count == 0)
            return UpdateAuthorization.Refused($"key {policy.Name} belongs to tenant {policy.TenantId}, which holds no addresses");
        var rules = held.Select(a => new UpdateRule { Prefix = IpPrefix.Parse(a.Prefix), Types = TenantTypes }).ToList();
        return UpdateAuthorization.Granted(new UpdatePermission($"tsig:{policy.Name} (tenant {policy.TenantId})", rules)
        {
            Content = new TenantUpdateCheck(policy.TenantId, held, _reverse),
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
