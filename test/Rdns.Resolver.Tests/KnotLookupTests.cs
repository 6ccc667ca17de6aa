using System.Net;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver.Tests;

/// <summary>Every lookup outcome, against a real Knot DNS server.</summary>
public sealed class KnotLookupTests(KnotForwardZones knot) : IClassFixture<KnotForwardZones>
{
    private static DnsName N(string name) => DnsName.Parse(name + ".example.test.");

    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    private Task<AddressLookup> Addresses(string name) => knot.Resolver.LookupAddressesAsync(N(name), default);

    private Task<TxtLookup> Txt(string name) => knot.Resolver.LookupTxtAsync(N(name), default);

    [Fact]
    public async Task Knot_answers_a_query_with_RD_set_authoritatively()
    {
        var result = await knot.Resolver.QueryAsync(N("v4"), RecordType.A, default);
        Assert.True(result.HasResponse, result.ToString());
        Assert.Equal(Rcode.NoError, result.Rcode);
        Assert.True(result.Response!.Has(HeaderFlags.AA), "an authoritative answer");
        Assert.True(result.Response.Has(HeaderFlags.RD), "RD was sent and is echoed (RFC 1035 §4.1.1)");
        Assert.False(result.Response.Has(HeaderFlags.RA), "knotd does not recurse");
        Assert.NotNull(result.Response.Edns);
        Assert.Equal(knot.Endpoint, result.Server);
        Assert.Equal(1, result.Tries);
        Assert.False(result.ViaTcp);
    }

    [Fact]
    public async Task An_A_record_is_found()
    {
        var lookup = await Addresses("v4");
        Assert.Equal(LookupOutcome.Found, lookup.Outcome);
        Assert.Equal([Ip("192.0.2.10")], lookup.Addresses);
        Assert.Equal(N("v4"), lookup.CanonicalName);
        Assert.Equal(2, lookup.Tries);
        Assert.Equal([knot.Endpoint], lookup.Servers);
        Assert.Equal("v4.example.test. has 192.0.2.10", lookup.Describe());
    }

    [Fact]
    public async Task An_AAAA_record_is_found()
    {
        var lookup = await Addresses("v6");
        Assert.Equal(LookupOutcome.Found, lookup.Outcome);
        Assert.Equal([Ip("2001:db8::10")], lookup.Addresses);
    }

    [Fact]
    public async Task A_and_AAAA_together_list_IPv4_first()
    {
        var lookup = await Addresses("dual");
        Assert.Equal([Ip("198.51.100.7"), Ip("2001:db8::9")], lookup.Addresses);
        Assert.True(lookup.Contains(Ip("2001:db8::9")));
        Assert.False(lookup.Contains(Ip("2001:db8::10")));
        Assert.Equal("dual.example.test. has 198.51.100.7, 2001:db8::9", lookup.Describe());
    }

    [Fact]
    public async Task Every_address_of_a_multi_address_name_is_found()
    {
        var lookup = await Addresses("multi");
        Assert.Equal(
            new[] { "192.0.2.21", "192.0.2.22", "192.0.2.23" },
            lookup.Addresses.Select(a => a.ToString()).Order());
    }

    [Fact]
    public async Task A_CNAME_chain_in_the_answer_is_followed_to_its_address()
    {
        var lookup = await Addresses("alias1");
        Assert.Equal(LookupOutcome.Found, lookup.Outcome);
        Assert.Equal([Ip("192.0.2.10")], lookup.Addresses);
        Assert.Equal([N("alias1"), N("alias2"), N("v4")], lookup.Chain);
        // Knot gives the whole chain and, for AAAA, an SOA that closes it: no second query per type.
        Assert.Equal(2, lookup.Tries);
        Assert.Equal("alias1.example.test. is an alias of v4.example.test., which has 192.0.2.10", lookup.Describe());
    }

    [Fact]
    public async Task A_CNAME_to_a_zone_the_answer_does_not_cover_is_asked_about_next()
    {
        var lookup = await Addresses("out");
        Assert.Equal(LookupOutcome.Found, lookup.Outcome);
        Assert.Equal([Ip("198.51.100.77")], lookup.Addresses);
        Assert.Equal([N("out"), DnsName.Parse("target.other.test.")], lookup.Chain);
        Assert.Equal(4, lookup.Tries);
    }

    [Fact]
    public async Task A_CNAME_loop_is_reported_as_a_loop()
    {
        var lookup = await Addresses("loop1");
        Assert.Equal(LookupOutcome.CnameLoop, lookup.Outcome);
        Assert.Equal([N("loop1"), N("loop2"), N("loop1")], lookup.Chain);
        Assert.Empty(lookup.Addresses);
        Assert.False(lookup.IsFailure);
        Assert.Equal("loop1.example.test. has a CNAME loop: loop1.example.test. -> loop2.example.test. -> loop1.example.test.", lookup.Describe());
    }

    [Fact]
    public async Task A_chain_of_eight_CNAMEs_is_followed()
    {
        var lookup = await Addresses("hop0");
        Assert.Equal(LookupOutcome.Found, lookup.Outcome);
        Assert.Equal([Ip("192.0.2.88")], lookup.Addresses);
        Assert.Equal(9, lookup.Chain.Count);
    }

