using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>The happy paths of <c>./rdns name</c>, <c>address</c> and <c>zones</c>.</summary>
public class AddressCliTests
{
    [Theory]
    [InlineData("192.0.2.129", "129.2.0.192.in-addr.arpa.")]
    [InlineData("2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")]
    public async Task Name_prints_the_reverse_name_and_address_reads_it_back(string address, string name)
    {
        var forward = await RdnsProcess.RunAsync("name", address);
        var back = await RdnsProcess.RunAsync("address", name);

        Assert.Equal((0, name + "\n", ""), (forward.ExitCode, forward.Stdout, forward.Stderr));
        Assert.Equal((0, address + "\n", ""), (back.ExitCode, back.Stdout, back.Stderr));
    }

    [Fact]
    public async Task Address_reads_a_name_inside_an_RFC_2317_child()
    {
        var result = await RdnsProcess.RunAsync("address", "129.128-26.2.0.192.in-addr.arpa");
        Assert.Equal((0, "192.0.2.129\n"), (result.ExitCode, result.Stdout));
    }

    [Fact]
    public async Task Zones_of_a_slash_26_is_its_RFC_2317_child_inside_the_slash_24()
    {
        var result = await RdnsProcess.RunAsync("zones", "192.0.2.128/26");

        Assert.Equal(0, result.ExitCode);
        var fields = Assert.Single(result.StdoutLines).Split('\t');
        Assert.Equal(["128-26.2.0.192.in-addr.arpa.", "192.0.2.128/26", "classless", "2.0.192.in-addr.arpa."], fields);
    }

    [Fact]
    public async Task Zones_splits_a_slash_20_into_sixteen_slash_24_zones()
    {
        var result = await RdnsProcess.RunAsync("zones", "10.0.0.0/20");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"{i}.0.10.in-addr.arpa.\t10.0.{i}.0/24\toctet"), result.StdoutLines);
    }

    [Fact]
    public async Task Zones_with_slash_style_names_the_child_as_RFC_2317_does()
    {
        var result = await RdnsProcess.RunAsync("zones", "192.0.2.0/25", "--style", "slash");
        Assert.StartsWith("0/25.2.0.192.in-addr.arpa.\t", Assert.Single(result.StdoutLines));
    }
}
