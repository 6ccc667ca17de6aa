namespace Rdns.Addressing.Tests;

/// <summary>The reverse names of the Azure reverse-DNS overview's tables and RFC 2317 example.</summary>
public class ReverseNameTests
{
    // IPv4 table: prefix → reverse zone name (class A, B, C).
    [Theory]
    [InlineData("203.0.0.0/8", "203.in-addr.arpa")]
    [InlineData("198.51.0.0/16", "51.198.in-addr.arpa")]
    [InlineData("192.0.2.0/24", "2.0.192.in-addr.arpa")]
    // IPv6 table: prefix → reverse zone name.
    [InlineData("2001:db8:abdc::/64", "0.0.0.0.c.d.b.a.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("2001:db8:1000:9102::/64", "2.0.1.9.0.0.0.1.8.b.d.0.1.0.0.2.ip6.arpa")]
    public void The_zone_of_an_aligned_prefix_is_its_reversed_network_part(string prefixText, string zone)
    {
        var prefix = IpPrefix.Parse(prefixText);
        var plan = ReverseZonePlan.For(prefix);

        var only = Assert.Single(plan);
        Assert.Equal(zone + ".", only.Name);
        Assert.Equal(prefix, only.Prefix);
        Assert.True(ReverseName.TryParseZone(zone, out var parsed, out var error), error);
        Assert.Equal(prefix, parsed);
    }

    [Theory]
    [InlineData("192.0.2.129", "129.2.0.192.in-addr.arpa.")]
    [InlineData("64.4.6.100", "100.6.4.64.in-addr.arpa.")]
    [InlineData("0.0.0.0", "0.0.0.0.in-addr.arpa.")]
    [InlineData("2001:db8::567:89ab",
        "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")] // RFC 3596 §2.5
    public void An_address_has_one_reverse_name_and_it_reads_back(string addressText, string name)
    {
        var address = IpAddress.Parse(addressText);
        Assert.Equal(name, ReverseName.ToName(address));
        Assert.True(ReverseName.TryParseAddress(name, out var back, out var error), error);
        Assert.Equal(address, back);
        Assert.True(ReverseName.TryParseAddress(name.TrimEnd('.').ToUpperInvariant(), out back, out error), error);
        Assert.Equal(address, back);
    }

    [Theory]
    [InlineData("129.128-26.2.0.192.in-addr.arpa.", "192.0.2.129")]
    [InlineData("129.128/26.2.0.192.in-addr.arpa", "192.0.2.129")]
    [InlineData("128.128-26.2.0.192.IN-ADDR.ARPA", "192.0.2.128")]
    [InlineData("191.128-26.2.0.192.in-addr.arpa.", "192.0.2.191")]
    [InlineData("7.7-32.2.0.192.in-addr.arpa.", "192.0.2.7")]
    public void A_name_inside_an_RFC_2317_child_reads_as_its_address(string name, string address)
    {
        Assert.True(ReverseName.TryParseAddress(name, out var parsed, out var error), error);
        Assert.Equal(IpAddress.Parse(address), parsed);
    }

    [Theory]
    [InlineData("192.128-26.2.0.192.in-addr.arpa.", "192.0.2.192 is outside the RFC 2317 child 192.0.2.128/26 named by '128-26'")]
    [InlineData("129.129-26.2.0.192.in-addr.arpa.", "classless label '129-26': 129 is not the first address of a /26 block (did you mean 128-26?)")]
    [InlineData("129.128-24.2.0.192.in-addr.arpa.", "classless label '128-24': length must be 25-32 (RFC 2317 delegates blocks smaller than a /24)")]
    [InlineData("128-26.2.0.192.in-addr.arpa.", "names an RFC 2317 child zone, not an address")]
    [InlineData("2.0.192.in-addr.arpa.", "has 3 labels below in-addr.arpa; an IPv4 address name has 4 octets")]
    [InlineData("1.2.2.0.192.in-addr.arpa.", "has 5 labels below in-addr.arpa; an IPv4 address name has 4 octets")]
    [InlineData("300.2.0.192.in-addr.arpa.", "label '300': octet 300 is out of range 0-255")]
    [InlineData("01.2.0.192.in-addr.arpa.", "label '01': octet 01 has a leading zero, which is ambiguous (some parsers read it as octal)")]
    [InlineData("1..0.192.in-addr.arpa.", "empty label (two dots in a row, or a leading dot)")]
    [InlineData("www.example.com.", "not a reverse name: it is not under in-addr.arpa or ip6.arpa")]
    [InlineData("1.2.3.4.notin-addr.arpa", "not a reverse name: it is not under in-addr.arpa or ip6.arpa")]
    [InlineData("", "name is empty")]
    [InlineData("1.0.0.2.ip6.arpa.", "has 4 nibble labels; an IPv6 address name has 32 (RFC 3596 §2.5)")]
    [InlineData("10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
        "label '10' is not one hex digit (RFC 3596 §2.5: one nibble per label)")]
    public void Refuses_names_that_are_not_one_address_and_says_why(string name, string error)
    {
        Assert.False(ReverseName.TryParseAddress(name, out _, out var actual));
        Assert.Equal(error, actual);
    }

    [Theory]
    [InlineData("in-addr.arpa", "0.0.0.0/0")]
    [InlineData("ip6.arpa.", "::/0")]
    [InlineData("128-26.2.0.192.in-addr.arpa", "192.0.2.128/26")]
    [InlineData("128/26.2.0.192.in-addr.arpa.", "192.0.2.128/26")]
    [InlineData("0-25.2.0.192.in-addr.arpa.", "192.0.2.0/25")]
    [InlineData("129.2.0.192.in-addr.arpa.", "192.0.2.129/32")]
    [InlineData("10.in-addr.arpa.", "10.0.0.0/8")]
    [InlineData("2.ip6.arpa.", "2000::/4")]
    [InlineData("8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::/32")]
    [InlineData("0.8.b.d.0.1.0.0.2.IP6.ARPA", "2001:db8::/36")]
    public void A_zone_name_covers_a_prefix(string zone, string prefix)
    {
        Assert.True(ReverseName.TryParseZone(zone, out var parsed, out var error), error);
        Assert.Equal(IpPrefix.Parse(prefix), parsed);
    }

    [Theory]
    [InlineData("arpa.", "not a reverse name: it is not under in-addr.arpa or ip6.arpa")]
    [InlineData("1.2.3.4.5.in-addr.arpa.", "has 5 labels below in-addr.arpa; an IPv4 zone has at most 4 octets")]
    [InlineData("128-26.2.192.in-addr.arpa.", "label '128-26': octet '128-26' is not a decimal number")]
    [InlineData("g.ip6.arpa.", "label 'g' is not one hex digit (RFC 3596 §2.5: one nibble per label)")]
    public void Refuses_names_that_are_not_a_zone_and_says_why(string zone, string error)
    {
        Assert.False(ReverseName.TryParseZone(zone, out _, out var actual));
        Assert.Equal(error, actual);
    }

    [Fact]
    public void The_child_owner_name_of_an_address_is_under_the_classless_label()
    {
        var block = IpPrefix.Parse("192.0.2.128/26");
        Assert.Equal("129.128-26.2.0.192.in-addr.arpa.", ReverseName.ToClasslessName(IpAddress.Parse("192.0.2.129"), block));
        Assert.Equal("129.128/26.2.0.192.in-addr.arpa.",
            ReverseName.ToClasslessName(IpAddress.Parse("192.0.2.129"), block, ClasslessStyle.Slash));
        Assert.Throws<ArgumentException>(() => ReverseName.ToClasslessName(IpAddress.Parse("192.0.2.1"), block));
    }
}
