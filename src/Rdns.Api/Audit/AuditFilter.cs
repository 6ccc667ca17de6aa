using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Storage;

namespace Rdns.Api.Audit;

/// <summary>
/// Which audit rows a query asks for. Rows name their target as text (a zone, an address, an id),
/// so a filter matches what a row says: <c>zone</c> the zone itself or an address inside a reverse
/// zone; <c>tenant</c> rows a tenant's key made or that name the tenant; <c>ip</c> rows whose
/// target or prefix holds the address; <c>action</c> an action or, ending in a dot, a family
/// (<c>ptr.</c>).
/// </summary>
public sealed class AuditFilter
{
    private readonly DnsName? _zone;
    private readonly IpPrefix? _zonePrefix;
    private readonly string? _tenant;
    private readonly IpAddress? _ip;
    private readonly string? _action;

    public AuditFilter(string? zone, string? tenant, string? ip, string? action)
    {
        if (zone is not null)
        {
            _zone = Zones.ZoneEndpoints.ParseZoneName(zone, "zone");
            if (ReverseName.TryParseZone(_zone.ToString(), out var prefix, out _))
                _zonePrefix = prefix;
        }
        if (tenant is not null)
        {
            if (tenant.Length is 0 or > 100 || !tenant.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw ApiException.Invalid("tenant", "a tenant id (ten_…)");
            _tenant = tenant;
        }
        if (ip is not null)
            _ip = ApiInput.ParseIp(ip, "ip");
        if (action is not null)
        {
            if (action.Length is 0 or > 100 || !action.All(c => char.IsAsciiLetterLower(c) || c is '.' or '-' or '_'))
                throw ApiException.Invalid("action", "an action such as ptr.set, or a family ending in a dot such as ptr.");
            _action = action;
        }
    }

    public bool Matches(AuditRecord row)
    {
        if (_action is not null && !(row.Action == _action || (_action.EndsWith('.') && row.Action.StartsWith(_action, StringComparison.Ordinal))))
            return false;
        if (_tenant is not null && !(row.Actor.StartsWith($"tenant:{_tenant}:", StringComparison.Ordinal) || row.Target == _tenant
                                     || (row.Detail?.Contains(_tenant, StringComparison.Ordinal) ?? false)))
            return false;
        if (_ip is { } ip && !Prefixes(row).Any(p => p.Contains(ip)))
            return false;
        if (_zone is not null)
        {
            bool named = DnsName.TryParse(row.Target.EndsWith('.') ? row.Target : row.Target + ".", null, out var target, out _) && target.Equals(_zone);
            bool inside = _zonePrefix is { } zp && Prefixes(row).Any(p => zp.Contains(p.First));
            if (!named && !inside)
                return false;
        }
        return true;
    }

    /// <summary>The addresses and prefixes a row names: its target and the first word of its detail.</summary>
    private static IEnumerable<IpPrefix> Prefixes(AuditRecord row)
    {
        if (IpPrefix.TryParse(row.Target, out var target, out _))
            yield return target;
        var first = row.Detail?.Split([' ', ':'], 2)[0];
        if (first is not null && IpPrefix.TryParse(first, out var detail, out _))
            yield return detail;
    }
}
