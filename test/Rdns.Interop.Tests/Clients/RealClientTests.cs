using Rdns.Interop.Tests.Differential;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Clients;

/// <summary>One <c>./rdns serve</c> with the differential zones, for the real-client tests.</summary>
public sealed class ServedForClients : IAsyncLifetime
{
    public RdnsServer Rdns { get; private set; } = null!;

    public async Task InitializeAsync() => Rdns = await RdnsServer.StartAsync(DifferentialServers.ZoneDirectory);

    public async Task DisposeAsync()
    {
        if (Rdns is not null)
            await Rdns.DisposeAsync();
    }
}

/// <summary>
/// BIND's <c>dig</c> and Knot's <c>kdig</c> against <c>./rdns serve</c>, as an operator would use
/// them: over UDP and TCP, with and without EDNS, and a truncated UDP answer the client itself
/// retries over TCP. The tools' text output is parsed and checked.
/// </summary>
public class RealClientTests(ServedForClients served) : IClassFixture<ServedForClients>
{
    private const string Ptr1 = "1.2.0.192.in-addr.arpa.";

    public static TheoryData<string> Tools => new(["dig", "kdig"]);

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_ptr_over_udp_with_edns(string tool)
    {
        var o = await Ask(tool, Ptr1, "PTR", "+edns=0");
        Assert.Equal("NOERROR", o.Status);
        Assert.Equal(["qr", "aa"], o.Flags);
        Assert.Equal([$"{Ptr1} 3600 IN PTR gw.example.net."], o.Answer);
        Assert.Equal(0, o.EdnsVersion);
        Assert.Equal("UDP", o.Transport);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_ptr_over_udp_without_edns(string tool)
    {
        var o = await Ask(tool, Ptr1, "PTR", "+noedns");
        Assert.Equal("NOERROR", o.Status);
        Assert.Equal([$"{Ptr1} 3600 IN PTR gw.example.net."], o.Answer);
        Assert.Null(o.EdnsVersion);
        Assert.Equal("UDP", o.Transport);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_ptr_over_tcp_with_and_without_edns(string tool)
    {
        foreach (string edns in new[] { "+edns=0", "+noedns" })
        {
            var o = await Ask(tool, Ptr1, "PTR", "+tcp", edns);
            Assert.Equal("NOERROR", o.Status);
            Assert.Equal([$"{Ptr1} 3600 IN PTR gw.example.net."], o.Answer);
            Assert.Equal(edns == "+noedns" ? null : 0, o.EdnsVersion);
            Assert.Equal("TCP", o.Transport);
        }
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_truncated_udp_answer_is_retried_over_tcp_by_the_client(string tool)
    {
        // 40 PTRs (about 1100 octets) do not fit the 512 octets of a reply without EDNS.
        var o = await Ask(tool, "250.2.0.192.in-addr.arpa.", "PTR", "+noedns");
        Assert.Contains("runcated", o.Text, StringComparison.Ordinal); // "Truncated, retrying" / "truncated reply"
        Assert.Equal("TCP", o.Transport);
        Assert.Equal("NOERROR", o.Status);
        Assert.DoesNotContain("tc", o.Flags);
        Assert.Equal(40, o.Answer.Count);
        Assert.Equal(40, o.Answer.Distinct().Count());
        Assert.All(o.Answer, r => Assert.Matches(@"^250\.2\.0\.192\.in-addr\.arpa\. 3600 IN PTR multihomed-\d\d\.example\.net\.$", r));
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_truncated_udp_answer_has_tc_when_the_client_does_not_retry(string tool)
    {
        var o = await Ask(tool, "250.2.0.192.in-addr.arpa.", "PTR", "+noedns", "+ignore");
        Assert.Equal("UDP", o.Transport);
        Assert.Contains("tc", o.Flags);
        Assert.Empty(o.Answer);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task The_same_rrset_fits_with_edns_over_udp(string tool)
    {
        var o = await Ask(tool, "250.2.0.192.in-addr.arpa.", "PTR", "+edns=0", "+bufsize=1232");
        Assert.Equal("UDP", o.Transport);
        Assert.DoesNotContain("tc", o.Flags);
        Assert.Equal(40, o.Answer.Count);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_missing_name_is_nxdomain_with_the_soa(string tool)
    {
        var o = await Ask(tool, "99.2.0.192.in-addr.arpa.", "PTR");
        Assert.Equal("NXDOMAIN", o.Status);
        Assert.Equal(["qr", "aa"], o.Flags);
        Assert.Empty(o.Answer);
        Assert.Equal(["2.0.192.in-addr.arpa. 300 IN SOA ns1.example.net. hostmaster.example.net. 2024010101 7200 3600 1209600 300"], o.Authority);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_name_outside_our_zones_is_refused(string tool)
    {
        var o = await Ask(tool, "www.example.com.", "A");
        Assert.Equal("REFUSED", o.Status);
        Assert.DoesNotContain("aa", o.Flags);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task An_rfc_2317_cname_leads_into_the_child_zone(string tool)
    {
        var o = await Ask(tool, "129.2.0.192.in-addr.arpa.", "PTR");
        Assert.Equal("NOERROR", o.Status);
        Assert.Equal(["129.2.0.192.in-addr.arpa. 3600 IN CNAME 129.128-26.2.0.192.in-addr.arpa."], o.Answer);
        Assert.Equal(
            ["128-26.2.0.192.in-addr.arpa. 3600 IN NS ns1.example.net.", "128-26.2.0.192.in-addr.arpa. 3600 IN NS ns2.example.net."],
            o.Authority.Order());
        var child = await Ask(tool, "129.128-26.2.0.192.in-addr.arpa.", "PTR");
        Assert.Equal(["129.128-26.2.0.192.in-addr.arpa. 3600 IN PTR c129.example.net."], child.Answer);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task A_referral_carries_ns_and_glue_and_no_aa(string tool)
    {
        var o = await Ask(tool, "1.100.51.198.in-addr.arpa.", "PTR");
        Assert.Equal("NOERROR", o.Status);
        Assert.Equal(["qr"], o.Flags);
        Assert.Empty(o.Answer);
        Assert.Equal(2, o.Authority.Count);
        Assert.Equal(
            ["ns1.100.51.198.in-addr.arpa. 1800 IN A 198.51.100.1", "ns2.100.51.198.in-addr.arpa. 1800 IN A 198.51.100.2",
             "ns2.100.51.198.in-addr.arpa. 1800 IN AAAA 2001:db8:100::2"],
            o.Additional.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task Names_in_rdata_keep_the_case_of_the_zone_file(string tool)
    {
        // RFC 1035 §2.3.3: "When data enters the domain system, its original case should be
        // preserved whenever possible." (COMPLIANCE.md A1: Knot DNS lower-cases.)
        var o = await Ask(tool, "2.2.0.192.in-addr.arpa.", "PTR");
        Assert.Equal(["2.2.0.192.in-addr.arpa. 3600 IN PTR Mail.Example.NET."], o.Answer);
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task Edns_version_1_gets_badvers(string tool)
    {
        // dig would retry with version 0 on its own; +noednsneg keeps the first answer.
        string[] extra = tool == "dig" ? ["+edns=1", "+noednsneg"] : ["+edns=1"];
        var o = await Ask(tool, Ptr1, "PTR", extra);
        Assert.Equal("BADVERS", o.Status);
        Assert.Equal(0, o.EdnsVersion);
        Assert.Empty(o.Answer);
    }

    private async Task<ClientOutput> Ask(string tool, string name, string type, params string[] options)
    {
        // Missing tools fail the test: the environment is broken, which must not pass silently.
        string program = ProcessRunner.Find(tool)
            ?? throw new InvalidOperationException($"{tool} is not installed (./test.sh installs knot-dnsutils and bind9-dnsutils)");
        var timing = tool == "dig" ? new[] { "+time=2", "+tries=2" } : ["+time=2", "+retry=1"];
        var result = await ProcessRunner.RunAsync(program,
            ["@127.0.0.1", "-p", served.Rdns.Dns.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "+norec", .. timing, .. options, name, type],
            TimeSpan.FromSeconds(20));
        Assert.True(result.ExitCode == 0, result.ToString());
        string text = result.Stdout + result.Stderr;
        // Both tools print a warning when a reply does not match the query or does not parse.
        Assert.DoesNotMatch(@"(?i)warning: (?!truncated)|malformed|mismatch|formerr", text);
        return ClientOutput.Parse(text);
    }
}
