using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

/// <summary>
/// Changes are applied to the parts of a zone they touch; the result must answer every question
/// exactly as the same zone built from scratch does, and must keep what the build enforces.
/// </summary>
public class IncrementalApplyTests
{
    private const string Origin = "2.0.192.in-addr.arpa.";

    private static ZoneBuilder Base()
    {
        var b = ZoneBuilder.Standard(Origin);
        for (int i = 1; i <= 40; i++)
            b.Ptr(i.ToString(), $"host{i}.example.net.");
        b.Txt("_meta", "reverse zone of 192.0.2.0/24");
        b.Ptr("7", "second-name.example.org.");
        b.Txt("a.b.99", "deep name, two empty non-terminals above it");
        b.Cname("200", "200.128-25." + Origin);
        return b;
    }

    private static ResourceRecord Rr(string owner, RecordType type, byte[] data, uint ttl = 3600) =>
        new(DnsName.Parse(owner, DnsName.Parse(Origin)), type, ttl, data);

    private static ResourceRecord Ptr(string owner, string target, uint ttl = 3600) =>
        Rr(owner, RecordType.PTR, DnsName.Parse(target).Wire.ToArray(), ttl);

    private static ResourceRecord Txt(string owner, string text) => Rr(owner, RecordType.TXT, Rdata.Txt(text));

