using Rdns.Protocol.Names;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Text;

public class ZoneFileReaderTests
{
    internal static List<string> Read(string text, ZoneFileOptions? options = null) =>
        ZoneFileReader.ReadText(text, options).Select(r => r.ToString()).ToList();

    internal static ZoneFileException Fails(string text, ZoneFileOptions? options = null, string fileName = "zones/x.zone") =>
        Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadText(text, options, fileName));

    [Fact]
    public void Reads_the_RFC_1035_syntax_with_origin_ttl_parentheses_comments_and_blank_owners()
    {
        const string zone = """
            ; a reverse zone
            $ORIGIN 2.0.192.in-addr.arpa.
            $TTL 3600
            @   IN  SOA ns1.example.net. hostmaster.example.net. (
                        2024010101 ; serial
                        1h         ; refresh
                        15m        ; retry
                        1w         ; expire
                        300 )      ; minimum
                IN  NS  ns1.example.net.
                    NS  ns2.example.net.

            1       PTR host1.example.net.
            2   60  PTR host2.example.net.
            3   IN 120 PTR host3.example.net.
            4   120 IN PTR host4.example.net.
            """;
        Assert.Equal(
        [
            "2.0.192.in-addr.arpa. 3600 IN SOA ns1.example.net. hostmaster.example.net. 2024010101 3600 900 604800 300",
            "2.0.192.in-addr.arpa. 3600 IN NS ns1.example.net.",
            "2.0.192.in-addr.arpa. 3600 IN NS ns2.example.net.",
            "1.2.0.192.in-addr.arpa. 3600 IN PTR host1.example.net.",
            "2.2.0.192.in-addr.arpa. 60 IN PTR host2.example.net.",
            "3.2.0.192.in-addr.arpa. 120 IN PTR host3.example.net.",
            "4.2.0.192.in-addr.arpa. 120 IN PTR host4.example.net.",
        ], Read(zone));
    }

    [Fact]
    public void Quoted_strings_keep_semicolons_and_parentheses()
    {
        Assert.Equal(["t.example. 60 IN TXT \"a;b\" \"(c)\" \"d\""], Read("t.example. 60 TXT \"a;b\" \"(c)\" d ; \"comment\""));
        Assert.Equal(["t.example. 60 IN TXT \"x\" \"y\""], Read("t.example. 60 TXT ( \"x\"\n \"y\" )"));
    }

    [Fact]
    public void Escapes_in_owner_names_are_label_octets()
    {
        var records = ZoneFileReader.ReadText("a\\.b.example. 60 TXT x\n\\$x.example. 60 TXT y\n\\040.example. 60 TXT z");
        Assert.Equal(2, records[0].Owner.LabelCount);
        Assert.Equal("a.b"u8.ToArray(), records[0].Owner.Label(0).ToArray());
        Assert.Equal("$x"u8.ToArray(), records[1].Owner.Label(0).ToArray());
        Assert.Equal(new byte[] { 40 }, records[2].Owner.Label(0).ToArray());
    }

    [Fact]
    public void Case_of_names_is_kept()
    {
        var r = ZoneFileReader.ReadText("$ORIGIN Example.COM.\nWwW 60 CNAME Host.Example.Net.").Single();
        Assert.Equal("WwW.Example.COM.", r.Owner.ToString());
        Assert.Equal("Host.Example.Net.", DnsName.FromWire(r.Data).ToString());
    }

    [Fact]
    public void Generic_RDATA_is_read_in_files()
    {
        Assert.Equal(
        [
            "x.example. 60 IN TYPE65280 \\# 2 ABCD",
            "x.example. 60 IN A 192.0.2.1",
            "x.example. 60 IN A 192.0.2.2",
        ], Read("x.example. 60 TYPE65280 \\# 2 abcd\n A \\# 4 c0000201\n TYPE1 192.0.2.2"));
    }

    [Fact]
    public void Windows_line_endings_and_a_missing_final_newline_are_fine()
    {
        Assert.Equal(["a.example. 60 IN A 192.0.2.1", "b.example. 60 IN A 192.0.2.2"],
            Read("a.example. 60 A 192.0.2.1\r\nb.example. 60 A 192.0.2.2"));
    }

    [Fact]
    public void Omitted_TTL_is_the_TTL_directive_first()
    {
        Assert.Equal(["a.example. 300 IN A 192.0.2.1", "b.example. 5400 IN A 192.0.2.2"],
            Read("$TTL 300\na.example. A 192.0.2.1\n$TTL 1h30m\nb.example. A 192.0.2.2"));
        Assert.Equal(["a.example. 42 IN A 192.0.2.1"], Read("a.example. A 192.0.2.1", new ZoneFileOptions { DefaultTtl = 42 }));
    }

    [Fact]
    public void Omitted_TTL_without_a_TTL_directive_is_the_previous_records_RFC_1035_section_5_1()
    {
        Assert.Equal(["a.example. 70 IN A 192.0.2.1", "b.example. 70 IN A 192.0.2.2", "c.example. 80 IN A 192.0.2.3", "d.example. 80 IN A 192.0.2.4"],
            Read("a.example. 70 A 192.0.2.1\nb.example. A 192.0.2.2\nc.example. 80 A 192.0.2.3\nd.example. A 192.0.2.4"));
    }

    [Fact]
    public void A_first_SOA_without_any_TTL_takes_its_minimum_and_passes_it_on()
    {
        Assert.Equal(["example. 900 IN SOA ns.example. h.example. 1 2 3 4 900", "example. 900 IN NS ns.example."],
            Read("$ORIGIN example.\n@ SOA ns h 1 2 3 4 15m\n NS ns"));
    }

    [Fact]
    public void A_record_with_no_TTL_from_anywhere_is_an_error()
    {
        var e = Fails("\n\na.example. A 192.0.2.1");
        Assert.Equal("zones/x.zone:3: the record has no TTL and there is no $TTL or earlier record to take one from (RFC 2308 §4)", e.Message);
    }

    [Fact]
    public void TTL_errors_name_file_and_line()
    {
        var e = Fails(string.Concat(Enumerable.Repeat("a.example. 60 A 192.0.2.1\n", 11)) + "b.example. 1q A 192.0.2.2\n");
        Assert.Equal("zones/x.zone:12: TTL '1q' is not a number or a duration", e.Message);
        Assert.Equal("zones/x.zone", e.FileName);
        Assert.Equal(12, e.Line);
        Assert.Equal("TTL '1q' is not a number or a duration", e.Problem);
        Assert.Equal("zones/x.zone:2: TTL '2147483648' is above 2147483647 (RFC 2181 §8)", Fails("\n$TTL 2147483648").Message);
        Assert.Equal("zones/x.zone:1: a second TTL '70'", Fails("a.example. 60 70 A 192.0.2.1").Message);
        Assert.Equal("zones/x.zone:1: a second class 'IN'", Fails("a.example. IN 60 IN A 192.0.2.1").Message);
    }

    [Fact]
    public void Other_errors_name_the_line_of_the_problem()
    {
        Assert.Equal("zones/x.zone:2: unknown type 'PTRR'", Fails("\na.example. 60 PTRR b.example.").Message);
        Assert.Equal("zones/x.zone:1: the record has no type", Fails("a.example. 60 IN").Message);
        Assert.Equal("zones/x.zone:3: A address: '192.0.2.x' is not an IPv4 address in dotted-decimal form",
            Fails("a.example. 60 A (\n\n192.0.2.x )").Message);
        Assert.Equal("zones/x.zone:4: '(' on line 2 is never closed", Fails("\na.example. 60 TXT ( x\n y\n z").Message);
        Assert.Equal("zones/x.zone:1: ')' without a matching '('", Fails("a.example. 60 TXT x )").Message);
        Assert.Equal("zones/x.zone:1: quoted string is not closed on its line", Fails("a.example. 60 TXT \"x\ny\"").Message);
        Assert.Equal("zones/x.zone:1: owner 'a' is relative and there is no origin ($ORIGIN)", Fails("a 60 A 192.0.2.1").Message);
        Assert.Equal("zones/x.zone:1: the record has no owner name and there is no previous record to take it from",
            Fails("  60 A 192.0.2.1").Message);
        Assert.Equal("zones/x.zone:1: unknown directive '$FOO'", Fails("$FOO bar").Message);
        Assert.Equal("zones/x.zone:1: '$TTL' here is taken as a type; directives start in the first column", Fails("  $TTL 60").Message);
        Assert.Equal("zones/x.zone:1: $ORIGIN takes one name", Fails("$ORIGIN a. b.").Message);
        Assert.Equal("zones/x.zone:1: $TTL takes one TTL", Fails("$TTL").Message);
        Assert.Equal("zones/x.zone:1: '\\' at the end of a line escapes nothing", Fails("a.example. 60 TXT x\\").Message);
    }

    [Fact]
    public void A_field_error_on_a_continuation_line_points_at_that_line()
    {
        var e = Fails("$ORIGIN example.\n@ 60 SOA ns h (\n 1\n 2\n 3x\n 4 5 )");
        Assert.Equal("zones/x.zone:5: SOA retry: '3x' is not a number of seconds or a duration", e.Message);
    }

    [Fact]
    public void Class_must_be_the_zones()
    {
        Assert.Equal("zones/x.zone:1: class CH does not match the zone's class IN", Fails("a.example. 60 CH TXT x").Message);
        Assert.Equal(["a.example. 60 IN A 192.0.2.1"], Read("a.example. 60 CLASS1 A 192.0.2.1"));
        Assert.Equal(["version.bind. 0 CH TXT \"1\""], Read("version.bind. 0 CH TXT 1", new ZoneFileOptions { Class = RecordClass.CH }));
        Assert.Equal(["version.bind. 0 CH TXT \"1\""], Read("version.bind. 0 TXT 1", new ZoneFileOptions { Class = RecordClass.CH }));
    }

    [Fact]
    public void Records_outside_the_origin_are_out_of_zone_when_asked()
    {
        const string text = "$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 60\n1 PTR a.example.\n1.3.0.192.in-addr.arpa. PTR b.example.";
        Assert.Equal(2, Read(text).Count);
        var options = new ZoneFileOptions { Origin = DnsName.Parse("2.0.192.in-addr.arpa."), CheckZone = true };
        Assert.Equal("zones/x.zone:4: '1.3.0.192.in-addr.arpa.' is out of zone: not at or below 2.0.192.in-addr.arpa.",
            Fails(text, options).Message);
        Assert.Throws<ArgumentException>(() => new ZoneFileReader(new StringReader(""), "x", new ZoneFileOptions { CheckZone = true }));
    }

    [Fact]
    public void The_options_origin_starts_the_file()
    {
        var options = new ZoneFileOptions { Origin = DnsName.Parse("example.") };
        Assert.Equal(["www.example. 60 IN A 192.0.2.1", "example. 60 IN NS ns.example."], Read("www 60 A 192.0.2.1\n@ 60 NS ns", options));
        Assert.Equal(["a.sub.example. 60 IN A 192.0.2.1"], Read("$ORIGIN sub\na 60 A 192.0.2.1", options)); // relative $ORIGIN
    }

    [Fact]
    public void Reading_streams_and_reports_origin_and_TTL_directive_state()
    {
        using var reader = new ZoneFileReader(new StringReader("$TTL 60\n$ORIGIN a.\nx A 192.0.2.1\n$ORIGIN b.\n$TTL 70\ny A 192.0.2.2\n"), "s.zone");
        Assert.Null(reader.Origin);
        Assert.Equal("x.a.", reader.Read()!.Owner.ToString());
        Assert.Equal("a.", reader.Origin!.ToString());
        Assert.Equal(60u, reader.DefaultTtl);
        Assert.Equal(3, reader.Line);
        Assert.Equal(70u, reader.Read()!.Ttl);
        Assert.Equal("b.", reader.Origin!.ToString());
        Assert.Equal(70u, reader.DefaultTtl);
        Assert.Null(reader.Read());
        Assert.Equal(2, reader.RecordCount);
        Assert.Equal("s.zone", reader.FileName);
    }

    [Fact]
    public void Limits_hold_against_hostile_input()
    {
        Assert.Equal("zones/x.zone:2: line longer than 100 characters",
            Fails("a.example. 60 TXT x\n" + new string('y', 101), new ZoneFileOptions { MaxLineLength = 100 }).Message);
        Assert.Equal("zones/x.zone:3: entry longer than 100 characters",
            Fails("a.example. 60 TXT (\n" + new string('y', 60) + "\n" + new string('y', 60) + ")", new ZoneFileOptions { MaxEntryLength = 100 }).Message);
        Assert.Equal("zones/x.zone:3: more than 2 records",
            Fails("a.example. 60 TXT x\n TXT y\n TXT z", new ZoneFileOptions { MaxRecords = 2 }).Message);
        Assert.Equal(2, Read("a.example. 60 TXT x\n TXT y", new ZoneFileOptions { MaxRecords = 2 }).Count);
    }

    [Fact]
    public void A_line_without_breaks_is_refused_without_reading_it_all()
    {
        var endless = new EndlessReader();
        var e = Assert.Throws<ZoneFileException>(() =>
            new ZoneFileReader(endless, "endless", new ZoneFileOptions { MaxLineLength = 10_000 }).Read());
        Assert.Equal("endless:1: line longer than 10000 characters", e.Message);
        Assert.True(endless.Served < 100_000);
    }

    private sealed class EndlessReader : TextReader
    {
        public long Served { get; private set; }

        public override int Read(char[] buffer, int index, int count)
        {
            Array.Fill(buffer, 'a', index, count);
            Served += count;
            return count;
        }
    }
}
