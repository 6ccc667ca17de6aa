namespace Rdns.Addressing.Tests;

public class IpPrefixTests
{
    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0", 24, "192.0.2.255")]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0, "255.255.255.255")]
    [InlineData("192.0.2.129", "192.0.2.129", 32, "192.0.2.129")]
    [InlineData("2001:db8::/32", "2001:db8::", 32, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("::/0", "::", 0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("2001:db8::1", "2001:db8::1", 128, "2001:db8::1")]
    public void Parses_address_slash_length_and_a_bare_address(string text, string network, int length, string last)
    {
        var prefix = IpPrefix.Parse(text);
        Assert.Equal(IpAddress.Parse(network), prefix.Network);
        Assert.Equal(length, prefix.Length);
        Assert.Equal(IpAddress.Parse(last), prefix.Last);
        Assert.Equal(prefix.Network, prefix.First);
    }

    [Theory]
    [InlineData("192.0.2.1/24", "host bits set; did you mean 192.0.2.0/24?")]
    [InlineData("2001:db8::1/64", "host bits set; did you mean 2001:db8::/64?")]
    [InlineData("192.0.2.0/33", "prefix length /33 is out of range 0-32 for IPv4")]
    [InlineData("2001:db8::/129", "prefix length /129 is out of range 0-128 for IPv6")]
    [InlineData("2001:db8::/99999", "prefix length /99999 is out of range 0-128 for IPv6")]
    [InlineData("192.0.2.0/", "missing prefix length after '/'")]
    [InlineData("192.0.2.0/024", "prefix length 024 has a leading zero")]
    [InlineData("192.0.2.0/-1", "prefix length '-1' is not a decimal number")]
    [InlineData("192.0.2.0/24/8", "prefix length '24/8' is not a decimal number")]
    [InlineData("/24", "address is empty")]
    [InlineData("", "prefix is empty")]
    [InlineData("300.0.0.0/8", "octet 300 is out of range 0-255")]
    public void Refuses_bad_prefixes_and_says_why(string text, string error)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out var actual));
        Assert.Equal(error, actual);
        Assert.Equal(error, Assert.Throws<FormatException>(() => IpPrefix.Parse(text)).Message);
    }

    [Fact]
    public void Contains_addresses_and_prefixes_of_its_own_family_only()
    {
        var p = IpPrefix.Parse("192.0.2.128/26");
        Assert.True(p.Contains(IpAddress.Parse("192.0.2.128")));
        Assert.True(p.Contains(IpAddress.Parse("192.0.2.191")));
        Assert.False(p.Contains(IpAddress.Parse("192.0.2.192")));
        Assert.False(p.Contains(IpAddress.Parse("192.0.2.127")));
        Assert.False(p.Contains(IpAddress.Parse("::c000:280")));
        Assert.True(p.Contains(IpPrefix.Parse("192.0.2.160/27")));
        Assert.True(p.Contains(p));
        Assert.False(p.Contains(IpPrefix.Parse("192.0.2.0/24")));
        Assert.True(IpPrefix.Parse("::/0").Contains(IpAddress.Parse("2001:db8::1")));
        Assert.False(IpPrefix.Parse("0.0.0.0/0").Contains(IpAddress.Parse("::")));
    }

    [Fact]
    public void Splits_into_sub_prefixes_in_address_order()
    {
        Assert.Equal(["10.0.0.0/10", "10.64.0.0/10", "10.128.0.0/10", "10.192.0.0/10"],
            IpPrefix.Parse("10.0.0.0/8").Split(10).Select(p => p.ToString()));
        Assert.Equal(["::/1", "8000::/1"], IpPrefix.Parse("::/0").Split(1).Select(p => p.ToString()));
        Assert.Equal(["255.255.255.254/32", "255.255.255.255/32"],
            IpPrefix.Parse("255.255.255.254/31").Split(32).Select(p => p.ToString()));
        // Lazy: the first of 2^128 host routes comes back at once.
        Assert.Equal("::/128", IpPrefix.Parse("::/0").Split(128).First().ToString());
    }

    [Fact]
    public void Refuses_to_be_constructed_with_host_bits_or_a_bad_length()
    {
        Assert.Throws<ArgumentException>(() => new IpPrefix(IpAddress.Parse("192.0.2.1"), 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpPrefix(IpAddress.Parse("192.0.2.0"), 33));
        Assert.Equal(IpPrefix.Parse("192.0.2.0/24"), IpPrefix.Containing(IpAddress.Parse("192.0.2.77"), 24));
    }
}
