using FsCheck;
using FsCheck.Fluent;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Wire;

public class MessageWriterTests
{
    private static readonly DnsName Qname = DnsName.Parse("129.2.0.192.in-addr.arpa.");

    [Fact]
    public void Answer_owner_equal_to_the_question_becomes_a_pointer_to_it()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 512);
        Assert.True(w.TryWriteQuestion(Qname.Wire, RecordType.PTR, RecordClass.IN));
        int afterQuestion = w.Position;
        Assert.True(w.TryWriteRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 3600, Rdata.Ptr(DnsName.Parse("www.example.com."))));
        int length = w.Finish();
        // Owner: 2-octet pointer to offset 12.
        Assert.Equal(0xC0, buffer[afterQuestion]);
        Assert.Equal(12, buffer[afterQuestion + 1]);
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, length));
        Assert.Equal(Qname, parsed.Answers[0].Owner);
        Assert.Equal("www.example.com.", Rdata.ReadName(parsed.Answers[0].Data).ToString());
    }

    [Fact]
    public void Rdata_names_of_rfc_1035_types_share_suffixes_already_written()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 512);
        var zone = DnsName.Parse("2.0.192.in-addr.arpa.");
        w.TryWriteQuestion(zone.Wire, RecordType.NS, RecordClass.IN);
        w.TryWriteRecord(Section.Answer, zone.Wire, RecordType.NS, RecordClass.IN, 60, DnsName.Parse("ns1.2.0.192.in-addr.arpa.").Wire);
        int length = w.Finish();
        // 12 header + 22 qname + 4 + (2 owner ptr + 10 fixed + 4 "ns1" + 2 ptr) = 56
        Assert.Equal(56, length);
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, length));
        Assert.Equal("ns1.2.0.192.in-addr.arpa.", Rdata.ReadName(parsed.Answers[0].Data).ToString());
    }

    [Fact]
    public void A_record_that_does_not_fit_leaves_the_message_unchanged()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 60);
        w.TryWriteQuestion(Qname.Wire, RecordType.TXT, RecordClass.IN);
        var before = w.GetMark();
        Assert.False(w.TryWriteRecord(Section.Answer, Qname.Wire, RecordType.TXT, RecordClass.IN, 60, Rdata.Txt(new string('x', 100))));
        Assert.Equal(before, w.GetMark());
        Assert.Equal(0, w.AnswerCount);
        // And a later, smaller record still compresses against the question correctly.
        Assert.True(w.TryWriteRecord(Section.Answer, Qname.Wire, RecordType.TXT, RecordClass.IN, 60, Rdata.Txt("ok")));
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
        Assert.Single(parsed.Answers);
    }

    [Fact]
    public void Opt_round_trips_payload_version_do_and_extended_rcode()
    {
        var m = DnsMessage.Query(Qname, RecordType.PTR, id: 7, edns: new EdnsOptions(4096, 0, DnssecOk: true));
        m.Rcode = (int)Rcode.BadVers;
        var back = DnsMessage.Parse(m.ToWire());
        Assert.Equal(4096, back.Edns!.PayloadSize);
        Assert.True(back.Edns.DnssecOk);
        Assert.Equal((int)Rcode.BadVers, back.Rcode);
    }

    [Fact]
    public void Compressed_soa_rdata_is_expanded_on_read()
    {
        var zone = DnsName.Parse("2.0.192.in-addr.arpa.");
        var soa = Rdata.Soa(DnsName.Parse("ns1.2.0.192.in-addr.arpa."), DnsName.Parse("hostmaster.2.0.192.in-addr.arpa."), 2026112201, 7200, 900, 1209600, 300);
        var m = new DnsMessage { Flags = HeaderFlags.QR | HeaderFlags.AA };
        m.Questions.Add(new Question(zone, RecordType.SOA));
        m.Answers.Add(new ResourceRecord(zone, RecordType.SOA, 3600, soa));
        var wire = m.ToWire();
        Assert.True(wire.Length < 12 + 26 + 12 + soa.Length); // compression happened
        var back = DnsMessage.Parse(wire);
        Assert.Equal(soa, back.Answers[0].Data);
        Assert.Equal(2026112201u, Rdata.SoaSerial(back.Answers[0].Data));
    }

    [Fact]
    public void Any_set_of_records_survives_a_write_and_read()
    {
        var labels = Gen.Elements("a", "b", "ns1", "129", "2", "0", "192", "in-addr", "arpa", "Example", "NET");
        var names = Gen.ArrayOf(labels).Where(a => a.Length is >= 1 and <= 6).Select(a => DnsName.Parse(string.Join('.', a) + "."));
        var record = from owner in names
                     from target in names
                     from type in Gen.Elements(RecordType.PTR, RecordType.NS, RecordType.CNAME, RecordType.TXT)
                     select (owner, target, type);
        var records = Gen.ArrayOf(record).Where(a => a.Length <= 20);
        var input = from q in names from rs in records select (q, rs);
        Prop.ForAll(input.ToArbitrary(), input =>
        {
            var (q, rs) = input;
            var m = DnsMessage.Query(q, RecordType.PTR);
            foreach (var (owner, target, type) in rs)
            {
                var data = type == RecordType.TXT ? Rdata.Txt(target.ToString()) : target.Wire.ToArray();
                m.Answers.Add(new ResourceRecord(owner, type, 300, data));
            }
            var back = DnsMessage.Parse(m.ToWire());
            return back.Answers.Count == m.Answers.Count &&
                   back.Answers.Zip(m.Answers).All(p => p.First.Equals(p.Second) && p.First.Owner.ToString() == p.Second.Owner.ToString() &&
                                                        p.First.Data.AsSpan().SequenceEqual(p.Second.Data));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Every_name_points_at_the_first_place_its_longest_written_suffix_was_written_as_a_reference_compressor_says()
    {
        // The reference: every suffix written literally at an offset a pointer can reach is
        // remembered (the first place only, at most the table's 64 labels, never the root); a
        // name is written up to its longest remembered suffix, then a pointer to it. Case is kept.
        var random = new Random(7);
        string[] pool = ["a", "b", "ns1", "129", "2", "0", "192", "in-addr", "arpa", "Example", "example", "NET", "net", "com", "x"];
        for (int round = 0; round < 3000; round++)
        {
            var buffer = new byte[4096];
            var w = new DnsMessageWriter(buffer, 4096);
            var known = new Dictionary<string, int>();
            int entries = 0;
            var expected = new List<byte>(new byte[12]);
            DnsName Name() => DnsName.Parse(string.Join('.', Enumerable.Range(0, random.Next(0, 6)).Select(_ => pool[random.Next(pool.Length)])) + ".");
            void Expect(byte[] name)
            {
                var starts = new List<int>();
                for (int p = 0; name[p] != 0; p += 1 + name[p])
                    starts.Add(p);
                int match = starts.FindIndex(p => known.ContainsKey(Convert.ToHexString(name.AsSpan(p))));
                int literal = match < 0 ? name.Length : starts[match];
                int at = expected.Count;
                expected.AddRange(name[..literal]);
                if (match >= 0)
                {
                    int target = known[Convert.ToHexString(name.AsSpan(starts[match]))];
                    expected.AddRange([(byte)(0xC0 | target >> 8), (byte)target]);
                }
                foreach (int p in starts.Where(p => p < literal))
                {
                    if (entries < 64 && at + p < 0x4000)
                    {
                        known.TryAdd(Convert.ToHexString(name.AsSpan(p)), at + p);
                        entries++;
                    }
                }
            }
            var question = Name();
            Assert.True(w.TryWriteQuestion(question.Wire, RecordType.PTR, RecordClass.IN));
            Expect(question.Wire.ToArray());
            expected.AddRange([0, 12, 0, 1]);
            for (int r = random.Next(1, 30); r > 0; r--)
            {
                var owner = random.Next(3) == 0 ? question : Name();
                var target = Name();
                Assert.True(w.TryWriteNameRecord(Section.Answer, owner.Wire, RecordType.PTR, RecordClass.IN, 60, target.Wire));
                Expect(owner.Wire.ToArray());
                expected.AddRange([0, 12, 0, 1, 0, 0, 0, 60, 0, 0]);
                int rdata = expected.Count;
                Expect(target.Wire.ToArray());
                expected[rdata - 2] = (byte)((expected.Count - rdata) >> 8);
                expected[rdata - 1] = (byte)(expected.Count - rdata);
            }
            int length = w.Finish();
            Assert.True(expected.Skip(12).SequenceEqual(buffer.AsSpan(12, length - 12).ToArray()), $"round {round}");
        }
    }

    [Fact]
    public void Garbage_never_throws_from_the_parser()
    {
        var bytes = Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i)).Where(a => a.Length < 600);
        Prop.ForAll(bytes.ToArbitrary(), data =>
        {
            DnsMessage.TryParse(data, out _, out _);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }
    /// <summary>
    /// A name record written as known valid (<see cref="DnsMessageWriter.TryWriteNameRecord"/>) is the
    /// same octets as one written through the general path, over owners and targets that share
    /// the question's labels whole, in part, in another case, or not at all, after questions of
    /// any of them.
    /// </summary>
    [Fact]
    public void A_name_record_written_as_valid_is_the_octets_of_the_general_path()
    {
        string[] labels = ["129", "2", "0", "192", "in-addr", "IN-ADDR", "arpa", "ARPA", "www", "example", "com", "a"];
        var random = new Random(1035);
        string Name()
        {
            int count = random.Next(0, 7);
            return count == 0 ? "." : string.Join('.', Enumerable.Range(0, count).Select(_ => labels[random.Next(labels.Length)])) + ".";
        }
        int compared = 0;
        for (int round = 0; round < 3000; round++)
        {
            var question = random.Next(3) == 0 ? Qname : DnsName.Parse(Name());
            var owner = random.Next(2) == 0 ? question : DnsName.Parse(Name());
            var target = random.Next(4) == 0 ? question : DnsName.Parse(Name());
            var type = random.Next(3) switch { 0 => RecordType.PTR, 1 => RecordType.CNAME, _ => RecordType.NS };
            int limit = random.Next(4) == 0 ? random.Next(12, 80) : 512;
            var general = new byte[512];
            var valid = new byte[512];
            var g = new DnsMessageWriter(general, limit);
            var v = new DnsMessageWriter(valid, limit);
            bool gq = g.TryWriteQuestion(question.Wire, type, RecordClass.IN);
            Assert.Equal(gq, v.TryWriteQuestion(question.Wire, type, RecordClass.IN));
            for (int r = 0; r < 2; r++)
            {
                Assert.Equal(g.TryWriteRecord(Section.Answer, owner.Wire, type, RecordClass.IN, 300, target.Wire),
                    v.TryWriteNameRecord(Section.Answer, owner.Wire, type, RecordClass.IN, 300, target.Wire));
                (owner, target) = (target, owner);
            }
            Assert.Equal(general.AsSpan(0, g.Finish()).ToArray(), valid.AsSpan(0, v.Finish()).ToArray());
            compared++;
        }
        Assert.Equal(3000, compared);
    }

    [Fact]
    public void An_owner_in_another_case_than_the_question_shares_only_the_labels_spelled_alike()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 512);
        Assert.True(w.TryWriteQuestion(Qname.Wire, RecordType.PTR, RecordClass.IN));
        int afterQuestion = w.Position;
        var upper = DnsName.Parse("129.2.0.192.IN-ADDR.arpa.");
        Assert.True(w.TryWriteNameRecord(Section.Answer, upper.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("h.example.").Wire));
        // "129.2.0.192.IN-ADDR" written out (4 + 2 + 2 + 4 + 8 octets), then a pointer to "arpa" in the question.
        int arpaAt = 12 + Qname.Wire.Length - 6;
        Assert.Equal(0xC0, buffer[afterQuestion + 20]);
        Assert.Equal(arpaAt, buffer[afterQuestion + 21]);
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
        Assert.Equal("129.2.0.192.IN-ADDR.arpa.", parsed.Answers[0].Owner.ToString());
    }

    [Fact]
    public void A_name_is_compressed_against_every_name_written_whatever_the_questions_last_label()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 512);
        Assert.True(w.TryWriteQuestion(Qname.Wire, RecordType.PTR, RecordClass.IN));
        // The question alone in the table, and a target under another top-level label: written whole.
        int before = w.Position;
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("h1.example.net.").Wire));
        Assert.Equal(2 + 10 + DnsName.Parse("h1.example.net.").Wire.Length, w.Position - before);
        // That target is in the table now: the next one under example.net. points at it.
        before = w.Position;
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("h2.example.net.").Wire));
        Assert.Equal(2 + 10 + 3 + 2, w.Position - before); // "h2", then a pointer
        // A target under arpa. shares the question's labels.
        before = w.Position;
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("x.2.0.192.in-addr.arpa.").Wire));
        Assert.Equal(2 + 10 + 2 + 2, w.Position - before); // "x", then a pointer
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
        Assert.Equal(["h1.example.net.", "h2.example.net.", "x.2.0.192.in-addr.arpa."],
            parsed.Answers.Select(a => Rdata.ReadName(a.Data).ToString()));
    }

    [Fact]
    public void The_table_holds_each_label_of_the_question_and_a_target_elsewhere_is_known_to_share_none_of_them()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 512);
        Assert.True(w.TryWriteQuestion(Qname.Wire, RecordType.PTR, RecordClass.IN));
        // One entry per label, none for the root: the shortcut's test of "only the first name" holds.
        Assert.Equal(Qname.LabelCount, w.CompressionEntries);
        var elsewhere = DnsName.Parse("cdn15.merkingreen-net.com.").Wire;
        Assert.True(w.SharesNothingWithFirst(elsewhere));
        Assert.False(w.SharesNothingWithFirst(DnsName.Parse("x.in-addr.arpa.").Wire));
        // Ending in the octets of the question's last label without it being the last label: searched.
        Assert.False(w.SharesNothingWithFirst([6, (byte)'x', 4, (byte)'a', (byte)'r', (byte)'p', (byte)'a', 0]));
        Assert.True(w.SharesNothingWithFirst(DnsName.Parse("x.ARPA.").Wire));
        Assert.True(w.SharesNothingWithFirst(DnsName.Root.Wire));
        // The answer's owner is a pointer (no entries); its target adds its own labels, and then
        // the table holds more than the first name.
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, elsewhere));
        Assert.Equal(Qname.LabelCount + 3, w.CompressionEntries);
        Assert.False(w.SharesNothingWithFirst(elsewhere));
    }

    [Fact]
    public void A_first_name_rolled_back_is_never_pointed_at()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 512);
        var target = DnsName.Parse("h.example.").Wire;
        var start = w.GetMark();
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, target));
        w.Rollback(start);
        // Same length as Qname, written where it was.
        var other = DnsName.Parse("131.2.0.192.in-addr.arpa.");
        Assert.True(w.TryWriteNameRecord(Section.Answer, other.Wire, RecordType.PTR, RecordClass.IN, 60, target));
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, target));
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
        Assert.Equal(2, parsed.Answers.Count);
        Assert.Equal(other, parsed.Answers[0].Owner);
        Assert.Equal(Qname, parsed.Answers[1].Owner);
    }

    [Fact]
    public void The_last_names_labels_are_remembered_when_a_record_follows_and_forgotten_with_it_on_a_rollback()
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, 512);
        Assert.True(w.TryWriteQuestion(Qname.Wire, RecordType.PTR, RecordClass.IN));
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("h1.example.net.").Wire));
        int keptTarget = w.Position - 16;
        // A record rolled back after its target was written: that target must never be pointed at.
        var mark = w.GetMark();
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("h2.example.org.").Wire));
        w.Rollback(mark);
        int before = w.Position;
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("x.example.org.").Wire));
        // Owner pointer, type, class, TTL, length; then the target whole: no "example.org." was kept.
        Assert.Equal(2 + 10 + 15, w.Position - before);
        // The first target, written before the mark, is still there to point at.
        before = w.Position;
        Assert.True(w.TryWriteNameRecord(Section.Answer, Qname.Wire, RecordType.PTR, RecordClass.IN, 60, DnsName.Parse("y.example.net.").Wire));
        Assert.Equal(2 + 10 + 2 + 2, w.Position - before);
        Assert.Equal(0xC0, buffer[w.Position - 2]);
        Assert.Equal(keptTarget + 3, buffer[w.Position - 1]);
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
        Assert.Equal(["h1.example.net.", "x.example.org.", "y.example.net."],
            parsed.Answers.Select(a => Rdata.ReadName(a.Data).ToString()));
    }
}
