using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Images;

namespace Rdns.Zones.Tests;

/// <summary>
/// A zone image holds built zones so a start need not build them again: read back, every zone must
/// answer every question exactly as the zone built from its records does, and an image that is
/// damaged, cut short, of another format version or of another store must be refused, never read.
/// </summary>
public class ZoneImageTests
{
    private const string StoreId = "store-one";

    /// <summary>Zones of every kind a compact table meets, and zones it leaves to the nodes.</summary>
    private static List<ZoneSnapshot> Zones()
    {
        var operatorZone = ZoneBuilder.Standard("2.0.192.in-addr.arpa.");
        for (int i = 0; i < 250; i += 1 + i % 3)
            operatorZone.Ptr($"{i}", $"host-192-0-2-{i}.cust{i % 4}.example.net.");
        operatorZone.Txt("_meta", "reverse zone of 192.0.2.0/24");

        // Tenants' own names, several TTLs, a one-label and a root target, an address with two PTRs.
        var tenant = ZoneBuilder.Standard("10.in-addr.arpa.");
        for (int i = 0; i < 5000; i++)
            tenant.Name($"{i & 0xFF}.{(i >> 8) & 0xFF}.{i >> 16}", RecordType.PTR, $"edge{i % 9}.Tenant{i * 7919 % 10007}.xn--bcher-kva.{(i % 3 == 0 ? "com" : "io")}.", (uint)(60 + i % 300));
        tenant.Name("1.1.1", RecordType.PTR, "localhost.");
        tenant.Add("2.1.1", RecordType.PTR, [0]);
        tenant.Name("3.1.1", RecordType.PTR, "first.example.");
        tenant.Name("3.1.1", RecordType.PTR, "second.example.");

        var six = ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.");
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            var nibbles = string.Join('.', Enumerable.Range(0, 24).Select(_ => "0123456789abcdef"[random.Next(16)]));
            six.Ptr(nibbles, $"v6-{i}.example.org.");
        }

        // A delegation and a wildcard keep their zones' addresses as nodes.
        var delegated = ZoneBuilder.Standard("51.198.in-addr.arpa.");
        for (int i = 0; i < 100; i++)
            delegated.Ptr($"{i}.{i % 3}", $"h{i}.example.com.");
        delegated.Ns("2", "ns.child.example.");
        delegated.Ptr("5.2", "below.cut.example.");
        var wild = ZoneBuilder.Standard("113.0.203.in-addr.arpa.");
        wild.Ptr("*", "any.example.");
        wild.Ptr("7", "seven.example.");

        var forward = ZoneBuilder.Standard("example.net.");
        forward.A("www", "192.0.2.1");
        forward.Cname("alias", "www");

