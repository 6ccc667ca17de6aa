using Rdns.Protocol.Text;
using static Rdns.Protocol.Tests.Text.ZoneFileReaderTests;

namespace Rdns.Protocol.Tests.Text;

/// <summary>
/// BIND's $GENERATE, checked against the examples of the BIND 9 ARM and against values worked
/// out by hand from its rules (and confirmed with named-checkzone 9.18).
/// </summary>
public class GenerateDirectiveTests
{
    private static string Expand(string template, long value) =>
        GenerateTemplate.Parse(new ZoneToken(template, false, 1)).Expand(value);

    [Fact]
    public void ARM_example_RFC_2317_delegation()
    {
        var records = Read("$TTL 60\n$ORIGIN 0.0.192.IN-ADDR.ARPA.\n$GENERATE 1-2 @ NS SERVER$.EXAMPLE.\n$GENERATE 1-127 $ CNAME $.0");
        Assert.Equal(2 + 127, records.Count);
        Assert.Equal("0.0.192.IN-ADDR.ARPA. 60 IN NS SERVER1.EXAMPLE.", records[0]);
        Assert.Equal("0.0.192.IN-ADDR.ARPA. 60 IN NS SERVER2.EXAMPLE.", records[1]);
        Assert.Equal("1.0.0.192.IN-ADDR.ARPA. 60 IN CNAME 1.0.0.0.192.IN-ADDR.ARPA.", records[2]);
        Assert.Equal("127.0.0.192.IN-ADDR.ARPA. 60 IN CNAME 127.0.0.0.192.IN-ADDR.ARPA.", records[^1]);
    }

    [Fact]
    public void ARM_example_quoted_rdata_loses_its_quotes()
    {
        var records = Read("$TTL 60\n$ORIGIN EXAMPLE.\n$GENERATE 1-127 HOST-$ A 1.2.3.$\n$GENERATE 1-127 HOST-$ MX \"0 .\"");
        Assert.Equal(254, records.Count);
        Assert.Equal("HOST-1.EXAMPLE. 60 IN A 1.2.3.1", records[0]);
        Assert.Equal("HOST-127.EXAMPLE. 60 IN A 1.2.3.127", records[126]);
        Assert.Equal("HOST-1.EXAMPLE. 60 IN MX 0 .", records[127]);
        Assert.Equal("HOST-127.EXAMPLE. 60 IN MX 0 .", records[^1]);
    }

    [Fact]
    public void ARM_example_modifiers_and_nibbles()
    {
        Assert.Equal(
        [
            "HOST-0000.EXAMPLE. 60 IN A 1.2.3.1",
            "HOST-0001.EXAMPLE. 60 IN A 1.2.3.2",
            "HOST-0002.EXAMPLE. 60 IN A 1.2.3.3",
            "0.0.4.EXAMPLE. 60 IN AAAA 2001:db8::400",
            "1.0.4.EXAMPLE. 60 IN AAAA 2001:db8::401",
            "2.0.4.EXAMPLE. 60 IN AAAA 2001:db8::402",
        ], Read("$TTL 60\n$ORIGIN EXAMPLE.\n$GENERATE 0-2 HOST-${0,4,d} A 1.2.3.${1,0,d}\n$GENERATE 1024-1026 ${0,3,n} AAAA 2001:db8::${0,4,x}"));
    }

