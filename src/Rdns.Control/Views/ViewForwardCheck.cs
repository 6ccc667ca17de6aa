using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Control.Views;

/// <summary>
/// The forward check of a tenant's PTR in a view, made against the view's own forward data, never
/// against the public DNS (a private network's names usually resolve only inside it): when the
/// view hosts the zone of the PTR's target name, that name's A (IPv4) or AAAA (IPv6) records in
/// the view must include the address, or the PTR is refused with <c>forward_check_failed</c>; when
/// the view hosts no zone for the name, there is no forward data to check against and the check
/// is skipped (status <see cref="Unchecked"/>), as the tenant's network answers for that name.
/// </summary>
public static class ViewForwardCheck
{
    public const string Confirmed = "confirmed";

    public const string Unchecked = "unchecked";

    /// <summary>The status and its detail; throws <c>forward_check_failed</c> when the view's own data says otherwise.</summary>
    public static (string Status, string Detail) Check(ZoneSet view, IpAddress address, DnsName target)
    {
        var zone = view.FindZone(target.ToLowerWire());
        if (zone is null || !target.IsSubdomainOf(zone.Origin))
            return (Unchecked, $"view {view.View} hosts no zone for {target}: not checked");
        var type = address.Family == IpFamily.V4 ? RecordType.A : RecordType.AAAA;
        var set = zone.GetRRset(target.ToLowerWire(), type);
        var addresses = set is null ? [] : set.Data.Select(d => IpAddress.FromIPAddress(new System.Net.IPAddress(d))).ToList();
        var found = addresses.Select(a => a.ToString()).ToList();
        if (addresses.Contains(address))
            return (Confirmed, $"{target} has {address} in view {view.View}");
        throw new ControlException(ControlError.Refused, "forward_check_failed",
            $"{target} does not point back to {address} in view {view.View} (zone {zone.Origin}): " +
            (found.Count == 0 ? $"it has no {RecordTypeText.ToText(type)} record there" : $"it has {string.Join(", ", found)}"), "name",
            new Dictionary<string, object?> { ["found"] = found.Count == 0 ? "no-address" : "other-addresses", ["addresses"] = found });
    }
}
