using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>
/// The whole RFC 2317 chain on a real authoritative server: Knot DNS serves the parent /24 with
/// the records <c>./rdns delegate</c> printed and the child with one PTR added; the address's
/// ordinary reverse name leads through the CNAME and the delegation to the PTR.
/// </summary>
public class DelegationInKnotTests
{
    [Theory]
    [InlineData("dash", "128-26")]
    [InlineData("slash", "128/26")]
    public async Task A_lookup_of_the_ordinary_reverse_name_is_led_into_the_child_zone(string style, string label)
    {
        var delegate_ = await RdnsProcess.RunAsync(
            "delegate", "192.0.2.128/26", "--ns", "ns1.example.net", "--ns", "ns2.example.net", "--style", style);
        Assert.True(delegate_.ExitCode == 0, delegate_.ToString());
        string[] sections = delegate_.Stdout.Split("\n\n");
        var zones = new Dictionary<string, string>
        {
            ["2.0.192.in-addr.arpa."] =
                "$ORIGIN 2.0.192.in-addr.arpa.\n"
                + "@ 3600 IN SOA ns.isp.example. hostmaster.isp.example. 1 7200 3600 1209600 3600\n"
                + "@ 3600 IN NS ns.isp.example.\n"
                + sections[0] + "\n",
            [$"{label}.2.0.192.in-addr.arpa."] = sections[1] + "129\t3600\tIN\tPTR\twww.contoso.com.\n",
        };
        await using var knot = await KnotDaemon.StartAsync(zones);

        var viaParent = await knot.QueryAsync("129.2.0.192.in-addr.arpa.", "PTR");
        var inChild = await knot.QueryAsync($"129.{label}.2.0.192.in-addr.arpa.", "PTR");

        // The parent answers with the CNAME and refers to the child's name servers.
        Assert.Equal(
        [
            $"129.2.0.192.in-addr.arpa. 3600 IN CNAME 129.{label}.2.0.192.in-addr.arpa.",
            $"{label}.2.0.192.in-addr.arpa. 3600 IN NS ns1.example.net.",
            $"{label}.2.0.192.in-addr.arpa. 3600 IN NS ns2.example.net.",
        ], Normalized(viaParent));
        Assert.Equal([$"129.{label}.2.0.192.in-addr.arpa. 3600 IN PTR www.contoso.com."], Normalized(inChild));
    }

    private static string[] Normalized(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdoutLines.Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))).ToArray();
    }
}
