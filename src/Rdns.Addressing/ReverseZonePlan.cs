namespace Rdns.Addressing;

/// <summary>One reverse zone of a <see cref="ReverseZonePlan"/>.</summary>
/// <param name="Name">The zone's apex, lowercase with a trailing dot.</param>
/// <param name="Prefix">The addresses whose reverse names the zone holds.</param>
/// <param name="Kind">Octet, nibble or RFC 2317 classless.</param>
/// <param name="ParentZone">
/// For <see cref="ZoneKind.Classless"/> zones, the /24 zone that must hold the NS and CNAME
/// records (see <see cref="ClasslessDelegation"/>); otherwise null.
/// </param>
public sealed record PlannedZone(string Name, IpPrefix Prefix, ZoneKind Kind, string? ParentZone = null);

/// <summary>
/// Which reverse zones hold the reverse names of a prefix. Reverse names have labels only on
/// octet (IPv4) or nibble (IPv6) boundaries, so:
/// <list type="bullet">
/// <item>a prefix on a boundary is one zone (<c>192.0.2.0/24</c> → <c>2.0.192.in-addr.arpa.</c>);</item>
/// <item>an IPv4 prefix shorter than /24 off a boundary is split into the zones of the next
/// longer boundary (<c>10.0.0.0/20</c> → 16 /24 zones);</item>
/// <item>an IPv4 /25 … /32 becomes one RFC 2317 child zone inside its /24
/// (<c>192.0.2.128/26</c> → <c>128-26.2.0.192.in-addr.arpa.</c>);</item>
/// <item>an IPv6 prefix off a nibble boundary is split into the zones of the next nibble
/// (<c>2001:db8::/50</c> → 4 /52 zones);</item>
/// <item>a /0 is the whole tree: <c>in-addr.arpa.</c> or <c>ip6.arpa.</c>.</item>
/// </list>
/// Splitting only to the next boundary bounds every plan: at most 2^7 = 128 zones for IPv4
/// (a /1, /9 or /17) and 2^3 = 8 for IPv6, so the plan is a plain list.
/// </summary>
public static class ReverseZonePlan
{
    /// <summary>The largest plan any prefix produces (an IPv4 /1, /9 or /17).</summary>
    public const int MaxZones = 128;

    public static IReadOnlyList<PlannedZone> For(IpPrefix prefix, ClasslessStyle style = ClasslessStyle.Dash)
    {
        if (prefix.Family == IpFamily.V6)
        {
            // RFC 3596 §2.5: one label per nibble, so zones cut on multiples of 4 bits.
            int nibbleLength = (prefix.Length + 3) / 4 * 4;
            return Zones(prefix, nibbleLength, ZoneKind.Nibble);
        }
        if (prefix.Length > 24)
        {
            // RFC 2317 §4: a block smaller than a /24 gets its own zone below the /24, named after
            // its first address and length.
            var parent = IpPrefix.Containing(prefix.Network, 24);
            return [new PlannedZone(ReverseName.ClasslessZoneName(prefix, style), prefix, ZoneKind.Classless,
                ReverseName.ZoneName(parent))];
        }
        // RFC 1035 §3.5: one label per octet.
        int octetLength = (prefix.Length + 7) / 8 * 8;
        return Zones(prefix, octetLength, ZoneKind.Octet);
    }

    private static PlannedZone[] Zones(IpPrefix prefix, int length, ZoneKind kind)
        => prefix.Split(length).Select(p => new PlannedZone(ReverseName.ZoneName(p), p, kind)).ToArray();
}
