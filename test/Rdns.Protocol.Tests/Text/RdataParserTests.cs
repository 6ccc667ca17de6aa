using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Text;

public class RdataParserTests
{
    private static readonly DnsName Origin = DnsName.Parse("2.0.192.in-addr.arpa.");

    private static string Hex(RecordType type, string text, DnsName? origin = null) =>
        Convert.ToHexString(RdataParser.Parse(type, text, origin ?? Origin));

    private static string Error(RecordType type, string text, DnsName? origin = null) =>
        Assert.ThrowsAny<FormatException>(() => RdataParser.Parse(type, text, origin ?? Origin)).Message;

    [Fact]
    public void A_is_four_decimal_octets()
    {
        Assert.Equal("C0000201", Hex(RecordType.A, "192.0.2.1"));
        Assert.Equal("00000000", Hex(RecordType.A, "0.0.0.0"));
        Assert.Equal("A address: '192.0.2' is not an IPv4 address in dotted-decimal form", Error(RecordType.A, "192.0.2"));
        Assert.Contains("is not an IPv4 address", Error(RecordType.A, "192.0.2.256"));
        Assert.Contains("is not an IPv4 address", Error(RecordType.A, "192.0.2.01"));
        Assert.Contains("is not an IPv4 address", Error(RecordType.A, "1"));
        Assert.Equal("A address: missing", Error(RecordType.A, ""));
        Assert.Equal("A: unexpected '192.0.2.2' after the last field", Error(RecordType.A, "192.0.2.1 192.0.2.2"));
    }

    [Fact]
    public void AAAA_is_an_IPv6_address_without_scope_or_brackets()
    {
        Assert.Equal("20010DB8000000000000000000000001", Hex(RecordType.AAAA, "2001:db8::1"));
        Assert.Equal("00000000000000000000FFFFC0000201", Hex(RecordType.AAAA, "::ffff:192.0.2.1"));
        Assert.Contains("is not an IPv6 address", Error(RecordType.AAAA, "fe80::1%eth0"));
        Assert.Contains("is not an IPv6 address", Error(RecordType.AAAA, "[2001:db8::1]"));
        Assert.Contains("is not an IPv6 address", Error(RecordType.AAAA, "192.0.2.1"));
        Assert.Contains("is not an IPv6 address", Error(RecordType.AAAA, "2001:db8::g"));
    }

    [Fact]
    public void Relative_names_in_RDATA_are_completed_with_the_origin()
    {
        var ptr = RdataParser.Parse(RecordType.PTR, "host", DnsName.Parse("example.com."));
        Assert.Equal("host.example.com.", DnsName.FromWire(ptr).ToString());
        var cname = RdataParser.Parse(RecordType.CNAME, "5.0-63", Origin);
        Assert.Equal("5.0-63.2.0.192.in-addr.arpa.", DnsName.FromWire(cname).ToString());
        Assert.Equal(Origin.Wire.ToArray(), RdataParser.Parse(RecordType.NS, "@", Origin));
        var dname = RdataParser.Parse(RecordType.DNAME, "Target.Example.", Origin);
        Assert.Equal("Target.Example.", DnsName.FromWire(dname).ToString()); // case is kept
    }

    [Fact]
    public void A_relative_name_without_an_origin_is_an_error_not_a_guess()
    {
        var e = Assert.ThrowsAny<FormatException>(() => RdataParser.Parse(RecordType.PTR, "host"));
        Assert.Equal("PTR ptrdname: 'host' is relative and there is no origin ($ORIGIN)", e.Message);
        Assert.Equal("NS nsdname: 'a..b.' is not a valid name (empty label)", Error(RecordType.NS, "a..b."));
        // An escaped final dot is part of the label, so the name is still relative.
        var escaped = RdataParser.Parse(RecordType.PTR, "a\\.", DnsName.Parse("example."));
        Assert.Equal("a\\..example.", DnsName.FromWire(escaped).ToString());
    }

    [Fact]
    public void SOA_timers_take_TTL_units_and_the_serial_does_not()
    {
        var soa = RdataParser.Parse(RecordType.SOA, "ns1 hostmaster 2024010101 1h 15m 1w 1d", DnsName.Parse("example."));
        Assert.Equal("ns1.example. hostmaster.example. 2024010101 3600 900 604800 86400", Rdata.ToText(RecordType.SOA, soa));
        Assert.Equal("SOA serial: '1h' is not a number", Error(RecordType.SOA, "a. b. 1h 1 1 1 1"));
        Assert.Equal("SOA serial: 4294967296 is above 4294967295", Error(RecordType.SOA, "a. b. 4294967296 1 1 1 1"));
        Assert.Equal("SOA retry: '1x' is not a number of seconds or a duration", Error(RecordType.SOA, "a. b. 1 1 1x 1 1"));
        Assert.Equal("SOA minimum: missing", Error(RecordType.SOA, "a. b. 1 2 3 4"));
    }

