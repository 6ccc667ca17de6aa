using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Zones;

namespace Rdns.Control.Ptr;

/// <summary>Where the PTR of an address lives, or why it cannot live here.</summary>
public readonly record struct PtrLocation(ZoneSnapshot? Zone, DnsName Owner, PtrLocationError Error, string? Detail = null)
{
    public bool Found => Error == PtrLocationError.None;
}

public enum PtrLocationError
{
    None,
    /// <summary>No hosted zone covers the address's reverse name.</summary>
    NoZone,
    /// <summary>The name is below a delegation to servers that are not us.</summary>
    Delegated,
}

/// <summary>
/// Finds the zone and owner name that hold an address's PTR: the most specific hosted zone for
/// its reverse name, and, when that name is an RFC 2317 CNAME into a child zone we also host,
/// the name inside the child instead (RFC 2317 §4).
/// </summary>
public static class PtrLocator
{
    public static PtrLocation Locate(ZoneSet zones, IpAddress address)
    {
        var owner = DnsName.Parse(ReverseName.ToName(address));
        var zone = zones.FindZone(owner.Wire);
        if (zone is null)
            return new PtrLocation(null, owner, PtrLocationError.NoZone, $"no hosted zone covers {owner}");
        var node = zone.Find(owner.Wire);
        if (node?.Cname is { } cname)
        {
            var target = Rdata.ReadName(cname.Data[0]);
            var child = zones.FindZone(target.Wire);
            if (child is not null && !ZoneSnapshot.Same(child, zone))
                return Check(child, target);
            return new PtrLocation(zone, owner, PtrLocationError.Delegated,
                $"{owner} is an alias (RFC 2317 CNAME) for {target}, which is not hosted here");
        }
        return Check(zone, owner);
    }

    private static PtrLocation Check(ZoneSnapshot zone, DnsName owner)
    {
        // Walk up from the owner: a cut above it means another server answers for the name.
        var name = owner;
        while (name.LabelCount > zone.Origin.LabelCount)
        {
            var node = zone.Find(name.Wire);
            if (node?.Cut is { } cut)
                return new PtrLocation(zone, owner, PtrLocationError.Delegated, $"{owner} is delegated to other servers at {DnsName.FromWire(cut.Name)}");
            if (node is not null)
                break;
            name = name.Parent();
        }
        return new PtrLocation(zone, owner, PtrLocationError.None);
    }
}