    [Theory]
    // A bare $ is ${0,0,d}.
    [InlineData("a$b", 7, "a7b")]
    [InlineData("$-$", 12, "12-12")]
    // Offsets may be signed; decimal pads with zeros to the width, the sign included (printf %0*d).
    [InlineData("${0}", 5, "5")]
    [InlineData("${+5}", 5, "10")]
    [InlineData("${-20,3,d}", 25, "005")]
    [InlineData("${-5}", 1, "-4")]
    [InlineData("${-5,3}", 1, "-04")]
    [InlineData("${0,3}", 1234, "1234")] // width is a minimum
    // Octal and hexadecimal, lower and upper case: 10 is 12, a, A; 8+2 is 012; 8+5 is 0D.
    [InlineData("${0,0,o}", 10, "12")]
    [InlineData("${2,3,o}", 8, "012")]
    [InlineData("${0,0,x}", 255, "ff")]
    [InlineData("${0,0,X}", 255, "FF")]
    [InlineData("${+5,2,X}", 8, "0D")]
    [InlineData("${-8,3,x}", 8, "000")]
    // $$ and \$ are a literal dollar, kept escaped for the name parser.
    [InlineData("a$$b", 1, "a\\$b")]
    [InlineData("a\\$b", 1, "a\\$b")]
    [InlineData("\\.$", 3, "\\.3")]
    public void Decimal_octal_and_hex_modifiers(string template, long value, string expected) =>
        Assert.Equal(expected, Expand(template, value));

    [Theory]
    // Nibble mode writes hex digits least significant first, one per label. The width counts
    // characters including the dots and BIND stops only once both the digits and the width are
    // used up, so a width that lands just after a dot leaves a trailing dot.
    [InlineData("${0,0,n}", 255, "f.f")]
    [InlineData("${0,1,n}", 255, "f.f")]
    [InlineData("${0,3,n}", 255, "f.f")]
    [InlineData("${0,4,n}", 255, "f.f.")]
    [InlineData("${0,5,n}", 255, "f.f.0")]
    [InlineData("${0,6,n}", 255, "f.f.0.")]
    [InlineData("${0,0,n}", 256, "0.0.1")]
    [InlineData("${0,3,n}", 1024, "0.0.4")]
    [InlineData("${0,7,n}", 1024, "0.0.4.0")]
    [InlineData("${0,8,N}", 1024, "0.0.4.0.")]
    [InlineData("${0,0,N}", 10, "A")]
    [InlineData("${0,5,N}", 10, "A.0.0")]
    [InlineData("${0,0,n}", 0, "0")]
    [InlineData("${0,2,n}", 0, "0.")]
    [InlineData("${0,3,n}", 0, "0.0")]
    [InlineData("${0,0,n}", 0x2001, "1.0.0.2")]
    public void Nibble_modifiers(string template, long value, string expected) =>
        Assert.Equal(expected, Expand(template, value));

    [Fact]
    public void Nibbles_make_ip6_arpa_names()
    {
        // 2001:db8::/48 leaves 20 nibbles; ${0,8,n} gives the low 4 with a trailing dot, so 16
        // zeros follow. 16 is 0x10: nibbles 0.1.0.0.
        var records = Read("$TTL 60\n$ORIGIN 0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.\n" +
            "$GENERATE 16-17 ${0,8,n}0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR host-${0,0,x}.example.");
        Assert.Equal("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 60 IN PTR host-10.example.", records[0]);
        Assert.Equal("1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 60 IN PTR host-11.example.", records[1]);
    }

    [Fact]
    public void Step_TTL_and_class_in_either_order()
    {
        Assert.Equal(
        [
            "d0.example. 30 IN A 10.0.0.0",
            "d2.example. 30 IN A 10.0.0.2",
            "d4.example. 30 IN A 10.0.0.4",
            "e1.example. 40 IN CNAME f1.example.",
            "e2.example. 40 IN CNAME f2.example.",
        ], Read("$TTL 60\n$ORIGIN example.\n$GENERATE 0-5/2 d$ 30 IN A 10.0.0.$\n$GENERATE 1-2 e$ IN 40 CNAME f$"));
    }

    [Fact]
    public void Every_type_a_reverse_zone_generates()
    {
        Assert.Equal(
        [
            "1.example. 60 IN PTR h1.example.",
            "1.example. 60 IN NS ns1.example.",
            "1.example. 60 IN A 192.0.2.1",
            "1.example. 60 IN AAAA 2001:db8::1",
            "d1.example. 60 IN DNAME t1.example.",
            "t1.example. 60 IN TXT \"host\" \"1 of them\"",
            "s1.example. 60 IN SRV 0 0 1 h1.example.",
        ], Read("$TTL 60\n$ORIGIN example.\n$GENERATE 1-1 $ PTR h$\n$GENERATE 1-1 $ NS ns$\n$GENERATE 1-1 $ A 192.0.2.$\n" +
                "$GENERATE 1-1 $ AAAA 2001:db8::$\n$GENERATE 1-1 d$ DNAME t$\n$GENERATE 1-1 t$ TXT \"host \\\"$ of them\\\"\"\n" +
                "$GENERATE 1-1 s$ SRV \"0 0 $ h$\""));
    }

