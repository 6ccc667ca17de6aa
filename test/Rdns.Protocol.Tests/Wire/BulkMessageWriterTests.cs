using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Wire;

/// <summary>
/// The transfer writer: whatever it compresses, a parser gets back exactly the records given, in
/// order, from messages that never pass the limit and whose pointers all reach backwards to label
/// starts below 16 KiB.
/// </summary>
public class BulkMessageWriterTests
{
    private static readonly DnsName Zone = DnsName.Parse("16.172.in-addr.arpa.");

    /// <summary>Owners across a /16, targets of tenants (few shared suffixes), an operator (one suffix), mixed case and IDN.</summary>
    private static List<ResourceRecord> Records(int count)
    {
        string[] tlds = ["de.", "co.uk.", "net.", "xn--p1ai.", "example."];
        var records = new List<ResourceRecord>();
        for (int i = 0; i < count; i++)
        {
            var owner = DnsName.Parse($"{i % 256}.{i / 256 % 256}.{Zone}");
            string target = (i % 4) switch
            {
                0 => $"host-{i}.cust{i % 97}.Example.NET.",
                1 => $"smtp{i % 9}.tenant{i * 7919 % 5003}.{tlds[i % tlds.Length]}",
                2 => $"mail.xn--mnchen-3ya{i % 13}.de.",
                _ => $"host-{i}.cust{i % 97}.example.net.",
            };
            records.Add(new ResourceRecord(owner, RecordType.PTR, (uint)(i % 3 == 0 ? 60 : 3600), DnsName.Parse(target).Wire.ToArray()));
        }
        records.Insert(0, new ResourceRecord(Zone, RecordType.NS, 3600, DnsName.Parse("ns1.16.172.in-addr.arpa.").Wire.ToArray()));
        records.Insert(1, new ResourceRecord(Zone, RecordType.TXT, 300, Rdata.Txt("not compressed: not an RFC 1035 name type")));
        return records;
    }

