using System.Net;

namespace Rdns.Addressing.Tests;

public class IpAddressTests
{
    [Theory]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("192.0.2.129", 0xC0000281u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    public void Parses_a_dotted_quad_into_the_low_32_bits(string text, uint value)
    {
        var address = IpAddress.Parse(text);
        Assert.Equal(IpFamily.V4, address.Family);
        Assert.Equal((UInt128)value, address.Value);
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("300.1.1.1", "octet 300 is out of range 0-255")]
    [InlineData("1.2.3.256", "octet 256 is out of range 0-255")]
    [InlineData("1.2.3.99999999999999999999", "octet 99999999999999999999 is out of range 0-255")]
    [InlineData("010.0.0.1", "octet 010 has a leading zero, which is ambiguous (some parsers read it as octal)")]
    [InlineData("1.2.3.00", "octet 00 has a leading zero, which is ambiguous (some parsers read it as octal)")]
    [InlineData("1.2.3", "an IPv4 address has 4 octets separated by '.', found 3")]
    [InlineData("1.2.3.4.5", "an IPv4 address has 4 octets separated by '.', found 5")]
    [InlineData("1..3.4", "empty octet (two dots in a row, or a dot at the start or end)")]
    [InlineData("1.2.3.", "empty octet (two dots in a row, or a dot at the start or end)")]
    [InlineData("1.2.3.+4", "octet '+4' is not a decimal number")]
    [InlineData("1.2.3.0x4", "octet '0x4' is not a decimal number")]
    [InlineData("1.2.3.４", "octet '４' is not a decimal number")]
    [InlineData(" 1.2.3.4", "whitespace is not allowed in an address")]
    [InlineData("1.2.3.4\n", "whitespace is not allowed in an address")]
    [InlineData("", "address is empty")]
    [InlineData("192.0.2.0/24", "a prefix length is not part of an address")]
    [InlineData("example.com", "an IPv4 address has 4 octets separated by '.', found 2")]
    public void Refuses_bad_IPv4_text_and_says_why(string text, string error)
    {
        Assert.False(IpAddress.TryParse(text, out _, out var actual));
        Assert.Equal(error, actual);
        Assert.Equal(error, Assert.Throws<FormatException>(() => IpAddress.Parse(text)).Message);
    }

    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("1::", "1::")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")] // RFC 5952 §4.2.2: one zero group stays
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")] // RFC 5952 §4.2.3: the longest run
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")] // RFC 5952 §4.2.3: the first of equal runs
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")] // RFC 5952 §5: mapped keeps the dotted tail
    [InlineData("::ffff:c000:201", "::ffff:192.0.2.1")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    [InlineData("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304")]
    [InlineData("fe80::1", "fe80::1")]
    public void Parses_RFC_4291_text_and_prints_RFC_5952_text(string text, string canonical)
    {
        var address = IpAddress.Parse(text);
        Assert.Equal(IpFamily.V6, address.Family);
        Assert.Equal(canonical, address.ToString());
        Assert.Equal(IPAddress.Parse(text), address.ToIPAddress());
    }

    [Theory]
    [InlineData("fe80::1%eth0", "scoped address (zone id 'eth0') has no reverse name; only global and unscoped addresses are in ip6.arpa")]
    [InlineData("1:2:3:4:5:6:7", "an IPv6 address has 8 groups, found 7 (use '::' for a run of zero groups)")]
    [InlineData("1:2:3:4:5:6:7:8:9", "an IPv6 address has at most 8 groups")]
    [InlineData("1:2:3:4::5:6:7:8", "'::' must stand for at least one zero group, but 8 groups are given")]
    [InlineData("1::2::3", "'::' may appear only once in an address")]
    [InlineData("1:::2", "':::' is not valid; '::' stands for the zero groups")]
    [InlineData(":1:2:3:4:5:6:7", "empty group (a single ':' at the start or end, or where '::' was meant)")]
    [InlineData("1:2:3:4:5:6:7:", "empty group (a single ':' at the start or end, or where '::' was meant)")]
    [InlineData("2001:db8::12345", "group '12345' has more than 4 hex digits")]
    [InlineData("2001:db8::g", "'g' is not a hex digit (in group 'g')")]
    [InlineData("::1.2.3.4:5", "an embedded IPv4 address may only end an IPv6 address")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4", "an embedded IPv4 address leaves room for only 6 groups before it")]
    [InlineData("::ffff:1.2.3.256", "octet 256 is out of range 0-255")]
    [InlineData("[2001:db8::1]", "'[' is not a hex digit (in group '[2001')")]
    public void Refuses_bad_IPv6_text_and_says_why(string text, string error)
    {
        Assert.False(IpAddress.TryParse(text, out _, out var actual));
        Assert.Equal(error, actual);
    }

    [Fact]
    public void Quotes_only_a_short_excerpt_of_long_garbage()
    {
        string garbage = "1.2.3." + new string('7', 3000);
        Assert.False(IpAddress.TryParse(garbage, out _, out var error));
        Assert.StartsWith("octet 777", error);
        Assert.True(error!.Length < 120, error);
    }

    [Fact]
    public void Converts_to_and_from_System_Net_IPAddress()
    {
        Assert.Equal(IpAddress.Parse("192.0.2.1"), IpAddress.FromIPAddress(IPAddress.Parse("192.0.2.1")));
        Assert.Equal(IpAddress.Parse("2001:db8::1"), IpAddress.FromIPAddress(IPAddress.Parse("2001:db8::1")));
        Assert.Equal(IpFamily.V6, IpAddress.FromIPAddress(IPAddress.Parse("::ffff:192.0.2.1")).Family);
        Assert.Throws<ArgumentException>(() => IpAddress.FromIPAddress(IPAddress.Parse("fe80::1%2")));
        Assert.Equal(IPAddress.Parse("198.51.100.7"), IpAddress.Parse("198.51.100.7").ToIPAddress());
    }

    [Fact]
    public void An_IPv4_value_cannot_exceed_32_bits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpAddress(IpFamily.V4, (UInt128)uint.MaxValue + 1));
    }

    [Fact]
    public void Orders_IPv4_before_IPv6_and_numerically_within_a_family()
    {
        var sorted = new[] { "2001:db8::1", "10.0.0.2", "::", "10.0.0.10" }.Select(s => IpAddress.Parse(s)).Order();
        Assert.Equal(["10.0.0.2", "10.0.0.10", "::", "2001:db8::1"], sorted.Select(a => a.ToString()));
    }
}
