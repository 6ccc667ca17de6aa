using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Storage;

namespace Rdns.Api.Audit;

/// <summary>
/// The audit filters of a request, validated (400 naming the parameter) and turned into the
/// store's <see cref="AuditQuery"/>, which the database answers. Rows name their target as text (a
/// zone, an address, an id), so a filter matches what a row says: <c>zone</c> the zone itself or
/// an address inside a reverse zone; <c>tenant</c> rows a tenant's key made or that name the
/// tenant; <c>ip</c> rows whose target or prefix holds the address; <c>action</c> an action or,
/// ending in a dot, a family (<c>ptr.</c>).
/// </summary>
public static class AuditFilter
{
    public static AuditQuery Parse(string? zone, string? tenant, string? ip, string? action)
    {
        string? zoneName = null;
        System.Net.IPAddress? zoneFirst = null, zoneLast = null;
        if (!string.IsNullOrEmpty(zone))
        {
            var name = Zones.ZoneEndpoints.ParseZoneName(zone, "zone");
            zoneName = name.ToString();
            if (ReverseName.TryParseZone(zoneName, out var prefix, out _))
            {
                zoneFirst = prefix.First.ToIPAddress();
                zoneLast = prefix.Last.ToIPAddress();
            }
        }
        if (!string.IsNullOrEmpty(tenant) && (tenant.Length > 100 || !tenant.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
            throw ApiException.Invalid("tenant", "a tenant id (ten_…)");
        System.Net.IPAddress? address = string.IsNullOrEmpty(ip) ? null : ApiInput.ParseIp(ip, "ip").ToIPAddress();
        if (!string.IsNullOrEmpty(action) && (action.Length > 100 || !action.All(c => char.IsAsciiLetterLower(c) || c is '.' or '-' or '_')))
            throw ApiException.Invalid("action", "an action such as ptr.set, or a family ending in a dot such as ptr.");
        return new AuditQuery(NullIfEmpty(action), NullIfEmpty(tenant), address, zoneName, zoneFirst, zoneLast);
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
