using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

public class AuthoritativeAnswerTests
{
    private static readonly ZoneSnapshot Parent = ZoneBuilder.Standard("2.0.192.in-addr.arpa.")
        .Ns("@", "ns2")
        .A("ns2", "192.0.2.53")
        .Ptr("1", "one.example.net.")
        .Cname("2", "1")
        .Cname("3", "4")
        .Cname("4", "3")
        .Cname("5", "nowhere")
        .Cname("6", "out.example.org.")
        .Ns("128-26", "ns1.example.net.")
        .Cname("129", "129.128-26")
        .Ns("192-26", "ns.192-26")
        .A("ns.192-26", "192.0.2.200")
        .Cname("193", "193.192-26")
        .Ptr("*.wild", "wild.example.net.")
        .Ptr("a.b.c", "deep.example.net.")
        .Build();

    private static DnsMessage Ask(ZoneSnapshot zone, string qname, RecordType qtype, int limit = 65535, bool udp = false)
    {
        var name = DnsName.Parse(qname);
        var buffer = new byte[65535];
        var w = new DnsMessageWriter(buffer, limit);
        w.TryWriteQuestion(name.Wire, qtype, RecordClass.IN);
        var outcome = AuthoritativeAnswer.Write(zone, name.Wire, qtype, ref w, udp);
        var flags = HeaderFlags.QR | (outcome.Authoritative ? HeaderFlags.AA : 0) | (outcome.Truncated ? HeaderFlags.TC : 0);
        w.Flags = DnsHeader.MakeFlags(flags, Opcode.Query, (int)outcome.Rcode);
        return DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
    }

    private static string[] Lines(List<ResourceRecord> records) => records.Select(r => r.ToString()).ToArray();

