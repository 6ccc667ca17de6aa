using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Images;

namespace Rdns.Zones.Tests;

/// <summary>
/// The own labels of a compact table's targets are kept in a fixed prefix code: whatever octets
/// a label holds must come back exactly (case included), host names must take markedly fewer octets
/// than their wire form, and a target the code would not shorten must be kept as it is.
/// </summary>
public class TargetCodeTests
{
    private static byte[] Labels(params string[] labels) => [.. labels.SelectMany(l => (byte[])[(byte)l.Length, .. l.Select(c => (byte)c)])];

    private static byte[] RoundTrip(ReadOnlySpan<byte> labels)
    {
        int codeLength = TargetCode.CodedLength(labels);
        var code = new byte[codeLength];
        TargetCode.Encode(labels, code);
        var back = new byte[labels.Length];
        int length = TargetCode.Decode(code, codeLength, back);
        // Followed by other octets, as in a table (read eight at a time): the same.
        byte[] followed = [.. code, 0x41, 0xFF, 0x00, 0xFF, 0x13, 0x37, 0xFF, 0xFF, 0xFF];
        var again = new byte[labels.Length];
        Assert.Equal(length, TargetCode.Decode(followed, codeLength, again));
        Assert.Equal(back, again);
        // Written in place where the destination has the room (as a name buffer does): the same.
        var wide = new byte[Math.Max(DnsName.MaxLength, TargetCode.DecodeRoom(codeLength))];
        Assert.Equal(length, TargetCode.Decode(code, codeLength, wide));
        Assert.Equal(back[..length], wide[..length]);
        return back[..length];
    }

    [Fact]
    public void Every_octet_and_the_end_of_a_label_has_a_code_the_decoder_reads_and_the_code_wastes_nothing()
    {
        long kraft = 0;
        int longest = 0;
        for (int symbol = 0; symbol <= 256; symbol++)
        {
            int length = TargetCode.LengthOf(symbol);
            Assert.InRange(length, 1, TargetCode.MaxCodeBits);
            kraft += 1L << (TargetCode.MaxCodeBits - length);
            longest = Math.Max(longest, length);
        }
        // Complete (the Kraft sum is exactly one), so the all-ones code is a longest one: padding of
        // fewer than eight one bits can never be read as a code.
        Assert.Equal(1L << TargetCode.MaxCodeBits, kraft);
        Assert.True(longest >= 8, $"the longest code has {longest} bits");
        // What host names are made of is short; the end of a label the shortest.
        Assert.True(TargetCode.LengthOf(256) <= 4);
        foreach (char c in "etaoinsr")
            Assert.True(TargetCode.LengthOf(c) <= 5, $"'{c}' has {TargetCode.LengthOf(c)} bits");
        foreach (char c in "0123456789-")
            Assert.True(TargetCode.LengthOf(c) <= 7, $"'{c}' has {TargetCode.LengthOf(c)} bits");
    }

    [Fact]
    public void Labels_of_any_octets_and_lengths_come_back_exactly_as_they_went_in()
    {
        var random = new Random(4343);
        const string host = "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ_";
        for (int round = 0; round < 20_000; round++)
        {
            var labels = new List<byte>();
            int count = 1 + random.Next(5);
            bool anyOctet = round % 4 == 0;
            for (int l = 0; l < count; l++)
            {
                int length = round % 50 == 0 ? 63 : 1 + random.Next(round % 7 == 0 ? 63 : 12);
                if (labels.Count + 1 + length > 254)
                    break;
                labels.Add((byte)length);
                for (int k = 0; k < length; k++)
                    labels.Add(anyOctet ? (byte)random.Next(256) : (byte)host[random.Next(host.Length)]);
            }
            var wire = labels.ToArray();
            Assert.Equal(wire, RoundTrip(wire));
        }
        // Every octet value, in labels of every length up to 63.
        var all = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        for (int length = 1; length <= 63; length++)
        {
            byte[] wire = [(byte)length, .. all.AsSpan((length * 37) % 193, length), 3, (byte)'e', 0, 255];
            Assert.Equal(wire, RoundTrip(wire));
        }
    }

    [Fact]
    public void The_padding_of_every_width_is_read_as_the_end_and_nothing_else()
    {
        // Names of one to sixty letters cover every count of padding bits, 0 to 7, with a short
        // label last (a code shorter than eight bits right before the padding).
        var paddings = new HashSet<int>();
        for (int n = 1; n <= 60; n++)
        {
            string first = new([.. Enumerable.Range(0, n).Select(k => "etaoinshrdlu0123-"[k % 17])]);
            foreach (var wire in new[] { Labels(first), Labels(first, "e"), Labels("e", first, "a") })
            {
                int bits = 0;
                for (int at = 0; at < wire.Length; at += 1 + wire[at])
                {
                    foreach (byte b in wire.AsSpan(at + 1, wire[at]))
                        bits += TargetCode.LengthOf(b);
                    bits += TargetCode.LengthOf(256);
                }
                paddings.Add((8 - bits % 8) % 8);
                Assert.Equal((bits + 7) / 8, TargetCode.CodedLength(wire));
                Assert.Equal(wire, RoundTrip(wire));
            }
        }
        Assert.Equal(8, paddings.Count);
    }