    [Fact]
    public void MX_and_SRV_have_16_bit_numbers_then_a_name()
    {
        Assert.Equal("000A" + "046D61696C076578616D706C6500", Hex(RecordType.MX, "10 mail.example."));
        Assert.Equal("MX preference: 65536 is above 65535", Error(RecordType.MX, "65536 mail.example."));
        Assert.Equal("MX exchange: missing", Error(RecordType.MX, "10"));
        Assert.Equal("0001" + "0002" + "1F90" + "03736970017800",
            Hex(RecordType.SRV, "1 2 8080 sip.x."));
        Assert.Equal("SRV port: 'http' is not a number", Error(RecordType.SRV, "1 2 http sip.x."));
    }

    [Fact]
    public void TXT_takes_quoted_and_unquoted_strings_with_escapes()
    {
        var txt = RdataParser.Parse(RecordType.TXT, "\"a b\" c \"\" \"semi;colon (paren)\" \\\"q\\\" \"\\065\\\\\"");
        Assert.Equal("\"a b\" \"c\" \"\" \"semi;colon (paren)\" \"\\\"q\\\"\" \"A\\\\\"", Rdata.ToText(RecordType.TXT, txt));
        // Non-ASCII text in a UTF-8 file is stored as its UTF-8 octets.
        Assert.Equal("02C3A9", Hex(RecordType.TXT, "\"é\""));
        Assert.Equal("TXT text: missing", Error(RecordType.TXT, ""));
    }

    [Fact]
    public void A_character_string_longer_than_255_octets_is_refused()
    {
        Assert.Equal(256, RdataParser.Parse(RecordType.TXT, new string('x', 255)).Length);
        Assert.Equal("TXT text: 256 octets is longer than the 255 allowed", Error(RecordType.TXT, new string('x', 256)));
        // Escapes count as the octets they stand for: 255 times \255 is fine, once more is not.
        Assert.Equal(256, RdataParser.Parse(RecordType.TXT, "\"" + string.Concat(Enumerable.Repeat("\\255", 255)) + "\"").Length);
        Assert.Contains("longer than the 255", Error(RecordType.TXT, string.Concat(Enumerable.Repeat("\\255", 256))));
        Assert.Equal("TXT text: escape \\256 is above 255", Error(RecordType.TXT, "\\256"));
        Assert.Equal("TXT text: a \\DDD escape needs three digits", Error(RecordType.TXT, "\"\\12\""));
    }

    [Fact]
    public void HINFO_is_exactly_two_strings()
    {
        Assert.Equal("\"PDP-11\" \"UNIX\"", Rdata.ToText(RecordType.HINFO, RdataParser.Parse(RecordType.HINFO, "PDP-11 \"UNIX\"")));
        Assert.Equal("HINFO os: missing", Error(RecordType.HINFO, "one"));
        Assert.Equal("HINFO: unexpected 'three' after the last field", Error(RecordType.HINFO, "one two three"));
    }

