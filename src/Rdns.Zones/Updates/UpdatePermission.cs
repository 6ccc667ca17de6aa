using Rdns.Protocol.Names;

namespace Rdns.Zones.Updates;

/// <summary>
/// What a requester may touch in one zone: the owner/type pairs its rules allow, and, for
/// tenants' keys, a check of what the update writes (the tenant's PTR policy) before it is written.
/// </summary>
public sealed record UpdatePermission(string Actor, IReadOnlyList<UpdateRule> Rules)
{
    public IUpdateContentCheck? Content { get; init; }

    public bool Allows(DnsName zone, DnsName owner, Protocol.Wire.RecordType type)
    {
        foreach (var rule in Rules)
        {
            if (rule.Allows(zone, owner, type))
                return true;
        }
        return false;
    }
}
