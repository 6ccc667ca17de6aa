using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace Rdns.Resolver.Tests;

/// <summary>resolv.conf(5) as the GNU C library reads it, limited to what a stub for absolute names uses.</summary>
public class ResolvConfTests
{
    private static IPEndPoint Ep(string address) => new(IPAddress.Parse(address), 53);

    [Fact]
    public void Nameserver_lines_give_port_53_endpoints_in_file_order_and_options_set_timeout_and_attempts()
    {
        var options = ResolvConf.Parse("""
            # written by the network manager
            ; another comment style
            search example.net corp.example.net
            domain example.net
            nameserver 10.0.0.1
            nameserver 2001:db8::53
            options timeout:1 attempts:4
            """);
        Assert.Equal([Ep("10.0.0.1"), Ep("2001:db8::53")], options.Servers);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Timeout);
        Assert.Equal(4, options.Attempts);
        Assert.Empty(options.Notes);
    }

    [Fact]
    public void Without_options_the_resolver_defaults_apply_not_the_C_library_ones()
    {
        var options = ResolvConf.Parse("nameserver 192.0.2.53\n");
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
        Assert.Equal(3, options.Attempts);
        Assert.Equal((ushort)1232, options.EdnsPayloadSize);
    }

    [Fact]
    public void An_address_ends_at_a_blank_hash_semicolon_or_carriage_return()
    {
        var options = ResolvConf.Parse("nameserver 10.0.0.1#primary\r\nnameserver\t10.0.0.2 ; secondary\r\nnameserver 10.0.0.3\r\n");
        Assert.Equal([Ep("10.0.0.1"), Ep("10.0.0.2"), Ep("10.0.0.3")], options.Servers);
        Assert.Empty(options.Notes);
    }

    [Fact]
    public void A_scoped_link_local_address_is_left_out_with_the_reason()
    {
        var options = ResolvConf.Parse("nameserver fe80::1%eth0\nnameserver 10.0.0.1\n");
        Assert.Equal([Ep("10.0.0.1")], options.Servers);
        var note = Assert.Single(options.Notes);
        Assert.Contains("line 1", note);
        Assert.Contains("fe80::1%eth0", note);
        Assert.Contains("zone index", note);
    }

    [Theory]
    [InlineData("resolver.example.net")]
    [InlineData("127.1")]
    [InlineData("10.0.0.256")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("2001:db8::g")]
    public void What_is_not_an_address_is_left_out_with_a_note(string token)
    {
        var options = ResolvConf.Parse($"nameserver {token}\nnameserver 10.0.0.1\n");
        Assert.Equal([Ep("10.0.0.1")], options.Servers);
        Assert.Contains($"'{token}' is not an IPv4 or IPv6 address", Assert.Single(options.Notes));
    }

    [Fact]
    public void Only_the_first_three_nameservers_are_used_as_by_the_C_library()
    {
        var options = ResolvConf.Parse("nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n");
        Assert.Equal([Ep("10.0.0.1"), Ep("10.0.0.2"), Ep("10.0.0.3")], options.Servers);
        Assert.Contains("10.0.0.4 is beyond the first 3", Assert.Single(options.Notes));
    }

    [Fact]
    public void No_usable_nameserver_means_the_resolver_on_this_host()
    {
        var options = ResolvConf.Parse("search example.net\nnameserver fe80::1%2\n");
        Assert.Equal([Ep("127.0.0.1")], options.Servers);
        Assert.Contains(options.Notes, n => n.Contains("using the resolver on this host", StringComparison.Ordinal));
    }

    [Fact]
    public void A_keyword_must_start_in_the_first_column_as_for_the_C_library()
    {
        var options = ResolvConf.Parse("  nameserver 10.0.0.9\nnameserver 10.0.0.1\n nameserverx 10.0.0.8\n");
        Assert.Equal([Ep("10.0.0.1")], options.Servers);
    }

    [Theory]
    [InlineData("options timeout:0", 1, 3, "outside 1-30; using 1")]
    [InlineData("options timeout:99", 30, 3, "outside 1-30; using 30")]
    [InlineData("options attempts:0", 2, 1, "outside 1-5; using 1")]
    [InlineData("options attempts:9", 2, 5, "outside 1-5; using 5")]
    [InlineData("options timeout:soon", 2, 3, "needs a whole number")]
    [InlineData("options rotate", 2, 3, "option rotate does not apply")]
    public void Options_out_of_range_are_clamped_and_unknown_ones_noted(string line, int seconds, int attempts, string note)
    {
        var options = ResolvConf.Parse($"nameserver 10.0.0.1\n{line}\n");
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.Timeout);
        Assert.Equal(attempts, options.Attempts);
        Assert.Contains(note, Assert.Single(options.Notes));
    }

    [Fact]
    public void A_later_options_line_overrides_an_earlier_one()
    {
        var options = ResolvConf.Parse("options timeout:5 attempts:1\nnameserver 10.0.0.1\noptions timeout:3\n");
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Equal(1, options.Attempts);
    }

    [Fact]
    public void FromResolvConf_reads_the_file_given()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "nameserver 198.51.100.53\noptions attempts:2\n");
            var options = ResolverOptions.FromResolvConf(file);
            Assert.Equal([Ep("198.51.100.53")], options.Servers);
            Assert.Equal(2, options.Attempts);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void FromResolvConf_without_the_file_uses_this_host_and_says_why()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"rdns-missing-{Guid.NewGuid():N}", "resolv.conf");
        var options = ResolverOptions.FromResolvConf(missing);
        Assert.Equal([Ep("127.0.0.1")], options.Servers);
        Assert.Contains(missing, options.Notes[0]);
    }

    [Fact]
    public void Any_IPv4_or_IPv6_address_written_by_IPAddress_reads_back()
    {
        var v4 = Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), 4);
        var v6 = Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), 16);
        var addresses = Gen.OneOf(v4, v6).Select(bytes => new IPAddress(bytes));
        Prop.ForAll(addresses.ToArbitrary(), address =>
        {
            var options = ResolvConf.Parse($"nameserver {address}\n");
            return options.Servers.Count == 1 && options.Servers[0].Equals(new IPEndPoint(address, 53)) && options.Notes.Count == 0;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(0, 2, 3, (ushort)1232, "at least one resolver")]
    [InlineData(1, 0, 3, (ushort)1232, "timeout")]
    [InlineData(1, 31, 3, (ushort)1232, "timeout")]
    [InlineData(1, 2, 0, (ushort)1232, "attempts")]
    [InlineData(1, 2, 6, (ushort)1232, "attempts")]
    [InlineData(1, 2, 3, (ushort)511, "EDNS payload size")]
    public void Options_that_cannot_work_are_refused_when_the_resolver_is_made(int servers, int seconds, int attempts, ushort payload, string message)
    {
        var options = new ResolverOptions
        {
            Servers = Enumerable.Range(1, servers).Select(i => Ep($"10.0.0.{i}")).ToArray(),
            Timeout = TimeSpan.FromSeconds(seconds),
            Attempts = attempts,
            EdnsPayloadSize = payload,
        };
        var error = Assert.Throws<ArgumentException>(() => new StubResolver(options));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Edns_can_be_turned_off_with_a_payload_size_of_zero()
    {
        _ = new StubResolver(new ResolverOptions { Servers = [Ep("10.0.0.1")], EdnsPayloadSize = 0 });
    }
}