    /// <summary>Writes <paramref name="records"/> the way a transfer does: a new message whenever one is full.</summary>
    private static List<byte[]> Write(IReadOnlyList<ResourceRecord> records, int capacity, int reserve)
    {
        var buffer = new byte[65535];
        var w = new BulkMessageWriter(buffer, capacity);
        var messages = new List<byte[]>();
        w.Begin(7, DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0), reserve, Zone.Wire, RecordType.AXFR, RecordClass.IN);
        foreach (var r in records)
        {
            if (w.TryAdd(r.Owner.Wire, r.Type, r.Ttl, r.Data))
                continue;
            messages.Add(buffer.AsSpan(0, w.Finish()).ToArray());
            w.Begin(7, DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0), reserve, default, RecordType.AXFR, RecordClass.IN);
            Assert.True(w.TryAdd(r.Owner.Wire, r.Type, r.Ttl, r.Data));
        }
        messages.Add(buffer.AsSpan(0, w.Finish()).ToArray());
        return messages;
    }

    [Theory]
    [InlineData(65535, 0)]
    [InlineData(65535, 300)]
    [InlineData(4096, 0)]
    [InlineData(512, 100)]
    public void Every_record_comes_back_in_order_from_messages_within_the_limit(int capacity, int reserve)
    {
        var records = Records(20_000);
        var messages = Write(records, capacity, reserve);

        var parsed = new List<ResourceRecord>();
        for (int m = 0; m < messages.Count; m++)
        {
            Assert.True(messages[m].Length <= capacity - reserve, $"message {m}: {messages[m].Length} octets");
            var message = DnsMessage.Parse(messages[m]);
            Assert.Equal(7, message.Id);
            Assert.Equal(m == 0 ? 1 : 0, message.Questions.Count);
            parsed.AddRange(message.Answers);
        }
        Assert.Equal(records.Count, parsed.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.True(records[i].Owner.Wire.SequenceEqual(parsed[i].Owner.Wire), $"record {i}: owner {parsed[i].Owner}");
            Assert.Equal(records[i].Type, parsed[i].Type);
            Assert.Equal(records[i].Ttl, parsed[i].Ttl);
            // Exact octets, case included: compression never changes what is sent.
            Assert.True(records[i].Data.AsSpan().SequenceEqual(parsed[i].Data), $"record {i}: data");
        }
    }

    [Fact]
    public void Names_are_compressed_against_everything_reachable_in_the_message()
    {
        var records = Records(20_000);
        var messages = Write(records, 65535, 0);
        long sent = messages.Sum(m => (long)m.Length);
        // The short-answer writer remembers 64 names per message: the hash table must do better.
        long shortWriter = 0;
        var buffer = new byte[65535];
        var w = new DnsMessageWriter(buffer, 65535);
        foreach (var r in records)
        {
            if (w.TryWriteRecord(Section.Answer, r.Owner.Wire, r.Type, RecordClass.IN, r.Ttl, r.Data))
                continue;
            shortWriter += w.Finish();
            w = new DnsMessageWriter(buffer, 65535);
            Assert.True(w.TryWriteRecord(Section.Answer, r.Owner.Wire, r.Type, RecordClass.IN, r.Ttl, r.Data));
        }
        shortWriter += w.Finish();
        Assert.True(sent < shortWriter * 95 / 100, $"sent {sent} octets; with 64 remembered names {shortWriter}");
        foreach (var message in messages)
            AssertPointersReachBackToLabels(message);
    }

    [Theory]
    [InlineData(65535, 0)]
    [InlineData(4096, 0)]
    [InlineData(512, 100)]
    public void A_PTR_added_as_such_is_written_exactly_as_any_record(int capacity, int reserve)
    {
        // PTRs only, in address order as a compact table reads them, with some owners repeated
        // (the whole owner is then pointed to) and a run across /16s whose rest changes.
        var records = Records(30_000).Where(r => r.Type == RecordType.PTR).ToList();
        records.InsertRange(500, records.GetRange(495, 5));
        records.Add(new ResourceRecord(DnsName.Parse("1.0.17.172.in-addr.arpa."), RecordType.PTR, 60, DnsName.Parse("a.example.").Wire.ToArray()));
        records.Add(new ResourceRecord(DnsName.Parse("2.0.17.172.in-addr.arpa."), RecordType.PTR, 60, DnsName.Parse("b.example.").Wire.ToArray()));
        var expected = Write(records, capacity, reserve);

        var buffer = new byte[65535];
        var w = new BulkMessageWriter(buffer, capacity);
        var messages = new List<byte[]>();
        w.Begin(7, DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0), reserve, Zone.Wire, RecordType.AXFR, RecordClass.IN);
        foreach (var r in records)
        {
            if (w.TryAddPtr(r.Owner.Wire, r.Ttl, r.Data))
                continue;
            messages.Add(buffer.AsSpan(0, w.Finish()).ToArray());
            w.Begin(7, DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0), reserve, default, RecordType.AXFR, RecordClass.IN);
            Assert.True(w.TryAddPtr(r.Owner.Wire, r.Ttl, r.Data));
        }
        messages.Add(buffer.AsSpan(0, w.Finish()).ToArray());

        Assert.Equal(expected.Count, messages.Count);
        for (int m = 0; m < messages.Count; m++)
            Assert.True(expected[m].AsSpan().SequenceEqual(messages[m]), $"message {m} differs");
    }

    /// <summary>
    /// PTRs whose targets come with a numbered suffix, as a compact table stores them: the suffix
    /// is the rest below the first label, or the top-level label only, or the root (a one-label
    /// target kept whole), or none; numbers dense or all in one cache slot; shapes that fill the
    /// writer's table within pointer reach (many short labels) and ones that share nothing.
    /// </summary>
    private static List<(ResourceRecord Record, int SuffixAt, int SuffixId)> NumberedPtrs(int count, bool colliding)
    {
        var ids = new Dictionary<string, int>();
        var list = new List<(ResourceRecord, int, int)>();
        foreach (var r in Records(count).Where(r => r.Type == RecordType.PTR))
        {
            int i = list.Count;
            var target = (i % 11) switch
            {
                3 => DnsName.Parse($"a.b.c.d{i % 7}.e{i}.example.").Wire.ToArray(),
                5 => DnsName.Parse($"single{i % 5}.").Wire.ToArray(),
                7 => DnsName.Parse($"{i % 256}.{i / 256 % 256}.{Zone}").Wire.ToArray(),
                _ => r.Data,
            };
            int first = 1 + target[0];
            int suffixAt = (i % 5) switch
            {
                0 => target.Length - 1,
                1 => LastLabel(target),
                _ => first,
            };
            if (target[suffixAt] == 0 && i % 5 != 0)
                suffixAt = target.Length - 1;
            string key = Convert.ToHexString(target.AsSpan(suffixAt));
            if (!ids.TryGetValue(key, out int id))
                ids[key] = id = colliding ? ids.Count * 4096 : ids.Count;
            list.Add((new ResourceRecord(r.Owner, RecordType.PTR, r.Ttl, target), suffixAt, i % 13 == 0 ? -1 : id));
        }
        return list;
    }

    private static int LastLabel(byte[] name)
    {
        int last = 0;
        for (int p = 0; name[p] != 0; p += 1 + name[p])
            last = p;
        return last;
    }

    [Theory]
    [InlineData(65535, 0, false, 40_000)]
    [InlineData(65535, 0, true, 40_000)]
    [InlineData(16384, 0, false, 40_000)]
    [InlineData(4096, 0, true, 40_000)]
    [InlineData(512, 100, false, 40_000)]
    [InlineData(150, 0, false, 70_000)]
    public void A_PTR_with_a_numbered_suffix_is_written_exactly_as_any_record(int capacity, int reserve, bool colliding, int count)
    {
        var numbered = NumberedPtrs(count, colliding);
        var expected = Write(numbered.Select(n => n.Record).ToList(), capacity, reserve);

        var buffer = new byte[65535];
        var w = new BulkMessageWriter(buffer, capacity);
        var messages = new List<byte[]>();
        w.Begin(7, DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0), reserve, Zone.Wire, RecordType.AXFR, RecordClass.IN);
        foreach (var (r, suffixAt, id) in numbered)
        {
            if (w.TryAddPtr(r.Owner.Wire, r.Ttl, r.Data, suffixAt, id))
                continue;
            messages.Add(buffer.AsSpan(0, w.Finish()).ToArray());
            w.Begin(7, DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0), reserve, default, RecordType.AXFR, RecordClass.IN);
            Assert.True(w.TryAddPtr(r.Owner.Wire, r.Ttl, r.Data, suffixAt, id));
        }
        messages.Add(buffer.AsSpan(0, w.Finish()).ToArray());

        Assert.Equal(expected.Count, messages.Count);
        for (int m = 0; m < messages.Count; m++)
        {
            Assert.True(expected[m].AsSpan().SequenceEqual(messages[m]), $"message {m} differs");
            AssertPointersReachBackToLabels(messages[m]);
        }
        // And an independent reading: every record back, exact octets.
        var parsed = messages.SelectMany(m => DnsMessage.Parse(m).Answers).ToList();
        Assert.Equal(numbered.Count, parsed.Count);
        for (int i = 0; i < numbered.Count; i++)
        {
            Assert.True(numbered[i].Record.Owner.Wire.SequenceEqual(parsed[i].Owner.Wire), $"record {i}: owner {parsed[i].Owner}");
            Assert.True(numbered[i].Record.Data.AsSpan().SequenceEqual(parsed[i].Data), $"record {i}: target");
        }
    }

    [Fact]
    public void After_65535_messages_nothing_learned_in_the_first_is_used()
    {
        // The writer counts messages in 16 bits: when the count starts again, what it learned
        // about a numbered suffix in the first message (where it was written) must be forgotten.
        var buffer = new byte[65535];
        var w = new BulkMessageWriter(buffer, 65535);
        var target = DnsName.Parse("host.example.net.").Wire.ToArray();
        w.Begin(1, 0, 0, default, RecordType.AXFR, RecordClass.IN);
        Assert.True(w.TryAddPtr(DnsName.Parse($"1.0.{Zone}").Wire, 60, target, 5, 42));
        for (int m = 0; m < 65_533; m++)
            w.Begin(1, 0, 0, default, RecordType.AXFR, RecordClass.IN);
        var other = DnsName.Parse("a-different-name-in-the-same-place.example.org.").Wire.ToArray();
        w.Begin(1, 0, 0, default, RecordType.AXFR, RecordClass.IN);
        Assert.True(w.TryAdd(DnsName.Parse($"2.0.{Zone}").Wire, RecordType.PTR, 60, other));
        Assert.True(w.TryAddPtr(DnsName.Parse($"3.0.{Zone}").Wire, 60, target, 5, 42));
        var answers = DnsMessage.Parse(buffer.AsSpan(0, w.Finish())).Answers;
        Assert.True(answers[0].Data.AsSpan().SequenceEqual(other));
        Assert.True(answers[1].Data.AsSpan().SequenceEqual(target), DnsName.FromWire(answers[1].Data).ToString());
    }

    [Fact]
    public void A_suffix_number_that_does_not_match_a_label_start_is_written_as_any_name()
    {
        var buffer = new byte[65535];
        var w = new BulkMessageWriter(buffer, 65535);
        w.Begin(1, 0, 0, default, RecordType.AXFR, RecordClass.IN);
        var a = DnsName.Parse("host.example.net.").Wire.ToArray();
        // One label "abcd\x07example", then "net": from octet 5 on, the octets of example.net.
        byte[] b = [12, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 7, .. "example"u8, 3, .. "net"u8, 0];
        Assert.True(b.AsSpan(5).SequenceEqual(a.AsSpan(5)));
        Assert.True(w.TryAddPtr(DnsName.Parse($"1.0.{Zone}").Wire, 60, a, 5, 1));
        Assert.True(w.TryAddPtr(DnsName.Parse($"2.0.{Zone}").Wire, 60, a, 5, 1));
        // Suffix 1's octets, but not at a label start of this name: the writer must not trust it.
        Assert.True(w.TryAddPtr(DnsName.Parse($"3.0.{Zone}").Wire, 60, b, 5, 1));
        Assert.True(w.TryAddPtr(DnsName.Parse($"4.0.{Zone}").Wire, 60, a, 5, 1));
        var answers = DnsMessage.Parse(buffer.AsSpan(0, w.Finish())).Answers;
        Assert.Equal(4, answers.Count);
        Assert.True(answers[2].Data.AsSpan().SequenceEqual(b));
        Assert.True(answers[3].Data.AsSpan().SequenceEqual(a));
    }

    [Fact]
    public void A_record_that_does_not_fit_leaves_the_message_as_it_was()
    {
        var buffer = new byte[65535];
        var w = new BulkMessageWriter(buffer, 200);
        w.Begin(1, 0, 0, Zone.Wire, RecordType.AXFR, RecordClass.IN);
        var target = DnsName.Parse("a-rather-long-target-name-for-a-small-message.tenant.example.").Wire.ToArray();
        int added = 0;
        while (w.TryAdd(DnsName.Parse($"{added}.0.{Zone}").Wire, RecordType.PTR, 60, target))
            added++;
        int length = w.Finish();
        var message = DnsMessage.Parse(buffer.AsSpan(0, length));
        Assert.Equal(added, message.Answers.Count);
        Assert.True(added >= 2);
        // The next record again, after the failed one: the names it left behind are not pointed to.
        w.Begin(1, 0, 0, default, RecordType.AXFR, RecordClass.IN);
        Assert.True(w.TryAdd(DnsName.Parse($"{added}.0.{Zone}").Wire, RecordType.PTR, 60, target));
        Assert.Equal($"{added}.0.{Zone}", DnsMessage.Parse(buffer.AsSpan(0, w.Finish())).Answers[0].Owner.ToString());
    }

    /// <summary>Walks every name of the answers: each pointer goes backwards, below 16 KiB, to the start of a label.</summary>
    private static void AssertPointersReachBackToLabels(byte[] message)
    {
        var labelStarts = new HashSet<int>();
        int pos = DnsHeader.Size;
        int qd = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(4));
        int an = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(6));
        for (int i = 0; i < qd; i++)
            pos = WalkName(message, pos, labelStarts) + 4;
        for (int i = 0; i < an; i++)
        {
            pos = WalkName(message, pos, labelStarts);
            var type = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(pos));
            int rdlength = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(pos + 8));
            pos += 10;
            if (type is RecordType.PTR or RecordType.NS)
                Assert.Equal(pos + rdlength, WalkName(message, pos, labelStarts));
            pos += rdlength;
        }
        Assert.Equal(message.Length, pos);
    }

    private static int WalkName(byte[] message, int pos, HashSet<int> labelStarts)
    {
        while (true)
        {
            int len = message[pos];
            if ((len & 0xC0) == 0xC0)
            {
                int target = ((len & 0x3F) << 8) | message[pos + 1];
                Assert.True(target < pos && target < 0x4000, $"pointer at {pos} to {target}");
                Assert.Contains(target, labelStarts);
                return pos + 2;
            }
            labelStarts.Add(pos);
            if (len == 0)
                return pos + 1;
            pos += 1 + len;
        }
    }
}
