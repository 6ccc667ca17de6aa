using FsCheck.Fluent;
using static Rdns.Addressing.Tests.Properties.Generators;

namespace Rdns.Addressing.Tests.Properties;

public class PrefixProperties
{
    [Fact]
    public void A_prefix_prints_and_parses_back_to_itself()
        => Check(AnyPrefix, p => IpPrefix.Parse(p.ToString()) == p);

    [Fact]
    public void A_prefix_contains_exactly_the_addresses_between_its_first_and_last()
        => Check(AnyPrefix.SelectMany(p => (p.Family == IpFamily.V4 ? V4 : V6).Select(a => (p, a))), x =>
            x.p.Contains(x.a) == (x.p.First <= x.a && x.a <= x.p.Last)
            && x.p.Contains(x.p.First) && x.p.Contains(x.p.Last));

    [Fact]
    public void The_zone_plan_of_any_prefix_covers_it_exactly_without_gap_or_overlap()
        => Check(AnyPrefix, p =>
        {
            var plan = ReverseZonePlan.For(p);
            if (plan.Count == 0 || plan.Count > ReverseZonePlan.MaxZones)
                return false;
            // Sorted by address, the zones must start at the prefix's first address, each begin
            // right after the previous one ends, and the last end at the prefix's last address.
            var zones = plan.Select(z => z.Prefix).OrderBy(z => z.Network).ToList();
            if (zones[0].First != p.First || zones[^1].Last != p.Last)
                return false;
            for (int i = 1; i < zones.Count; i++)
            {
                if (zones[i].First.Value != zones[i - 1].Last.Value + 1)
                    return false;
            }
            // Each zone's name says which addresses it covers.
            return plan.All(z => ReverseName.TryParseZone(z.Name, out var covered, out _) && covered == z.Prefix);
        });

    [Fact]
    public void The_zones_of_a_plan_are_as_large_as_label_boundaries_allow()
        => Check(AnyPrefix, p =>
        {
            // A label is an octet (RFC 1035 §3.5) or a nibble (RFC 3596 §2.5); an IPv4 block
            // longer than /24 is its own RFC 2317 zone.
            int step = p.Family == IpFamily.V4 ? 8 : 4;
            return ReverseZonePlan.For(p).All(z => z.Kind == ZoneKind.Classless
                ? p.Family == IpFamily.V4 && p.Length > 24 && z.Prefix == p
                : z.Prefix.Length % step == 0 && z.Prefix.Length >= p.Length && z.Prefix.Length - p.Length < step);
        });

    [Fact]
    public void Every_address_of_a_zone_has_its_reverse_name_at_or_below_the_zone_apex()
        => Check(AnyPrefix.Where(p => p.Family == IpFamily.V6 || p.Length <= 24)
                .SelectMany(p => (p.Family == IpFamily.V4 ? V4 : V6).Select(a => (p, a))), x =>
        {
            var inside = new IpAddress(x.p.Family, x.p.Network.Value | (x.a.Value & IpPrefix.HostMask(x.p.HostBits)));
            var zone = ReverseZonePlan.For(x.p).Single(z => z.Prefix.Contains(inside));
            string name = ReverseName.ToName(inside);
            return name.EndsWith("." + zone.Name, StringComparison.Ordinal) || name == zone.Name;
        });

    [Fact]
    public void A_classless_delegation_has_one_CNAME_per_address_each_leading_into_the_child()
        => Check(V4InClasslessBlock, x =>
        {
            var d = ClasslessDelegation.For(x.Block, ["ns1.example.net"], x.Style);
            var cnames = d.ParentRecords.Where(r => r.Type == "CNAME").ToList();
            return cnames.Count == 1 << x.Block.HostBits
                && cnames.All(r =>
                    ReverseName.TryParseAddress(r.Owner, out var owner, out _)
                    && ReverseName.TryParseAddress(r.Data, out var target, out _)
                    && owner == target && x.Block.Contains(owner)
                    && r.Data.EndsWith("." + d.ChildZone, StringComparison.Ordinal));
        }, tests: 300);
}