    [Fact]
    public void Quoted_rdata_is_read_again_after_substitution_as_BIND_does()
    {
        // Escapes survive into the second reading (so \; is not a comment), except \" which
        // BIND's lexer already unescapes inside quotes. Results as named-checkzone 9.18 gives them.
        Assert.Equal(
        [
            "t1.example. 60 IN TXT \"host\" \"1 of them\"",
            "u1.example. 60 IN TXT \"abc\" \"x1\"",
            "w1.example. 60 IN TXT \"x$\" \"y;z\"",
        ], Read("$TTL 60\n$ORIGIN example.\n$GENERATE 1-1 t$ TXT \"host \\\"$ of them\\\"\"\n" +
                "$GENERATE 1-1 u$ TXT \"a\\098c x$\"\n$GENERATE 1-1 w$ TXT \"x\\$ y\\;z\""));
    }

    [Fact]
    public void The_previous_owner_is_left_as_it_was()
    {
        Assert.Equal(["x.example. 60 IN A 192.0.2.9", "g1.example. 60 IN A 192.0.2.1", "x.example. 60 IN TXT \"prev\""],
            Read("$TTL 60\n$ORIGIN example.\nx A 192.0.2.9\n$GENERATE 1-1 g$ A 192.0.2.$\n TXT prev"));
    }

    [Fact]
    public void Records_come_one_at_a_time()
    {
        using var reader = new ZoneFileReader(new StringReader("$TTL 60\n$ORIGIN 10.in-addr.arpa.\n$GENERATE 0-65535 ${0,0,d}.0 PTR h$.example."), "g");
        Assert.Equal("0.0.10.in-addr.arpa.", reader.Read()!.Owner.ToString());
        Assert.Equal(1, reader.RecordCount);
        Assert.Equal(65535, reader.ReadAll().Count());
        Assert.Equal(65536, reader.RecordCount);
    }