    [Fact]
    public void DS_is_key_tag_algorithm_digest_type_and_a_hex_digest_that_may_be_split()
    {
        var ds = RdataParser.Parse(RecordType.DS, "44092 13 2 7AA7E4EAD4111A3AFE46CDF8890E9376 F7E085E15D06BEBB06ADB571F1AA6109");
        Assert.Equal(4 + 32, ds.Length);
        Assert.Equal(44092, (ds[0] << 8) | ds[1]);
        Assert.Equal("44092 13 2 7AA7E4EAD4111A3AFE46CDF8890E9376F7E085E15D06BEBB06ADB571F1AA6109", Rdata.ToText(RecordType.DS, ds));
        var bad = Assert.ThrowsAny<FormatException>(() => RdataParser.Parse(RecordType.DS, "1 13 2 ABC"));
        Assert.Contains("digest", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DHCID_is_base64_that_may_be_split()
    {
        // RFC 4701 §3.6, first example.
        const string b64 = "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=";
        var whole = RdataParser.Parse(RecordType.DHCID, b64);
        Assert.Equal(whole, RdataParser.Parse(RecordType.DHCID, "AAIBY2/AuCccgoJbsaxc Qc9TUapptP69lOjxfNuVAA2kjEA="));
        Assert.Equal(b64, Rdata.ToText(RecordType.DHCID, whole));
        Assert.Equal("DHCID data: not valid base64", Error(RecordType.DHCID, "not*base64"));
        Assert.Equal("DHCID data: 2 octets is shorter than the 3 the RDATA needs", Error(RecordType.DHCID, "AAA="));
    }

    [Fact]
    public void CAA_is_flags_tag_and_a_value_without_the_255_limit()
    {
        var caa = RdataParser.Parse(RecordType.CAA, "0 issue \"ca.example.net; account=230123\"");
        Assert.Equal("0 issue \"ca.example.net; account=230123\"", Rdata.ToText(RecordType.CAA, caa));
        Assert.Equal("80056973737565", Convert.ToHexString(RdataParser.Parse(RecordType.CAA, "128 issue \"\"")));
        Assert.Equal(2 + 5 + 300, RdataParser.Parse(RecordType.CAA, "0 iodef " + new string('x', 300)).Length);
        Assert.Equal("CAA tag: 'is-sue' is not a tag of ASCII letters and digits", Error(RecordType.CAA, "0 is-sue x"));
        Assert.Equal("CAA flags: 256 is above 255", Error(RecordType.CAA, "256 issue x"));
        Assert.Equal("CAA value: missing", Error(RecordType.CAA, "0 issue"));
    }

    [Fact]
    public void Generic_form_works_for_any_type_RFC_3597_section_5()
    {
        Assert.Equal("ABCDEF", Hex((RecordType)65280, "\\# 3 ab cd ef"));
        Assert.Equal("ABCDEF", Hex((RecordType)65280, "\\# 3 abc def")); // words need not be whole octets
        Assert.Equal("", Hex((RecordType)65280, "\\# 0"));
        Assert.Equal("C0000201", Hex(RecordType.A, "\\# 4 C0000201"));
        Assert.Equal("0A", Hex(RecordType.DS, "\\# 1 0a")); // the generic form is accepted for every type
    }

    [Fact]
    public void Generic_form_length_must_match_and_the_data_must_suit_the_type()
    {
        Assert.Equal("TYPE65280 \\# data: 2 octets where the length says 3", Error((RecordType)65280, "\\# 3 abcd"));
        Assert.Equal("TYPE65280 \\# data: 5 hex digits where the length says 3", Error((RecordType)65280, "\\# 3 abcd e"));
        Assert.Equal("TYPE65280 \\# data: 'xy' is not hexadecimal", Error((RecordType)65280, "\\# 1 xy"));
        Assert.Equal("TYPE65280 \\# length: 'x' is not a number", Error((RecordType)65280, "\\# x"));
        Assert.Equal("A \\# data is not valid A RDATA", Error(RecordType.A, "\\# 3 c00002"));
        // A quoted \# is an ordinary string, not the generic marker.
        Assert.Equal("022328", Hex(RecordType.TXT, "\"\\#(\""));
    }

    [Fact]
    public void Types_without_a_text_form_must_use_the_generic_form()
    {
        Assert.Equal("type DNSKEY can only be given in the RFC 3597 generic form '\\# length hex'", Error(RecordType.DNSKEY, "257 3 13 abcd"));
        Assert.Equal("type TYPE65280 can only be given in the RFC 3597 generic form '\\# length hex'", Error((RecordType)65280, "abcd"));
    }

    [Fact]
    public void Query_and_meta_types_never_appear_in_a_zone()
    {
        foreach (var type in new[] { RecordType.ANY, RecordType.AXFR, RecordType.IXFR, RecordType.OPT, RecordType.TSIG, (RecordType)0, (RecordType)128 })
            Assert.Contains("is a query or meta type", Error(type, "\\# 0"));
    }

    [Fact]
    public void TryParse_reports_instead_of_throwing()
    {
        Assert.True(RdataParser.TryParse(RecordType.A, "192.0.2.1", null, out var data, out _));
        Assert.Equal(4, data!.Length);
        Assert.False(RdataParser.TryParse(RecordType.A, "x", null, out _, out var error));
        Assert.Equal("A address: 'x' is not an IPv4 address in dotted-decimal form", error);
    }

    [Fact]
    public void RDATA_is_limited_to_65535_octets()
    {
        // 258 strings of 255 octets make 66048 octets.
        var text = string.Join(' ', Enumerable.Repeat(new string('a', 255), 258));
        Assert.Equal("TXT: RDATA of 66048 octets is longer than 65535", Error(RecordType.TXT, text));
    }
}