    [Fact]
    public void Host_names_take_about_three_fifths_of_their_wire_form()
    {
        string[][] names =
        [
            ["edge22", "quicknova-group"], ["mail4", "fra", "quickcedar78"], ["router-357", "mail", "xaberbo-media"],
            ["node1508", "lingalabri"], ["www"], ["host-192-0-2-17"], ["api", "painstar-design"], ["inelbru"],
        ];
        int wire = 0, coded = 0;
        foreach (var name in names)
        {
            var labels = Labels(name);
            wire += labels.Length;
            coded += TargetCode.CodedLength(labels);
        }
        Assert.True(coded * 100 < wire * 66, $"{coded} coded octets for {wire} in wire form");
        // The example docs/ARCHITECTURE.md gives.
        Assert.Equal(23, Labels("edge22", "quicknova-group").Length);
        Assert.Equal(16, TargetCode.CodedLength(Labels("edge22", "quicknova-group")));
    }

    [Fact]
    public void A_target_the_code_does_not_shorten_is_kept_as_it_is_behind_one_octet()
    {
        // Lowercase host labels: coded, behind their coded length.
        var host = Labels("edge22", "quicknova-group");
        Assert.Equal(1 + TargetCode.CodedLength(host), CompactPtrTable.OwnLength(host));
        // Uppercase and other octets code longer than they are: kept raw.
        var upper = Labels("EDGE-XQZ", "QUICKNOVA");
        Assert.True(TargetCode.CodedLength(upper) >= upper.Length);
        Assert.Equal(1 + upper.Length, CompactPtrTable.OwnLength(upper));
        var binary = Labels("\u0001\u00ff\u0080*");
        Assert.Equal(1 + binary.Length, CompactPtrTable.OwnLength(binary));
        // More than 63 coded octets (more than a length octet of the coded form says): raw.
        var longer = Labels(new string('e', 63), new string('t', 63), new string('a', 63));
        Assert.True(TargetCode.CodedLength(longer) > 63);
        Assert.Equal(1 + longer.Length, CompactPtrTable.OwnLength(longer));
        // No own labels (the target is a stored suffix): nothing but the suffix number.
        Assert.Equal(0, CompactPtrTable.OwnLength([]));
    }

    [Fact]
    public void A_table_of_targets_in_every_form_answers_each_exactly_and_comes_back_from_the_image()
    {
        var zone = ZoneBuilder.Standard("24.172.in-addr.arpa.");
        var expected = new Dictionary<DnsName, DnsName>();
        string[] shapes =
        [
            "edge{0}.quicknova-group.es.", "Mail{0}.Customer-{0}.EXAMPLE.com.", "UPPER{0}.QZX.example.net.", "x{0}.",
            "{1}.n{0}.example.org.", "h{0}.shared-suffix.example.", "shared-suffix.example.",
            "a\\001\\255b{0}.binary.example.", "_srv{0}.under_score.example.",
        ];
        string longLabels = $"{new string('e', 63)}.{new string('t', 63)}.{new string('o', 63)}";
        for (int i = 0; i < 2000; i++)
        {
            string target = string.Format(shapes[i % shapes.Length], i, longLabels);
            var owner = DnsName.Parse($"{i % 256}.{i / 256}.24.172.in-addr.arpa.");
            expected[owner] = DnsName.Parse(target);
            zone.Ptr($"{i % 256}.{i / 256}", target);
        }
        var built = zone.Build();
        Assert.Equal(expected.Count, built.CompactCount);
        AssertTargets(built);

        using var stream = new MemoryStream();
        ZoneImageWriter.Write(stream, "store", [new ZoneImageSource(1, 100, built)]);
        var image = ZoneImage.Open(stream.ToArray(), "store", out var problem);
        Assert.Null(problem);
        Assert.True(image!.TryMatch(1, built.Origin, built.Serial, 100, out var entry));
        var read = image.Build(entry);
        Assert.Equal(expected.Count, read.CompactCount);
        AssertTargets(read);

        void AssertTargets(ZoneSnapshot z)
        {
            var buffer = new byte[65535];
            foreach (var (owner, target) in expected)
            {
                var w = new DnsMessageWriter(buffer, buffer.Length);
                w.TryWriteQuestion(owner.Wire, RecordType.PTR, RecordClass.IN);
                AuthoritativeAnswer.Write(z, owner.Wire, RecordType.PTR, ref w, limitSize: false);
                var answer = DnsMessage.Parse(buffer.AsSpan(0, w.Finish()));
                // Octet for octet, case included.
                Assert.Equal(Convert.ToHexString(target.Wire), Convert.ToHexString(Rdata.ReadName(Assert.Single(answer.Answers).Data).Wire));
            }
            // In order, as a transfer reads them.
            var records = z.Records().Where(r => r.Type == RecordType.PTR).ToDictionary(r => r.Owner, r => Convert.ToHexString(r.Data));
            foreach (var (owner, target) in expected)
                Assert.Equal(Convert.ToHexString(target.Wire), records[owner]);
        }
    }
}