    [Fact]
    public async Task A_chain_of_nine_CNAMEs_is_one_too_many()
    {
        var lookup = await Addresses("long0");
        Assert.Equal(LookupOutcome.CnameChainTooLong, lookup.Outcome);
        Assert.Empty(lookup.Addresses);
        Assert.StartsWith("long0.example.test. has a CNAME chain longer than 8", lookup.Describe());
    }

    [Fact]
    public async Task A_name_that_does_not_exist_is_NXDOMAIN()
    {
        var lookup = await Addresses("nope");
        Assert.Equal(LookupOutcome.NXDomain, lookup.Outcome);
        Assert.Equal(Rcode.NXDomain, lookup.Rcode);
        Assert.Empty(lookup.Addresses);
        Assert.Equal("nope.example.test. does not exist (NXDOMAIN)", lookup.Describe());
    }

    [Fact]
    public async Task A_CNAME_to_a_missing_name_is_NXDOMAIN_for_the_target()
    {
        var lookup = await Addresses("dangling");
        Assert.Equal(LookupOutcome.NXDomain, lookup.Outcome);
        Assert.Equal(N("gone"), lookup.CanonicalName);
        Assert.Equal("dangling.example.test. is an alias of gone.example.test., which does not exist (NXDOMAIN)", lookup.Describe());
    }

    [Fact]
    public async Task A_name_with_only_TXT_has_no_addresses()
    {
        var lookup = await Addresses("txtonly");
        Assert.Equal(LookupOutcome.NoData, lookup.Outcome);
        Assert.Equal(Rcode.NoError, lookup.Rcode);
        Assert.Equal("txtonly.example.test. exists but has no A/AAAA records", lookup.Describe());
    }

    [Fact]
    public async Task An_empty_non_terminal_exists_without_addresses()
    {
        var lookup = await Addresses("ent");
        Assert.Equal(LookupOutcome.NoData, lookup.Outcome);
    }

    [Fact]
    public async Task An_RRset_too_large_for_UDP_comes_over_TCP()
    {
        var query = await knot.Resolver.QueryAsync(N("big"), RecordType.A, default);
        Assert.True(query.ViaTcp, query.ToString());
        Assert.Equal(2, query.Tries);
        Assert.Equal(KnotForwardZones.BigCount, query.Answers.Count);

        var lookup = await Addresses("big");
        Assert.Equal(LookupOutcome.Found, lookup.Outcome);
        Assert.Equal(KnotForwardZones.BigCount, lookup.Addresses.Count);
        Assert.Contains(Ip("10.0.0.149"), lookup.Addresses);
    }

    [Fact]
    public async Task A_name_in_a_zone_the_server_does_not_serve_is_a_server_failure_naming_the_rcode()
    {
        var lookup = await knot.Resolver.LookupAddressesAsync(DnsName.Parse("www.example.org."), default);
        Assert.Equal(LookupOutcome.ServerFailure, lookup.Outcome);
        Assert.True(lookup.IsFailure);
        Assert.Equal(Rcode.Refused, lookup.Rcode);
        Assert.Equal($"the resolver at {knot.Endpoint} answered REFUSED for www.example.org.", lookup.Describe());
    }

    [Fact]
    public async Task The_challenge_TXT_records_are_read_one_entry_per_record_with_strings_joined()
    {
        var lookup = await Txt("_rdns-challenge");
        Assert.Equal(LookupOutcome.Found, lookup.Outcome);
        Assert.Equal(new[] { "first half, second half", "rdns-verify=3f9a1c" }, lookup.Texts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TXT_is_decoded_as_UTF8()
    {
        var lookup = await Txt("utf8");
        Assert.Equal(["héllo wörld"], lookup.Texts);
    }

    [Fact]
    public async Task TXT_outcomes_match_the_address_ones()
    {
        Assert.Equal(["hello"], (await Txt("txtonly")).Texts);
        var none = await Txt("v4");
        Assert.Equal(LookupOutcome.NoData, none.Outcome);
        Assert.Equal("v4.example.test. exists but has no TXT records", none.Describe());
        Assert.Equal(LookupOutcome.NXDomain, (await Txt("nope")).Outcome);
        Assert.Equal(LookupOutcome.CnameLoop, (await Txt("loop1")).Outcome);
        var viaAlias = await Txt("alias1");
        Assert.Equal(LookupOutcome.NoData, viaAlias.Outcome);
        Assert.Equal(N("v4"), viaAlias.CanonicalName);
    }

    [Fact]
    public async Task One_resolver_instance_serves_many_concurrent_lookups()
    {
        string[] names = ["v4", "v6", "dual", "alias1", "out", "nope", "txtonly", "loop1"];
        var expected = new Dictionary<string, LookupOutcome>();
        foreach (string name in names)
            expected[name] = (await Addresses(name)).Outcome;
        var lookups = await Task.WhenAll(Enumerable.Range(0, 160).Select(i => Addresses(names[i % names.Length])));
        for (int i = 0; i < lookups.Length; i++)
        {
            Assert.Equal(N(names[i % names.Length]), lookups[i].Name);
            Assert.Equal(expected[names[i % names.Length]], lookups[i].Outcome);
        }
        Assert.Equal([Ip("198.51.100.7"), Ip("2001:db8::9")], lookups[2].Addresses);
    }
}