    [Theory]
    [InlineData("$GENERATE 1-2 a${,3} A 192.0.2.$", "$GENERATE modifier '${,3}' is not ${offset[,width[,base]]}")]
    [InlineData("$GENERATE 1-2 a${1,,x} A 192.0.2.$", "$GENERATE modifier '${1,,x}' is not ${offset[,width[,base]]}")]
    [InlineData("$GENERATE 1-2 a${1,2,3,4} A 192.0.2.$", "$GENERATE modifier '${1,2,3,4}' is not ${offset[,width[,base]]}")]
    [InlineData("$GENERATE 1-2 a${-9223372036854775808} A 192.0.2.$", "$GENERATE modifier '${-9223372036854775808}' is not ${offset[,width[,base]]}")]
    [InlineData("$GENERATE 1-2 a${9223372036854775807} A 192.0.2.$", "$GENERATE modifier '${9223372036854775807}' is not ${offset[,width[,base]]}")]
    [InlineData("$GENERATE 1-2 a${-2147483648} A 192.0.2.$", "$GENERATE modifier '${-2147483648}' is not ${offset[,width[,base]]}")]
    [InlineData("$GENERATE 1-2 a${1,2,q} A 192.0.2.$", "$GENERATE modifier '${1,2,q}' has base 'q'; use d, o, x, X, n or N")]
    [InlineData("$GENERATE 1-2 a${1,256} A 192.0.2.$", "$GENERATE modifier '${1,256}' has a width above 255")]
    [InlineData("$GENERATE 1-2 a${1 A 192.0.2.$", "$GENERATE modifier in 'a${1' has no closing '}'")]
    [InlineData("$GENERATE 3-1 a$ A 192.0.2.$", "$GENERATE range '3-1' starts above its stop")]
    [InlineData("$GENERATE 1-2/0 a$ A 192.0.2.$", "$GENERATE step in '1-2/0' must be a number from 1 to 2147483647")]
    [InlineData("$GENERATE 1 a$ A 192.0.2.$", "$GENERATE range '1' is not start-stop[/step]")]
    [InlineData("$GENERATE 0-2147483648 a$ A 192.0.2.$", "$GENERATE range '0-2147483648' is not start-stop[/step]")]
    [InlineData("$GENERATE 0-65536 a$ A 192.0.2.1", "$GENERATE range '0-65536' makes 65537 records; the limit is 65536")]
    [InlineData("$GENERATE 1-2 a$ MX 10 b$", "$GENERATE: unexpected 'b$' after the rdata; quote rdata that has spaces")]
    [InlineData("$GENERATE 1-2 a$ A", "$GENERATE needs a range, an owner, a type and rdata")]
    [InlineData("$GENERATE 1-2 a$ 60 A", "$GENERATE needs rdata after the type")]
    [InlineData("$GENERATE 1-2 a$ BOGUS x", "unknown type 'BOGUS'")]
    [InlineData("$GENERATE 1-2 a${-2,0,x} A 192.0.2.$", "$GENERATE at 1: offset -2 gives -1, which base x cannot show")]
    [InlineData("$GENERATE 250-260 a$ A 192.0.2.$", "$GENERATE at 256: A address: '192.0.2.256' is not an IPv4 address in dotted-decimal form")]
    [InlineData("$GENERATE 1-2 a$..b A 192.0.2.$", "$GENERATE at 1: owner 'a1..b' is not a valid name (empty label)")]
    public void Errors_say_what_is_wrong_and_where(string line, string problem)
    {
        var e = Fails("$TTL 60\n$ORIGIN example.\n" + line);
        Assert.Equal("zones/x.zone:3: " + problem, e.Message);
    }

    [Fact]
    public void The_record_limit_counts_generated_records_before_making_them()
    {
        // Three lines of 65,536 each: the third would pass the limit and is refused before expanding.
        var text = "$TTL 60\n$ORIGIN 10.in-addr.arpa.\n" + string.Join("\n",
            Enumerable.Range(0, 3).Select(i => $"$GENERATE 0-65535 ${{0,0,d}}.{i} PTR h$.example."));
        using var reader = new ZoneFileReader(new StringReader(text), "zones/x.zone", new ZoneFileOptions { MaxRecords = 150_000 });
        var e = Assert.Throws<ZoneFileException>(() => reader.ReadAll().Count());
        Assert.Equal("zones/x.zone:5: $GENERATE range '0-65535' makes 65536 records, 196608 in all; the limit is 150000", e.Message);
        Assert.True(e.TooManyRecords);
        Assert.Equal(131_072, reader.RecordCount);
    }

    [Fact]
    public void The_range_limit_is_an_option()
    {
        Assert.Equal("zones/x.zone:1: $GENERATE range '1-11' makes 11 records; the limit is 10",
            Fails("$GENERATE 1-11 a$.example. 60 A 192.0.2.$", new ZoneFileOptions { MaxGenerateCount = 10 }).Message);
        Assert.Equal(10, Read("$GENERATE 1-10 a$.example. 60 A 192.0.2.$", new ZoneFileOptions { MaxGenerateCount = 10 }).Count);
    }

    [Fact]
    public void Generated_records_are_checked_like_any_other()
    {
        var options = new ZoneFileOptions { Origin = Rdns.Protocol.Names.DnsName.Parse("example."), CheckZone = true };
        Assert.Equal("zones/x.zone:2: 'a1.other.' is out of zone: not at or below example.",
            Fails("$TTL 60\n$GENERATE 1-2 a$.other. A 192.0.2.$", options).Message);
        Assert.Equal("zones/x.zone:2: class CH does not match the zone's class IN",
            Fails("$TTL 60\n$GENERATE 1-2 a$.example. CH A 192.0.2.$", options).Message);
    }
}
