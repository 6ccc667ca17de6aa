using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>
/// Bad input to any verb: exit code 2, exactly one line on stderr naming the problem, nothing on
/// stdout, never a stack trace.
/// </summary>
public class BadInputCliTests
{
    // Printable junk with dots, colons and slashes so it reaches deep into the parsers, plus a
    // newline that must not split the error message.
    private const string Junk = "a1.:/%z-_9\u00e9";

    private static readonly string Garbage = string.Concat(Enumerable.Range(0, 3000)
        .Select(i => Junk[(i * 7 + i / 13) % Junk.Length])) + "\nsecond line";

    public static TheoryData<string, string, string> BadInputs()
    {
        var data = new TheoryData<string, string, string>
        {
            { "name", "300.1.1.1", "rdns: 300.1.1.1: octet 300 is out of range 0-255" },
            { "name", "fe80::1%eth0", "rdns: fe80::1%eth0: scoped address (zone id 'eth0') has no reverse name" },
            { "name", "", "rdns: \"\": address is empty" },
            { "name", "192.0.2.0/33", "rdns: 192.0.2.0/33: a prefix length is not part of an address" },
            { "name", "01.2.3.4", "rdns: 01.2.3.4: octet 01 has a leading zero" },
            { "address", "300.1.1.1", "rdns: 300.1.1.1: not a reverse name" },
            { "address", "", "rdns: \"\": name is empty" },
            { "address", "192.128-26.2.0.192.in-addr.arpa", "rdns: 192.128-26.2.0.192.in-addr.arpa: 192.0.2.192 is outside the RFC 2317 child" },
            { "zones", "300.1.1.1", "rdns: 300.1.1.1: octet 300 is out of range 0-255" },
            { "zones", "192.0.2.0/33", "rdns: 192.0.2.0/33: prefix length /33 is out of range 0-32 for IPv4" },
            { "zones", "2001:db8::/129", "rdns: 2001:db8::/129: prefix length /129 is out of range 0-128 for IPv6" },
            { "zones", "fe80::1%eth0", "rdns: fe80::1%eth0: scoped address" },
            { "zones", "192.0.2.1/24", "rdns: 192.0.2.1/24: host bits set; did you mean 192.0.2.0/24?" },
            { "zones", "", "rdns: \"\": prefix is empty" },
            { "delegate", "300.1.1.1", "rdns: 300.1.1.1: octet 300 is out of range 0-255" },
            { "delegate", "192.0.2.0/33", "rdns: 192.0.2.0/33: prefix length /33 is out of range 0-32 for IPv4" },
            { "delegate", "2001:db8::/129", "rdns: 2001:db8::/129: prefix length /129 is out of range 0-128 for IPv6" },
            { "delegate", "2001:db8::/64", "rdns: 2001:db8::/64: IPv6 needs no classless delegation" },
            { "delegate", "192.0.2.0/24", "rdns: 192.0.2.0/24: RFC 2317 delegates blocks smaller than a /24" },
            { "delegate", "fe80::1%eth0", "rdns: fe80::1%eth0: scoped address" },
            { "delegate", "", "rdns: \"\": prefix is empty" },
        };
        foreach (string verb in new[] { "name", "address", "zones", "delegate" })
            data.Add(verb, Garbage, "rdns: ");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_exits_2_with_one_line_on_stderr(string verb, string input, string expectedStart)
    {
        string[] args = verb == "delegate" ? [verb, input, "--ns", "ns1.example.net"] : [verb, input];

        var result = await RdnsProcess.RunAsync(args);

        AssertOneLineUsageError(result, expectedStart);
    }

    [Theory]
    [InlineData(new[] { "name" }, "rdns: Required argument missing for command: 'name'.")]
    [InlineData(new string[0], "rdns: Required command was not provided.")]
    [InlineData(new[] { "frobnicate" }, "rdns: frobnicate: unknown command or option; 'rdns --help' lists them")]
    [InlineData(new[] { "name", "192.0.2.1", "--bogus" }, "rdns: --bogus: unknown command or option; 'rdns --help' lists them")]
    [InlineData(new[] { "delegate", "192.0.2.128/26" }, "rdns: Option '--ns' is required.")]
    [InlineData(new[] { "delegate", "192.0.2.128/26", "--ns", "ns_1.example.net" }, "rdns: name server ns_1.example.net: label 'ns_1': '_' is not allowed")]
    [InlineData(new[] { "delegate", "192.0.2.128/26", "--ns", "a.example", "--ttl", "soon" }, "rdns: soon: TTL must be a whole number 0-2147483647")]
    [InlineData(new[] { "delegate", "192.0.2.128/26", "--ns", "a.example", "--ttl", "-5" }, "rdns: -5: TTL must be a whole number 0-2147483647")]
    [InlineData(new[] { "delegate", "192.0.2.128/26", "--ns", "a.example", "--serial", "4294967296" }, "rdns: 4294967296: SOA serial must be a whole number 0-4294967295")]
    [InlineData(new[] { "delegate", "192.0.2.128/26", "--ns", "a.example", "--ns" }, "rdns: --ns: each --ns needs a host name after it")]
    [InlineData(new[] { "delegate", "192.0.2.128/26", "--ns", "192.0.2.1" }, "rdns: name server 192.0.2.1: top-level label '1' is all-numeric")]
    [InlineData(new[] { "zones", "10.0.0.0/8", "--style", "wavy" }, "rdns: Argument 'wavy' not recognized. Must be one of: 'dash' 'slash'")]
    [InlineData(new[] { "secondary-config", "powerdns", "--primary", "127.0.0.1:53" }, "rdns: Argument 'powerdns' not recognized. Must be one of: 'knot' 'bind' 'nsd'")]
    [InlineData(new[] { "secondary-config", "knot", "--primary", "127.0.0.1", "--key", "k" }, "rdns: 127.0.0.1: --primary: '127.0.0.1' is not IP:PORT")]
    [InlineData(new[] { "serve", "--primary", "192.0.2.1" }, "rdns: Primary '192.0.2.1': '192.0.2.1' is not IP:PORT")]
    [InlineData(new[] { "serve", "--primary", "192.0.2.1:53", "--zones", "/" }, "rdns: Zones: a secondary (--primary) takes its zones from its primary")]
    [InlineData(new[] { "compare", "127.0.0.1:53", "127.0.0.1:54" }, "rdns: nothing to compare: give --zone or --prefix")]
    [InlineData(new[] { "compare", "127.0.0.1:53", "127.0.0.1:54", "--prefix", "192.0.2.0/33" }, "rdns: 192.0.2.0/33: --prefix: ")]
    [InlineData(new[] { "name", "@/etc/passwd" }, "rdns: @/etc/passwd: ")]
    public async Task Command_line_mistakes_exit_2_with_one_line_on_stderr(string[] args, string expectedStart)
    {
        var result = await RdnsProcess.RunAsync(args);

        AssertOneLineUsageError(result, expectedStart);
    }

    [Fact]
    public async Task A_3_kB_unknown_verb_is_echoed_only_in_part()
    {
        var result = await RdnsProcess.RunAsync(Garbage);

        AssertOneLineUsageError(result, $"rdns: {Garbage[..64]}...: unknown command or option");
    }

    private static void AssertOneLineUsageError(ProcessResult result, string expectedStart)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        string line = Assert.Single(result.StderrLines);
        Assert.StartsWith(expectedStart, line);
        Assert.True(line.Length <= 500, $"{line.Length} characters: {line}");
        Assert.DoesNotContain("   at ", line);
        Assert.DoesNotContain("Exception", line);
    }
}
