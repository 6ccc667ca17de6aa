namespace Rdns.Addressing.Tests;

public class ReverseZonePlanTests
{
    [Fact]
    public void A_slash_20_is_sixteen_slash_24_zones()
    {
        var plan = ReverseZonePlan.For(IpPrefix.Parse("10.0.0.0/20"));

        Assert.Equal(16, plan.Count);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"{i}.0.10.in-addr.arpa."), plan.Select(z => z.Name));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => IpPrefix.Parse($"10.0.{i}.0/24")), plan.Select(z => z.Prefix));
        Assert.All(plan, z => Assert.Equal(ZoneKind.Octet, z.Kind));
        Assert.All(plan, z => Assert.Null(z.ParentZone));
    }

    [Fact]
    public void A_slash_15_is_two_slash_16_zones()
    {
        var plan = ReverseZonePlan.For(IpPrefix.Parse("10.0.0.0/15"));
        Assert.Equal(["0.10.in-addr.arpa.", "1.10.in-addr.arpa."], plan.Select(z => z.Name));
    }

    [Fact]
    public void An_IPv6_slash_50_is_four_slash_52_nibble_zones()
    {
        var plan = ReverseZonePlan.For(IpPrefix.Parse("2001:db8::/50"));

        Assert.Equal(["2001:db8::/52", "2001:db8:0:1000::/52", "2001:db8:0:2000::/52", "2001:db8:0:3000::/52"],
            plan.Select(z => z.Prefix.ToString()));
        Assert.Equal(
        [
            "0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "1.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
            "2.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "3.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
        ], plan.Select(z => z.Name));
        Assert.All(plan, z => Assert.Equal(ZoneKind.Nibble, z.Kind));
    }

    [Theory]
    [InlineData("192.0.2.128/26", ClasslessStyle.Dash, "128-26.2.0.192.in-addr.arpa.")]
    [InlineData("192.0.2.128/26", ClasslessStyle.Slash, "128/26.2.0.192.in-addr.arpa.")]
    [InlineData("192.0.2.0/25", ClasslessStyle.Dash, "0-25.2.0.192.in-addr.arpa.")]
    [InlineData("192.0.2.7/32", ClasslessStyle.Dash, "7-32.2.0.192.in-addr.arpa.")]
    public void A_block_smaller_than_a_slash_24_is_one_RFC_2317_child(string prefix, ClasslessStyle style, string name)
    {
        var zone = Assert.Single(ReverseZonePlan.For(IpPrefix.Parse(prefix), style));
        Assert.Equal(name, zone.Name);
        Assert.Equal(ZoneKind.Classless, zone.Kind);
        Assert.Equal("2.0.192.in-addr.arpa.", zone.ParentZone);
        Assert.Equal(IpPrefix.Parse(prefix), zone.Prefix);
    }

    [Theory]
    [InlineData("0.0.0.0/0", "in-addr.arpa.")]
    [InlineData("::/0", "ip6.arpa.")]
    public void A_slash_0_is_the_whole_reverse_tree(string prefix, string name)
    {
        Assert.Equal(name, Assert.Single(ReverseZonePlan.For(IpPrefix.Parse(prefix))).Name);
    }

    [Fact]
    public void No_prefix_of_any_length_expands_beyond_the_documented_bound()
    {
        var worst = Enumerable.Range(0, 33).Select(l => ReverseZonePlan.For(new IpPrefix(IpAddress.FromV4(0), l)).Count)
            .Concat(Enumerable.Range(0, 129).Select(l => ReverseZonePlan.For(new IpPrefix(IpAddress.FromV6(0), l)).Count))
            .Max();
        Assert.Equal(ReverseZonePlan.MaxZones, worst);
        Assert.Equal(8, ReverseZonePlan.For(IpPrefix.Parse("::/1")).Count);
        Assert.Equal(128, ReverseZonePlan.For(IpPrefix.Parse("10.0.0.0/9")).Count);
    }
}
