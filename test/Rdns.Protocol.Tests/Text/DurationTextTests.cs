using Rdns.Protocol.Text;

namespace Rdns.Protocol.Tests.Text;

public class DurationTextTests
{
    [Theory]
    [InlineData("0", 0u)]
    [InlineData("3600", 3600u)]
    [InlineData("4294967295", 4294967295u)]
    [InlineData("1s", 1u)]
    [InlineData("1m", 60u)]
    [InlineData("1h", 3600u)]
    [InlineData("1d", 86400u)]
    [InlineData("1w", 604800u)]
    [InlineData("1w2d3h4m5s", 604800u + 2 * 86400 + 3 * 3600 + 4 * 60 + 5)]
    [InlineData("1W2D3H4M5S", 604800u + 2 * 86400 + 3 * 3600 + 4 * 60 + 5)]
    [InlineData("90m", 5400u)]
    [InlineData("1h1h", 7200u)]
    public void Reads_seconds_and_BIND_units(string text, uint expected)
    {
        Assert.True(DurationText.TryParse(text, out uint seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1q")]
    [InlineData("h")]
    [InlineData("1h30")] // BIND refuses a trailing number without a unit once units are used
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1 h")]
    [InlineData("4294967296")]
    [InlineData("7102w")] // 7102 weeks is past 2^32-1 seconds
    public void Refuses_anything_else(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }

    [Fact]
    public void A_TTL_has_the_top_bit_clear_RFC_2181_section_8()
    {
        Assert.True(DurationText.TryParseTtl("2147483647", out uint ttl, out _));
        Assert.Equal(2147483647u, ttl);
        Assert.False(DurationText.TryParseTtl("2147483648", out _, out var error));
        Assert.Equal("TTL '2147483648' is above 2147483647 (RFC 2181 §8)", error);
        Assert.False(DurationText.TryParseTtl("1q", out _, out error));
        Assert.Equal("TTL '1q' is not a number or a duration", error);
    }
}
