using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>
/// <c>./rdns delegate</c> output, checked by BIND's named-checkzone: the parent side wrapped
/// into a zone for the /24, and the child skeleton as it is.
/// </summary>
public class DelegateCliTests
{
    private const string Parent = "2.0.192.in-addr.arpa.";

    // The parent zone needs an apex of its own; the delegation output is what goes below it.
    private const string ParentApex =
        "$ORIGIN 2.0.192.in-addr.arpa.\n"
        + "@ 3600 IN SOA ns.isp.example. hostmaster.isp.example. 1 7200 3600 1209600 3600\n"
        + "@ 3600 IN NS ns.isp.example.\n";

    [Theory]
    [InlineData("dash", "128-26")]
    [InlineData("slash", "128/26")]
    public async Task The_parent_side_loads_into_the_slash_24_zone_as_NS_and_64_CNAMEs(string style, string label)
    {
        var (parent, _) = await DelegateAsync("--style", style);

        var check = await NamedCheckZone.CheckAsync(Parent, ParentApex + parent);

        Assert.True(check.ExitCode == 0, check.ToString());
        var records = Records(check.Stdout);
        string child = $"{label}.{Parent}";
        Assert.Equal(["ns1.example.net.", "ns2.example.net."],
            records.Where(r => r.Owner == child && r.Type == "NS").Select(r => r.Data).Order());
        var cnames = records.Where(r => r.Type == "CNAME").ToList();
        Assert.Equal(Enumerable.Range(128, 64).Select(o => ($"{o}.{Parent}", $"{o}.{child}")),
            cnames.Select(r => (r.Owner, r.Data)).Order());
        Assert.All(cnames, r => Assert.Equal(3600, r.Ttl));
    }

    [Fact]
    public async Task The_child_skeleton_is_a_zone_of_its_own_and_takes_the_PTR_records()
    {
        var (_, child) = await DelegateAsync("--serial", "2026010101", "--ttl", "600");
        // The seed's child-side example: PTRs at the names the parent's CNAMEs point to.
        string withPtrs = child
            + "129\t600\tIN\tPTR\twww.contoso.com.\n"
            + "130\t600\tIN\tPTR\tmail.contoso.com.\n"
            + "131\t600\tIN\tPTR\tpartners.contoso.com.\n";

        var skeleton = await NamedCheckZone.CheckAsync("128-26.2.0.192.in-addr.arpa.", child);
        var full = await NamedCheckZone.CheckAsync("128-26.2.0.192.in-addr.arpa.", withPtrs);

        Assert.True(skeleton.ExitCode == 0, skeleton.ToString());
        Assert.True(full.ExitCode == 0, full.ToString());
        var records = Records(full.Stdout);
        var soa = Assert.Single(records, r => r.Type == "SOA");
        Assert.Equal("128-26.2.0.192.in-addr.arpa.", soa.Owner);
        Assert.Equal("ns1.example.net. hostmaster.example.net. 2026010101 7200 3600 1209600 3600", soa.Data);
        Assert.Equal(600, soa.Ttl);
        Assert.Equal(2, records.Count(r => r.Type == "NS" && r.Owner == "128-26.2.0.192.in-addr.arpa."));
        Assert.Contains(("129.128-26.2.0.192.in-addr.arpa.", "www.contoso.com."),
            records.Where(r => r.Type == "PTR").Select(r => (r.Owner, r.Data)));
    }

    [Fact]
    public async Task A_slash_32_delegates_a_single_address()
    {
        var (parent, child) = await DelegateAsync("192.0.2.7/32");

        var parentCheck = await NamedCheckZone.CheckAsync(Parent, ParentApex + parent);
        var childCheck = await NamedCheckZone.CheckAsync("7-32.2.0.192.in-addr.arpa.", child);

        Assert.True(parentCheck.ExitCode == 0, parentCheck.ToString());
        Assert.True(childCheck.ExitCode == 0, childCheck.ToString());
        var cname = Assert.Single(Records(parentCheck.Stdout), r => r.Type == "CNAME");
        Assert.Equal(("7.2.0.192.in-addr.arpa.", "7.7-32.2.0.192.in-addr.arpa."), (cname.Owner, cname.Data));
    }

    /// <summary>Runs the verb and splits its output into the parent and child sections.</summary>
    private static async Task<(string Parent, string Child)> DelegateAsync(params string[] extra)
    {
        string prefix = extra.Length > 0 && !extra[0].StartsWith('-') ? extra[0] : "192.0.2.128/26";
        string[] options = extra.Length > 0 && !extra[0].StartsWith('-') ? extra[1..] : extra;
        var result = await RdnsProcess.RunAsync(
            ["delegate", prefix, "--ns", "ns1.example.net", "--ns", "ns2.example.net", .. options]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);
        string[] sections = result.Stdout.Split("\n\n");
        Assert.Equal(2, sections.Length);
        Assert.Contains("$ORIGIN 2.0.192.in-addr.arpa.\n", sections[0]);
        Assert.Contains("$ORIGIN ", sections[1]);
        return (sections[0] + "\n", sections[1]);
    }

    private sealed record Record(string Owner, int Ttl, string Type, string Data);

    /// <summary>Reads named-checkzone's dump: owner, TTL, class, type, RDATA separated by blanks.</summary>
    private static List<Record> Records(string dump) =>
        dump.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith(';') && !line.StartsWith("zone ") && line != "OK")
            .Select(line => line.Split([' ', '\t'], 5, StringSplitOptions.RemoveEmptyEntries))
            .Select(f => new Record(f[0], int.Parse(f[1]), f[3], f[4].Trim()))
            .ToList();
}