    [Fact]
    public void A_ptr_that_exists_is_answered_authoritatively_with_nothing_else()
    {
        var m = Ask(Parent, "1.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(0, m.Rcode);
        Assert.True(m.Has(HeaderFlags.AA));
        Assert.Equal(["1.2.0.192.in-addr.arpa. 3600 IN PTR one.example.net."], Lines(m.Answers));
        Assert.Empty(m.Authority);
        Assert.Empty(m.Additional);
    }

    [Fact]
    public void A_missing_name_is_nxdomain_with_the_soa_at_the_negative_ttl()
    {
        var m = Ask(Parent, "77.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal((int)Rcode.NXDomain, m.Rcode);
        Assert.True(m.Has(HeaderFlags.AA));
        var soa = Assert.Single(m.Authority);
        Assert.Equal(RecordType.SOA, soa.Type);
        Assert.Equal(300u, soa.Ttl); // min(SOA TTL 3600, MINIMUM 300), RFC 2308 §3
    }

    [Fact]
    public void An_existing_name_without_the_type_is_nodata()
    {
        var m = Ask(Parent, "1.2.0.192.in-addr.arpa.", RecordType.TXT);
        Assert.Equal(0, m.Rcode);
        Assert.Empty(m.Answers);
        Assert.Equal(RecordType.SOA, Assert.Single(m.Authority).Type);
    }

    [Fact]
    public void An_empty_non_terminal_is_nodata_not_nxdomain()
    {
        var m = Ask(Parent, "c.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(0, m.Rcode);
        Assert.Empty(m.Answers);
        Assert.Single(m.Authority);
        Assert.Equal((int)Rcode.NXDomain, Ask(Parent, "x.c.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);
    }

    [Fact]
    public void A_cname_chain_is_followed_inside_the_zone()
    {
        var m = Ask(Parent, "2.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(
            ["2.2.0.192.in-addr.arpa. 3600 IN CNAME 1.2.0.192.in-addr.arpa.", "1.2.0.192.in-addr.arpa. 3600 IN PTR one.example.net."],
            Lines(m.Answers));
    }

    [Fact]
    public void A_cname_loop_stops_before_repeating_a_record()
    {
        var m = Ask(Parent, "3.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(0, m.Rcode);
        Assert.Equal(2, m.Answers.Count);
        Assert.Empty(m.Authority);
    }

    [Fact]
    public void A_cname_to_a_missing_name_in_the_zone_is_nxdomain_rfc_6604()
    {
        var m = Ask(Parent, "5.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal((int)Rcode.NXDomain, m.Rcode);
        Assert.Single(m.Answers);
        Assert.Single(m.Authority);
    }

    [Fact]
    public void A_cname_leaving_the_zone_ends_the_answer()
    {
        var m = Ask(Parent, "6.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(0, m.Rcode);
        Assert.Equal(["6.2.0.192.in-addr.arpa. 3600 IN CNAME out.example.org."], Lines(m.Answers));
        Assert.Empty(m.Authority);
    }

    [Fact]
    public void A_name_below_a_cut_is_a_referral_with_glue_and_no_aa()
    {
        var m = Ask(Parent, "193.192-26.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.False(m.Has(HeaderFlags.AA));
        Assert.Empty(m.Answers);
        Assert.Equal(["192-26.2.0.192.in-addr.arpa. 3600 IN NS ns.192-26.2.0.192.in-addr.arpa."], Lines(m.Authority));
        Assert.Equal(["ns.192-26.2.0.192.in-addr.arpa. 3600 IN A 192.0.2.200"], Lines(m.Additional));
    }

    [Fact]
    public void An_rfc_2317_cname_into_a_delegated_child_gives_the_cname_then_the_referral()
    {
        var m = Ask(Parent, "193.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.True(m.Has(HeaderFlags.AA)); // the CNAME itself is ours
        Assert.Equal(RecordType.CNAME, Assert.Single(m.Answers).Type);
        Assert.Equal(RecordType.NS, Assert.Single(m.Authority).Type);
        Assert.Single(m.Additional);
    }

    [Fact]
    public void Ds_at_the_cut_is_answered_by_the_parent()
    {
        var m = Ask(Parent, "192-26.2.0.192.in-addr.arpa.", RecordType.DS);
        Assert.True(m.Has(HeaderFlags.AA));
        Assert.Equal(RecordType.SOA, Assert.Single(m.Authority).Type);
    }

    [Fact]
    public void A_wildcard_answers_with_the_query_name_as_owner()
    {
        var m = Ask(Parent, "Foo.wild.2.0.192.in-addr.arpa.", RecordType.PTR);
        Assert.Equal(["Foo.wild.2.0.192.in-addr.arpa. 3600 IN PTR wild.example.net."], Lines(m.Answers));
        var nodata = Ask(Parent, "foo.wild.2.0.192.in-addr.arpa.", RecordType.TXT);
        Assert.Equal(0, nodata.Rcode);
        Assert.Empty(nodata.Answers);
    }

    [Fact]
    public void Ns_at_the_apex_brings_in_zone_addresses_as_additional()
    {
        var m = Ask(Parent, "2.0.192.in-addr.arpa.", RecordType.NS);
        Assert.Equal(2, m.Answers.Count);
        Assert.Equal(["ns2.2.0.192.in-addr.arpa. 3600 IN A 192.0.2.53"], Lines(m.Additional));
    }

    [Fact]
    public void Any_is_answered_with_one_rrset_rfc_8482()
    {
        var m = Ask(Parent, "2.0.192.in-addr.arpa.", RecordType.ANY);
        Assert.All(m.Answers, r => Assert.Equal(RecordType.NS, r.Type));
    }

    [Fact]
    public void A_large_rrset_over_udp_is_truncated_whole()
    {
        var b = ZoneBuilder.Standard("2.0.192.in-addr.arpa.");
        for (int i = 0; i < 10; i++)
            b.Txt("big", new string('a', 90) + i);
        var zone = b.Build();
        var udp = Ask(zone, "big.2.0.192.in-addr.arpa.", RecordType.TXT, limit: 512, udp: true);
        Assert.True(udp.Has(HeaderFlags.TC));
        Assert.Empty(udp.Answers);
        var tcp = Ask(zone, "big.2.0.192.in-addr.arpa.", RecordType.TXT);
        Assert.False(tcp.Has(HeaderFlags.TC));
        Assert.Equal(10, tcp.Answers.Count);
    }
}
