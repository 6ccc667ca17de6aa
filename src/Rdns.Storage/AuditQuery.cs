using System.Net;

namespace Rdns.Storage;

/// <summary>
/// Which audit rows to read, answered by the database (a WHERE clause over keys written with each
/// row), newest first. Every field null reads every row. <see cref="Action"/> is an action or, ending
/// in a dot, a family (<c>ptr.</c>); <see cref="Tenant"/> matches rows a tenant's key made or that
/// name the tenant; <see cref="Ip"/> rows whose target or detail names a prefix holding the
/// address; <see cref="Zone"/> rows whose target is the zone, or, with <see cref="ZoneFirst"/> and
/// <see cref="ZoneLast"/> (a reverse zone's addresses), rows naming an address inside it.
/// </summary>
public sealed record AuditQuery(
    string? Action = null,
    string? Tenant = null,
    IPAddress? Ip = null,
    string? Zone = null,
    IPAddress? ZoneFirst = null,
    IPAddress? ZoneLast = null)
{
    public static readonly AuditQuery All = new();
}