    private static ResourceRecord Soa(uint serial) =>
        Rr("@", RecordType.SOA, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), serial, 7200, 900, 1209600, 300));

    private static Changeset Change(uint from, IEnumerable<ResourceRecord> removed, IEnumerable<ResourceRecord> added) =>
        new(from, from + 1, [.. removed, Soa(from)], [.. added, Soa(from + 1)]);

    /// <summary>Every answer of both zones to every question about every name either holds, their ancestors and some absent names, byte for byte.</summary>
    private static void AssertAnswersAlike(ZoneSnapshot expected, ZoneSnapshot actual)
    {
        Assert.Equal(expected.Serial, actual.Serial);
        Assert.Equal(expected.RecordCount, actual.RecordCount);
        Assert.Equal(Text(expected), Text(actual));
        var names = new HashSet<DnsName>();
        foreach (var r in expected.Records().Concat(actual.Records()))
        {
            for (var n = r.Owner; n.LabelCount >= expected.Origin.LabelCount; n = n.Parent())
                names.Add(n);
            names.Add(r.Owner.Prepend("absent"));
        }
        for (int i = 0; i < 256; i += 17)
            names.Add(DnsName.Parse($"{i}.{Origin}"));
        var a = new byte[4096];
        var b = new byte[4096];
        foreach (var name in names)
        {
            foreach (var type in new[] { RecordType.PTR, RecordType.TXT, RecordType.A, RecordType.ANY, RecordType.CNAME })
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
        zone.Records().Select(r => $"{r.Owner.ToString().ToLowerInvariant()} {r.Ttl} {r.Type} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal).ToArray();

    private static void AssertSameAsRebuilt(ZoneSnapshot before, Changeset change)
    {
        var applied = before.Apply(change);
        var rebuilt = ZoneSnapshot.Build(before.Origin, applied.Records());
        AssertAnswersAlike(rebuilt, applied);
        // And what the change meant: the old records minus the removed plus the added.
        var expected = before.Records().Where(r => !change.Removed.Any(x => Same(x, r))).Concat(change.Added);
        AssertAnswersAlike(ZoneSnapshot.Build(before.Origin, expected), applied);
    }

    private static bool Same(ResourceRecord x, ResourceRecord r) =>
        x.Owner.Equals(r.Owner) && x.Type == r.Type && (x.Type == RecordType.SOA || Rdata.Equal(x.Type, x.Data, r.Data));

    [Fact]
    public void A_changed_address_ptr_goes_into_the_patch_and_the_table_is_not_rebuilt()
    {
        var zone = Base().Build();
        int compact = zone.CompactCount;
        var next = zone.Apply(Change(1, [Ptr("5", "host5.example.net.")], [Ptr("5", "renamed.example.net.", 600)]));
        Assert.Equal(compact, next.CompactCount);
        Assert.Equal(1, next.CompactPatchCount);
        Assert.Equal(2u, next.Serial);
        AssertSameAsRebuilt(zone, Change(1, [Ptr("5", "host5.example.net.")], [Ptr("5", "renamed.example.net.", 600)]));
    }

    [Fact]
    public void New_and_removed_addresses_keep_empty_non_terminals_right()
    {
        var zone = ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.").Build();
        var owner = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.";
        var add = new Changeset(1, 2, [Soa1(zone, 1)], [new ResourceRecord(DnsName.Parse(owner + "8.b.d.0.1.0.0.2.ip6.arpa."), RecordType.PTR, 300, DnsName.Parse("v6.example.net.").Wire.ToArray()), Soa1(zone, 2)]);
        var added = zone.Apply(add);
        Assert.Equal(1, added.CompactCount);
        AssertAnswersAlike(ZoneSnapshot.Build(zone.Origin, added.Records()), added);
        var remove = new Changeset(2, 3, [add.Added[0], Soa1(zone, 2)], [Soa1(zone, 3)]);
        var removed = added.Apply(remove);
        Assert.Equal(0, removed.CompactCount);
        AssertAnswersAlike(ZoneSnapshot.Build(zone.Origin, removed.Records()), removed);

        static ResourceRecord Soa1(ZoneSnapshot z, uint serial) =>
            new(z.Origin, RecordType.SOA, 300, Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), serial, 7200, 900, 1209600, 300));
    }

    [Fact]
    public void An_address_that_gains_another_type_leaves_the_table_and_comes_back_as_a_node()
    {
        var zone = Base().Build();
        var dhcid = Rr("9", RecordType.DHCID, [0, 1, 1, 0xAB, 0xCD]);
        AssertSameAsRebuilt(zone, Change(1, [], [dhcid]));
        var both = zone.Apply(Change(1, [], [dhcid]));
        Assert.NotNull(both.Find(DnsName.Parse("9." + Origin).Wire));
        AssertSameAsRebuilt(both, Change(2, [dhcid], []));
    }

    [Fact]
    public void A_name_below_an_address_turns_the_address_into_a_node_with_its_ptr()
    {
        var zone = Base().Build();
        AssertSameAsRebuilt(zone, Change(1, [], [Txt("_note.12", "below an address")]));
        var below = zone.Apply(Change(1, [], [Txt("_note.12", "below an address")]));
        // Removing the name below leaves the address (now a node) answering its PTR as before.
        AssertSameAsRebuilt(below, Change(2, [Txt("_note.12", "below an address")], []));
    }

    [Fact]
    public void Removing_the_only_name_below_empty_non_terminals_removes_them()
    {
        var zone = Base().Build();
        Assert.True(zone.Find(DnsName.Parse("b.99." + Origin).Wire)!.IsEmptyNonTerminal);
        var next = zone.Apply(Change(1, [Txt("a.b.99", "deep name, two empty non-terminals above it")], []));
        Assert.Null(next.Find(DnsName.Parse("b.99." + Origin).Wire));
        Assert.Null(next.Find(DnsName.Parse("99." + Origin).Wire));
        AssertSameAsRebuilt(zone, Change(1, [Txt("a.b.99", "deep name, two empty non-terminals above it")], []));
    }

    [Fact]
    public void A_cname_beside_other_data_is_refused_as_the_build_refuses_it()
    {
        var zone = Base().Build();
        var e = Assert.Throws<ZoneDataException>(() => zone.Apply(Change(1, [], [Rr("3", RecordType.CNAME, DnsName.Parse("x.example.").Wire.ToArray())])));
        Assert.Contains("CNAME and other data", e.Message);
        Assert.Throws<ZoneDataException>(() => zone.Apply(Change(1, [], [Txt("200", "beside a CNAME")])));
        var e2 = Assert.Throws<ZoneDataException>(() => zone.Apply(Change(1, [Rr("@", RecordType.NS, DnsName.Parse("ns1.example.net.").Wire.ToArray())], [])));
        Assert.Contains("no NS records at its apex", e2.Message);
        Assert.Throws<ZoneDataException>(() => zone.Apply(Change(1, [], [Rr("x.example.com.", RecordType.TXT, Rdata.Txt("out"))])));
    }

    [Fact]
    public void Cuts_and_wildcards_rebuild_the_zone_and_still_answer_alike()
    {
        var zone = Base().Build();
        AssertSameAsRebuilt(zone, Change(1, [], [Rr("128-25", RecordType.NS, DnsName.Parse("ns.example.net.").Wire.ToArray())]));
        AssertSameAsRebuilt(zone, Change(1, [], [Txt("*.99", "wildcard")]));
    }

    [Fact]
    public void Random_changes_answer_like_the_rebuilt_zone_at_every_step()
    {
        var random = new Random(20261127);
        var zone = Base().Build();
        var owners = Enumerable.Range(0, 70).Select(i => i.ToString()).Concat(["_meta", "a.b.99", "x.7", "c.a.b.99", "_t.3"]).ToArray();
        for (int step = 0; step < 300; step++)
        {
            var removed = new List<ResourceRecord>();
            var added = new List<ResourceRecord>();
            var present = zone.Records().Where(r => r.Type != RecordType.SOA && r.Type != RecordType.NS).ToList();
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
            {
                if (present.Count > 0 && random.Next(3) == 0)
                {
                    var r = present[random.Next(present.Count)];
                    if (!removed.Contains(r))
                        removed.Add(r);
                    continue;
                }
                var owner = owners[random.Next(owners.Length)];
                var record = random.Next(4) switch
                {
                    0 => Txt(owner, "t" + random.Next(5)),
                    _ => Ptr(owner, $"n{random.Next(50)}.example{random.Next(3)}.net.", (uint)(300 * random.Next(1, 3))),
                };
                // Keep the change valid: nothing beside the CNAME, the address of a CNAME untouched.
                if (owner == "200" || added.Any(a => a.Owner.Equals(record.Owner) && a.Type == record.Type))
                    continue;
                added.Add(record);
            }
            var change = Change(zone.Serial, removed, added);
            ZoneSnapshot next;
            try
            {
                next = zone.Apply(change);
            }
            catch (ZoneDataException)
            {
                continue;
            }
            var rebuilt = ZoneSnapshot.Build(zone.Origin, zone.Records().Where(r => !change.Removed.Any(x => Same(x, r))).Concat(change.Added));
            AssertAnswersAlike(rebuilt, next);
            zone = next;
        }
    }

    [Fact]
    public void Memory_remembers_the_newest_changesets_up_to_a_count_and_a_number_of_records()
    {
        var origin = DnsName.Parse("10.10.in-addr.arpa.");
        var zone = ZoneBuilder.Standard(origin.ToString()).Ptr("1.1", "one.example.net.").Build();
        ResourceRecord P(int i) =>
            new(DnsName.Parse($"{i & 255}.{i >> 8}.{origin}"), RecordType.PTR, 3600, DnsName.Parse($"p{i}.example.net.").Wire.ToArray());
        ResourceRecord S(uint serial) => new(origin, RecordType.SOA, 300, Rdata.WithSoaSerial(zone.Soa.Data[0], serial));
        Changeset Adding(int from, int count) =>
            new(zone.Serial, zone.Serial + 1, [S(zone.Serial)], [.. Enumerable.Range(from, count).Select(P), S(zone.Serial + 1)]);
        uint first = zone.Serial;

        // Small changes: the newest HistoryLength of them, in order.
        for (int i = 0; i < ZoneSnapshot.HistoryLength + 6; i++)
            zone = zone.Apply(Adding(10 + i, 1));
        Assert.Equal(ZoneSnapshot.HistoryLength, zone.History.Count);
        Assert.Null(zone.ChangesSince(first));
        Assert.Equal(zone.Serial, zone.History[^1].ToSerial);
        Assert.Equal(ZoneSnapshot.HistoryLength, zone.ChangesSince(zone.Serial - ZoneSnapshot.HistoryLength)!.Count);

        // A change of more records than memory keeps: nothing is remembered, not even what came before.
        uint beforeLarge = zone.Serial;
        zone = zone.Apply(Adding(1000, ZoneSnapshot.HistoryRecords));
        Assert.Empty(zone.History);
        Assert.Null(zone.ChangesSince(beforeLarge));
        Assert.Equal(1 + ZoneSnapshot.HistoryLength + 6 + ZoneSnapshot.HistoryRecords, zone.CompactCount);

        // Changes of 1,000 records: as many of the newest as fit in HistoryRecords.
        for (int i = 0; i < 6; i++)
            zone = zone.Apply(Adding(10_000 + 1000 * i, 1000));
        int fit = ZoneSnapshot.HistoryRecords / 1002;
        Assert.Equal(fit, zone.History.Count);
        Assert.True(zone.History.Sum(c => c.Removed.Count + c.Added.Count) <= ZoneSnapshot.HistoryRecords);
        Assert.Equal(fit, zone.ChangesSince(zone.Serial - (uint)fit)!.Count);
        Assert.Null(zone.ChangesSince(zone.Serial - (uint)fit - 1));
    }

    [Fact]
    public void A_merged_patch_answers_alike_and_keeps_changes_made_during_the_merge()
    {
        // A /16 zone, so more addresses can change than the smallest merge threshold (256).
        var origin = DnsName.Parse("10.10.in-addr.arpa.");
        var zone = ZoneBuilder.Standard(origin.ToString()).Ptr("1.1", "one.example.net.").Build();
        ResourceRecord P(int i, string target) =>
            new(DnsName.Parse($"{i & 255}.{i >> 8}.{origin}"), RecordType.PTR, 3600, DnsName.Parse(target).Wire.ToArray());
        ResourceRecord S(uint serial) => new(origin, RecordType.SOA, 300, Rdata.WithSoaSerial(zone.Soa.Data[0], serial));
        for (int i = 0; i < 300; i++)
            zone = zone.Apply(new Changeset(zone.Serial, zone.Serial + 1, [S(zone.Serial)], [P(i, $"p{i}.example.net."), S(zone.Serial + 1)]));
        Assert.True(zone.NeedsCompaction);
        var mergedFrom = zone;
        var merged = mergedFrom.Compacted();
        Assert.Equal(0, merged.CompactPatchCount);
        Assert.Equal(mergedFrom.CompactCount, merged.CompactCount);
        AssertAnswersAlike(mergedFrom, merged);
        // Two more changes land while the merge runs; the rebase keeps exactly them.
        var later = zone.Apply(new Changeset(zone.Serial, zone.Serial + 1, [P(7, "p7.example.net."), S(zone.Serial)], [P(7, "p7b.example.net."), S(zone.Serial + 1)]));
        later = later.Apply(new Changeset(later.Serial, later.Serial + 1, [S(later.Serial)], [P(400, "p400.example.net."), S(later.Serial + 1)]));
        var rebased = later.WithCompaction(mergedFrom, merged)!;
        Assert.Equal(2, rebased.CompactPatchCount);
        AssertAnswersAlike(later, rebased);
        Assert.Equal(later.History.Count, rebased.History.Count);
        // A zone rebuilt in between cannot take the merge.
        var rebuilt = ZoneSnapshot.Build(later.Origin, later.Records());
        Assert.Null(rebuilt.WithCompaction(mergedFrom, merged));
    }

    [Fact]
    public void One_change_in_a_large_zone_shares_everything_it_did_not_touch()
    {
        var b = ZoneBuilder.Standard("10.in-addr.arpa.");
        for (int i = 0; i < 50_000; i++)
            b.Ptr($"{i & 255}.{(i >> 8) & 255}.{i >> 16}", $"h{i}.example.net.");
        var zone = b.Build();
        var owner = DnsName.Parse("7.0.0.10.in-addr.arpa.");
        var change = new Changeset(1, 2,
            [new ResourceRecord(owner, RecordType.PTR, 3600, DnsName.Parse("h7.example.net.").Wire.ToArray()), SoaOf(zone, 1)],
            [new ResourceRecord(owner, RecordType.PTR, 3600, DnsName.Parse("new.example.net.").Wire.ToArray()), SoaOf(zone, 2)]);
        // Warm up, then measure: an incremental apply allocates in proportion to the change.
        zone.Apply(change);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var next = zone.Apply(change);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"one PTR change in a 50,000-record zone allocated {allocated} bytes");
        Span<byte> target = stackalloc byte[255];
        Assert.Equal(ZoneSnapshot.CompactMatch.Ptr, next.FindCompact(owner.Wire, out _, target, out int n));
        Assert.Equal("new.example.net.", DnsName.FromWire(target[..n]).ToString());

        static ResourceRecord SoaOf(ZoneSnapshot z, uint serial) =>
            new(z.Origin, RecordType.SOA, 3600, Rdata.WithSoaSerial(z.Soa.Data[0], serial));
    }
}
