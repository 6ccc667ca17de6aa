using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Control.Ptr;

/// <summary>
/// The PTRs a zone stores for the addresses of a prefix. It walks the records the zone holds (its
/// nodes and its compact address table), never the addresses of the prefix: an IPv6 /64 has 2^64
/// of them and usually a handful of PTRs.
/// </summary>
public static class StoredPtrs
{
    /// <summary>Owner names and addresses of the PTRs in <paramref name="zone"/> whose address is inside <paramref name="prefix"/>.</summary>
    public static IEnumerable<(DnsName Owner, IpAddress Address)> Within(ZoneSnapshot zone, IpPrefix prefix)
    {
        var layout = zone.Reverse;
        if (layout is null || !layout.Prefix.Overlaps(prefix))
            yield break;
        foreach (var node in zone.Nodes)
        {
            if (node.Find(RecordType.PTR) is not null && AddressOf(layout, node.Name, prefix) is { } address)
                yield return (DnsName.FromWire(node.Name), address);
        }
        foreach (var (owner, _, _) in zone.CompactRecords())
        {
            if (AddressOf(layout, owner, prefix) is { } address)
                yield return (DnsName.FromWire(owner), address);
        }
    }

    private static IpAddress? AddressOf(Rdns.Zones.Synthesis.ReverseZoneInfo layout, ReadOnlySpan<byte> owner, IpPrefix prefix)
    {
        if (!layout.TryRead(owner, out var value, out int bits) || bits != layout.Prefix.Network.BitLength)
            return null;
        var address = new IpAddress(layout.Prefix.Family, value);
        return prefix.Contains(address) ? address : null;
    }
}