        // A catalog (RFC 9432): its members' PTRs are a compact table too.
        var catalog = ZoneBuilder.Standard("catalog.invalid.");
        catalog.Txt("version", "2");
        for (int i = 0; i < 300; i++)
            catalog.Ptr($"{i * 7919:x20}.zones", $"{i & 0xFF}.{i >> 8}.10.in-addr.arpa.");
        catalog.Txt("group.00000000000000000000.zones", "a member with a property stays a node");
        return [operatorZone.Build(), tenant.Build(), six.Build(), delegated.Build(), wild.Build(), forward.Build(), catalog.Build()];
    }

    private static byte[] Image(IReadOnlyList<ZoneSnapshot> zones, string storeId = StoreId)
    {
        using var stream = new MemoryStream();
        ZoneImageWriter.Write(stream, storeId, [.. zones.Select((z, i) => new ZoneImageSource(i + 1, 100 + i, z))]);
        return stream.ToArray();
    }

    [Fact]
    public void Every_zone_read_from_the_image_answers_as_the_zone_built_from_its_records()
    {
        var zones = Zones();
        var image = ZoneImage.Open(Image(zones), StoreId, out var problem);
        Assert.Null(problem);
        Assert.NotNull(image);
        Assert.Equal(zones.Count, image.Count);
        for (int i = 0; i < zones.Count; i++)
        {
            Assert.True(image.TryMatch(i + 1, zones[i].Origin, zones[i].Serial, 100 + i, out var entry));
            var read = image.Build(entry);
            Assert.Equal(zones[i].CompactCount, read.CompactCount);
            AssertAnswersAlike(zones[i], read);
        }
        Assert.True(zones[1].CompactCount > 4000 && zones[2].CompactCount == 2000, "the tenant and IPv6 zones have compact tables");
        Assert.Equal(299, zones[6].CompactCount);
    }

    [Fact]
    public void Suffix_numbers_of_every_width_end_the_labels_and_read_back_as_written()
    {
        int[] numbers = [0, 1, 127, 128, 129, 12415, 12416, 12417, 995455, 995456, TargetSuffixes.MaxCount - 1];
        int[] lengths = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4];
        var buffer = new byte[8];
        for (int i = 0; i < numbers.Length; i++)
        {
            Assert.Equal(lengths[i], CompactPtrTable.SuffixNumberLength(numbers[i]));
            Assert.Equal(lengths[i], CompactPtrTable.WriteSuffixNumber(buffer, 0, numbers[i]));
            // No label length is 0x40 or more: the labels before a number end at its first octet.
            Assert.True(buffer[0] >= 0x40, $"{numbers[i]} starts with {buffer[0]:x2}");
            int pos = 0;
            Assert.Equal(numbers[i], CompactPtrTable.ReadSuffixNumber(buffer, ref pos));
            Assert.Equal(lengths[i], pos);
        }
    }

    [Fact]
    public void A_table_whose_targets_name_suffixes_of_every_number_width_answers_them_and_comes_back_from_the_image()
    {
        // Enough suffixes in the process's table for numbers of one, two and three octets.
        for (int i = 0; TargetSuffixes.Count < 12416 + 200; i++)
            TargetSuffixes.Intern(DnsName.Parse($"s{i}.width-test.example.").Wire);
        int[] ids = [.. Enumerable.Range(0, 100), .. Enumerable.Range(12300, 200), .. Enumerable.Range(TargetSuffixes.Count - 100, 100)];
        var zone = ZoneBuilder.Standard("16.172.in-addr.arpa.");
        var expected = new Dictionary<DnsName, string>();
        for (int i = 0; i < ids.Length; i++)
        {
            // One own label, two, or none (the target is the suffix itself).
            string suffix = DnsName.FromWire(TargetSuffixes.Get(ids[i])).ToString();
            string under = suffix == "." ? "" : suffix;
            string target = (i % 3) switch { 0 => $"h{i}.{under}", 1 => $"edge{i}.eu.{under}", _ => suffix };
            var owner = DnsName.Parse($"{i % 256}.{i / 256}.16.172.in-addr.arpa.");
            expected[owner] = target;
            zone.Ptr($"{i % 256}.{i / 256}", target);
        }
        var built = zone.Build();
        Assert.Equal(ids.Length, built.CompactCount);
        AssertTargets(built);

        var image = ZoneImage.Open(Image([built]), StoreId, out var problem);
        Assert.Null(problem);
        Assert.True(image!.TryMatch(1, built.Origin, built.Serial, 100, out var entry));
        var read = image.Build(entry);
        Assert.Equal(ids.Length, read.CompactCount);
        AssertTargets(read);
        AssertAnswersAlike(built, read);

        void AssertTargets(ZoneSnapshot z)
        {
            var buffer = new byte[512];
            foreach (var (owner, target) in expected)
            {
                var answer = DnsMessage.Parse(buffer.AsSpan(0, Write(z, owner, RecordType.PTR, buffer)));
                Assert.Equal(target, Rdata.ReadName(Assert.Single(answer.Answers).Data).ToString(), ignoreCase: true);
            }
            Assert.Equal(expected.Count, z.CompactRecords().Count());
        }
    }

    [Fact]
    public void A_zone_matches_only_at_the_same_row_name_serial_and_revision()
    {
        var zones = Zones();
        var image = ZoneImage.Open(Image(zones), StoreId, out _)!;
        var z = zones[0];
        Assert.True(image.TryMatch(1, z.Origin, z.Serial, 100, out _));
        Assert.False(image.TryMatch(1, z.Origin, z.Serial, 101, out _));
        Assert.False(image.TryMatch(1, z.Origin, z.Serial + 1, 100, out _));
        Assert.False(image.TryMatch(1, zones[1].Origin, z.Serial, 100, out _));
        Assert.False(image.TryMatch(99, z.Origin, z.Serial, 100, out _));
    }

    [Fact]
    public void A_damaged_truncated_foreign_or_other_version_image_is_refused_with_the_reason()
    {
        var octets = Image(Zones());

        var flipped = (byte[])octets.Clone();
        flipped[flipped.Length / 2] ^= 0x40;
        Assert.Null(ZoneImage.Open(flipped, StoreId, out var problem));
        Assert.Contains("checksum", problem);

        Assert.Null(ZoneImage.Open(octets[..(octets.Length * 2 / 3)], StoreId, out problem));
        Assert.Contains("checksum", problem);
        Assert.Null(ZoneImage.Open(octets[..5], StoreId, out problem));
        Assert.Contains("not a zone image", problem);

        Assert.Null(ZoneImage.Open(octets, "another-store", out problem));
        Assert.Contains("another store", problem);

        // The next format version, with a checksum that matches: refused for the version alone.
        var next = (byte[])octets.Clone();
        BitConverter.TryWriteBytes(next.AsSpan(8, 4), ZoneImageWriter.FormatVersion + 1);
        BitConverter.TryWriteBytes(next.AsSpan(next.Length - 8), ImageChecksum.Of(next.AsSpan(0, next.Length - 8)));
        Assert.Null(ZoneImage.Open(next, StoreId, out problem));
        Assert.Contains("format version", problem);
    }

    [Fact]
    public void A_table_whose_contents_break_a_rule_is_refused_even_with_a_matching_checksum()
    {
        var zone = Zones()[0];
        var octets = Image([zone]);
        // The first key of the table (after the zone's node records and the table's space and count)
        // made larger than the second: the keys are no longer sorted.
        var image = ZoneImage.Open(octets, StoreId, out _)!;
        var entry = image.Entries.Single();
        // Past the zone's node records (the layout of ZoneImageWriter) to the table.
        int at = entry.BodyAt;
        int records = BitConverter.ToInt32(octets, at);
        at += 4;
        for (int i = 0; i < records; i++)
        {
            at += 1 + octets[at];
            at += 2 + 4;
            at += 2 + BitConverter.ToUInt16(octets, at);
        }
        Assert.Equal(1, octets[at]);
        int keysAt = at + 1 + 16 + 1 + 4;
        octets[keysAt] = 0xFF;
        BitConverter.TryWriteBytes(octets.AsSpan(octets.Length - 8), ImageChecksum.Of(octets.AsSpan(0, octets.Length - 8)));
        var broken = ZoneImage.Open(octets, StoreId, out var problem)!;
        Assert.Null(problem);
        var error = Assert.Throws<InvalidDataException>(() => broken.Build(broken.Entries.Single()));
        Assert.Contains("sorted", error.Message);
    }

    [Fact]
    public void A_zone_with_changes_patched_over_its_table_is_left_out_of_the_image()
    {
        var zones = Zones();
        var soa = zones[0].Soa;
        var next = Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 2, 7200, 900, 1209600, 300);
        var changed = zones[0].Apply(new Changeset(1, 2,
            [new ResourceRecord(zones[0].Origin, RecordType.SOA, soa.Ttl, soa.Data[0])],
            [new ResourceRecord(zones[0].Origin, RecordType.SOA, soa.Ttl, next), new ResourceRecord(DnsName.Parse("251.2.0.192.in-addr.arpa."), RecordType.PTR, 60, DnsName.Parse("new.example.").Wire.ToArray())]));
        Assert.True(changed.CompactPatchCount > 0);
        var image = ZoneImage.Open(Image([changed, zones[1]]), StoreId, out _)!;
        Assert.Equal(1, image.Count);
        Assert.Equal(zones[1].Origin, image.Entries.Single().Origin);
    }

    private static void AssertAnswersAlike(ZoneSnapshot expected, ZoneSnapshot actual)
    {
        Assert.Equal(expected.Serial, actual.Serial);
        Assert.Equal(expected.RecordCount, actual.RecordCount);
        Assert.Equal(Text(expected), Text(actual));
        var names = new HashSet<DnsName>();
        foreach (var r in expected.Records())
        {
            for (var n = r.Owner; n.LabelCount >= expected.Origin.LabelCount; n = n.Parent())
                names.Add(n);
            names.Add(r.Owner.Prepend("absent"));
        }
        var a = new byte[65535];
        var b = new byte[65535];
        foreach (var name in names)
        {
            foreach (var type in new[] { RecordType.PTR, RecordType.TXT, RecordType.ANY, RecordType.NS })
            {
                int na = Write(expected, name, type, a);
                int nb = Write(actual, name, type, b);
                Assert.True(a.AsSpan(0, na).SequenceEqual(b.AsSpan(0, nb)), $"{name} {type}: answers differ");
            }
        }
    }

    private static int Write(ZoneSnapshot zone, DnsName name, RecordType type, byte[] buffer)
    {
        var w = new DnsMessageWriter(buffer, buffer.Length);
        w.TryWriteQuestion(name.Wire, type, RecordClass.IN);
        var outcome = AuthoritativeAnswer.Write(zone, name.Wire, type, ref w, limitSize: false);
        w.Flags = (ushort)((int)outcome.State | (outcome.Authoritative ? 0x100 : 0));
        return w.Finish();
    }

    private static string[] Text(ZoneSnapshot zone) =>
        zone.Records().Select(r => $"{r.Owner} {r.Ttl} {r.Type} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal).ToArray();
}
