using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Writes;

namespace Rdns.Zones.Tests;

/// <summary>
/// A catalog zone (RFC 9432) keeps its member PTRs (<c>&lt;20 hex digits&gt;.zones.$CATZ</c>) in a
/// compact table rather than as nodes. That must be invisible: every answer, the records a transfer
/// sends and every change are what the same catalog gives with all its names as nodes.
/// </summary>
public class CatalogMemberTableTests
{
    private static readonly DnsName Catalog = CatalogRecords.Catalog;

    private static DnsName MemberName(DnsName zone) => CatalogRecords.MemberName(zone);

    private static DnsName Zone(int i) => CatalogRecords.Zone(i);

    private static List<ResourceRecord> Records(int members, uint serial = 1, DnsName? catalog = null) => CatalogRecords.Records(members, serial, catalog);

    private static ZoneSnapshot AsNodes(DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var zone = CatalogRecords.AsNodes(origin, records);
        Assert.Equal(0, zone.CompactCount);
        return zone;
    }

    private static int Write(ZoneSnapshot zone, ReadOnlySpan<byte> name, RecordType type, byte[] buffer)
    {
        var w = new DnsMessageWriter(buffer, buffer.Length);
        w.TryWriteQuestion(name, type, RecordClass.IN);
        var outcome = AuthoritativeAnswer.Write(zone, name, type, ref w, limitSize: true);
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR | (outcome.Authoritative ? HeaderFlags.AA : 0), Opcode.Query, (int)outcome.Rcode);
        return w.Finish();
    }

    private static string[] Text(ZoneSnapshot zone) =>
        zone.Records().Select(r => $"{r.Owner.ToString()} {r.Ttl} {r.Type} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Names worth asking about: every owner and its ancestors, in both cases, names below each and beside the members.</summary>
    private static List<byte[]> Questions(ZoneSnapshot zone, int limit = int.MaxValue)
    {
        var names = new List<byte[]>();
        var seen = new HashSet<DnsName>();
        void Add(DnsName name)
        {
            if (seen.Add(name))
                names.Add(name.Wire.ToArray());
        }
        foreach (var r in zone.Records().Take(limit))
        {
            for (var n = r.Owner; n.LabelCount >= zone.Origin.LabelCount; n = n.Parent())
                Add(n);
            Add(r.Owner.Prepend("group"));
            Add(r.Owner.Prepend("coo"));
            Add(DnsName.Parse(r.Owner.ToString().ToUpperInvariant()));
        }
        var zones = zone.Origin.Prepend("zones");
        Add(zones.Prepend("00000000000000000000"));
        Add(zones.Prepend("ffffffffffffffffffff"));
        Add(zones.Prepend("0123456789abcdef012"));   // 19 digits
        Add(zones.Prepend("0123456789abcdef01234")); // 21 digits
        Add(zones.Prepend("0123456789abcdef012g"));  // not hex
        Add(zone.Origin.Prepend("other").Prepend("0123456789abcdef0123"));
        Add(zone.Origin.Prepend("absent"));
        Add(DnsName.Parse("zones.elsewhere.invalid."));
        return names;
    }

    private static void AssertAnswersAlike(ZoneSnapshot expected, ZoneSnapshot actual, List<byte[]>? questions = null)
    {
        Assert.Equal(expected.Serial, actual.Serial);
        Assert.Equal(expected.RecordCount, actual.RecordCount);
        Assert.Equal(Text(expected), Text(actual));
        var a = new byte[65535];
        var b = new byte[65535];
        foreach (var name in questions ?? Questions(expected))
        {
            foreach (var type in new[] { RecordType.PTR, RecordType.TXT, RecordType.ANY, RecordType.SOA, RecordType.NS, RecordType.A })
            {
                int na = Write(expected, name, type, a);
                int nb = Write(actual, name, type, b);
                Assert.True(a.AsSpan(0, na).SequenceEqual(b.AsSpan(0, nb)), $"{DnsName.FromWire(name)} {type}: answers differ");
            }
        }
    }

    [Fact]
    public void Members_are_kept_in_a_compact_table_and_everything_else_stays_a_node()
    {
        var records = Records(1000);
        var zone = ZoneSnapshot.Build(Catalog, records);
        Assert.Equal(1000, zone.CompactCount);
        Assert.Equal(records.Count, zone.RecordCount);
        Assert.Null(zone.Reverse);
        // The apex, version, and ext's pool property with the names above it.
        Assert.Equal(6, zone.NodeCount);
        var member = MemberName(Zone(7));
        Assert.Null(zone.Find(member.Wire));
        Assert.Equal(Zone(7), Rdata.ReadName(zone.GetRRset(member.Wire, RecordType.PTR)!.Data[0]));
        Assert.Equal([RecordType.PTR], zone.TypesAt(member.Wire));
        // About 20 octets a member: a 10-octet key, the zone's first label and a suffix number.
        Assert.True(zone.CompactBytes < 25 * 1000, $"{zone.CompactBytes} octets");
    }

    [Fact]
    public void Answers_are_those_of_the_catalog_kept_as_nodes()
    {
        var records = Records(300);
        AssertAnswersAlike(AsNodes(Catalog, records), ZoneSnapshot.Build(Catalog, records));
    }

    [Fact]
    public void A_catalog_with_another_name_and_a_view_catalog_are_compacted_alike()
    {
        foreach (var name in new[] { "catalog.tenant-a.invalid.", "cat.example.net." })
        {
            var origin = DnsName.Parse(name);
            var records = Records(200, catalog: origin);
            var zone = ZoneSnapshot.Build(origin, records);
            Assert.Equal(200, zone.CompactCount);
            AssertAnswersAlike(AsNodes(origin, records), zone);
        }
    }

    [Fact]
    public void Members_with_properties_or_names_not_as_written_stay_nodes()
    {
        var records = Records(50);
        var withGroup = MemberName(Zone(3));
        records.Add(new(withGroup.Prepend("group"), RecordType.TXT, 0, Rdata.Txt("g1")));
        var withCoo = MemberName(Zone(4));
        records.Add(new(withCoo.Prepend("coo"), RecordType.PTR, 0, DnsName.Parse("other.catalog.example.").Wire.ToArray()));
        // Upper-case hex, a label of other length, two PTRs, a PTR beside a TXT: all kept as they are.
        var upper = DnsName.Parse(MemberName(Zone(60)).ToString().ToUpperInvariant().Replace("ZONES.CATALOG.INVALID.", "zones.catalog.invalid.", StringComparison.Ordinal));
        records.Add(new(upper, RecordType.PTR, 0, Zone(60).Wire.ToArray()));
        records.Add(new(Catalog.Prepend("zones").Prepend("knot-style-label"), RecordType.PTR, 0, Zone(61).Wire.ToArray()));
        var twice = MemberName(Zone(62));
        records.Add(new(twice, RecordType.PTR, 0, Zone(62).Wire.ToArray()));
        records.Add(new(twice, RecordType.PTR, 0, Zone(63).Wire.ToArray()));
        var beside = MemberName(Zone(64));
        records.Add(new(beside, RecordType.PTR, 0, Zone(64).Wire.ToArray()));
        records.Add(new(beside, RecordType.TXT, 0, Rdata.Txt("x")));
        var zone = ZoneSnapshot.Build(Catalog, records);
        Assert.Equal(48, zone.CompactCount);
        Assert.NotNull(zone.Find(withGroup.Wire));
        Assert.NotNull(zone.Find(withCoo.Wire));
        Assert.Equal(upper.Wire.ToArray(), zone.Find(upper.Wire)!.Name);
        Assert.NotNull(zone.Find(twice.Wire));
        AssertAnswersAlike(AsNodes(Catalog, records), zone);
    }

    [Fact]
    public void A_catalog_whose_apex_is_spelled_otherwise_keeps_its_members_as_nodes()
    {
        var records = Records(20);
        var upper = DnsName.Parse("CATALOG.INVALID.");
        records[0] = new(upper, RecordType.SOA, 0, records[0].Data);
        records[1] = new(upper, RecordType.NS, 0, records[1].Data);
        // The members' names end in the origin as the apex spells it, not as given.
        Assert.Equal(0, ZoneSnapshot.Build(Catalog, records).CompactCount);
        Assert.Equal(0, ZoneSnapshot.Build(upper, records).CompactCount);
    }

    [Fact]
    public void A_zone_without_members_keeps_no_layout()
    {
        var b = ZoneBuilder.Standard("example.net.");
        b.A("www", "192.0.2.1");
        var plain = b.Build();
        Assert.Null(plain.Layout);
        Assert.Null(plain.Reverse);
    }

    [Fact]
    public void Transfers_send_the_records_of_the_catalog_kept_as_nodes()
    {
        var records = Records(500);
        var zone = ZoneSnapshot.Build(Catalog, records);
        var nodes = AsNodes(Catalog, records);
        // The records a transfer sends: the nodes' records, then the cursor's (what TransferPlan.Axfr sends).
        var sent = new List<string>();
        foreach (var node in zone.Nodes)
        {
            foreach (var set in node.Sets)
            {
                foreach (var data in set.Data)
                    sent.Add($"{DnsName.FromWire(node.Name).ToString()} {set.Ttl} {set.Type} {Convert.ToHexString(data)}");
            }
        }
        var cursor = zone.OpenCompactRecords();
        var owner = new byte[DnsName.MaxLength];
        var target = new byte[DnsName.MaxLength];
        var previous = "";
        int compact = 0;
        while (cursor.Next(owner, target, out int ownerLength, out int targetLength, out uint ttl))
        {
            var name = DnsName.FromWire(owner.AsSpan(0, ownerLength));
            // In the canonical order of the names (RFC 4034 §6.1): a member label's hex digits sort as its key.
            Assert.True(string.CompareOrdinal(previous, name.ToString()) < 0);
            previous = name.ToString();
            sent.Add($"{name.ToString()} {ttl} {RecordType.PTR} {Convert.ToHexString(target.AsSpan(0, targetLength))}");
            compact++;
        }
        Assert.Equal(500, compact);
        var expected = nodes.Records().Select(r => $"{r.Owner.ToString()} {r.Ttl} {r.Type} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, sent.Order(StringComparer.Ordinal));
        // Records() keeps the canonical order the catalog of nodes gives (members sort last below the apex).
        Assert.Equal(nodes.Records().Select(r => r.Owner.ToString() + r.Type), zone.Records().Select(r => r.Owner.ToString() + r.Type));
    }

    /// <summary>A change as the zone writer plans it (the IXFR journal entry), applied to both representations.</summary>
    private static (Changeset Changeset, ZoneSnapshot Compact, ZoneSnapshot Nodes) Change(ZoneSnapshot compact, ZoneSnapshot nodes, params RecordEdit[] edits)
    {
        var (changeset, next) = ZoneChangePlanner.Plan(compact, edits)!.Value;
        var (nodeChangeset, nextNodes) = ZoneChangePlanner.Plan(nodes, edits)!.Value;
        Assert.Equal(Journal(nodeChangeset), Journal(changeset));
        AssertAnswersAlike(nextNodes, next);
        // What a full build of the result gives, too.
        AssertAnswersAlike(ZoneSnapshot.Build(Catalog, next.Records()), next);
        return (changeset, next, nextNodes);
    }

    private static string[] Journal(Changeset c) =>
        [.. c.Removed.Select(r => $"- {r.Owner.ToString()} {r.Type} {Convert.ToHexString(r.Data)}"), .. c.Added.Select(r => $"+ {r.Owner.ToString()} {r.Type} {Convert.ToHexString(r.Data)}")];

    [Fact]
    public void Members_added_removed_and_renamed_across_changes_journal_and_answer_as_nodes()
    {
        var records = Records(400);
        var zone = ZoneSnapshot.Build(Catalog, records);
        var nodes = AsNodes(Catalog, records);
        uint first = zone.Serial;

        // A new member, with its PTR.
        var added = DnsName.Parse("9.9.99.in-addr.arpa.");
        var (c1, z1, n1) = Change(zone, nodes, new RRsetChange(MemberName(added), RecordType.PTR, 0, [added.Wire.ToArray()]));
        Assert.Equal(401, z1.CompactCount);
        Assert.Equal([$"+ {MemberName(added)} PTR", $"+ {Catalog} SOA", $"- {Catalog} SOA"],
            Journal(c1).Select(l => string.Join(' ', l.Split(' ')[..3])).Order(StringComparer.Ordinal));

        // A member removed.
        var gone = MemberName(Zone(5));
        var (c2, z2, n2) = Change(z1, n1, new RRsetChange(gone, RecordType.PTR, 0, []));
        Assert.Equal(400, z2.CompactCount);
        Assert.Contains($"- {gone.ToString()} PTR {Convert.ToHexString(Zone(5).Wire)}", Journal(c2));

        // A member's PTR changed (RFC 9432 §5.4 migration of a zone to another label is remove + add).
        var renamed = MemberName(Zone(6));
        var (c3, z3, n3) = Change(z2, n2, new RRsetChange(renamed, RecordType.PTR, 0, [DnsName.Parse("Renamed.Example.").Wire.ToArray()]));
        Assert.Equal(2, c3.Removed.Count);
        Assert.Equal("Renamed.Example.", Rdata.ReadName(z3.GetRRset(renamed.Wire, RecordType.PTR)!.Data[0]).ToString());

        // A property below a member moves the member out of the table; removing it leaves the member a node.
        var (_, z4, n4) = Change(z3, n3, new AddRecord(renamed.Prepend("group"), RecordType.TXT, 0, Rdata.Txt("g")));
        Assert.NotNull(z4.Find(renamed.Wire));
        Assert.Equal(399, z4.CompactCount);
        var (_, z5, n5) = Change(z4, n4, new DeleteName(renamed.Prepend("group")));

        // The IXFR history holds every changeset in order, from the first serial.
        var since = z5.ChangesSince(first)!;
        Assert.Equal(5, since.Count);
        Assert.Same(c1, since[0]);
        Assert.Same(c3, since[2]);

        // Many members at once (a reconciliation after an import) rebuild the table, which takes
        // back the member left a node.
        var many = Enumerable.Range(1000, 300).Select(i => (RecordEdit)new RRsetChange(MemberName(Zone(i)), RecordType.PTR, 0, [Zone(i).Wire.ToArray()])).ToArray();
        var (_, z6, n6) = Change(z5, n5, many);
        Assert.Equal(700, z6.CompactCount);
        Assert.Null(z6.Find(renamed.Wire));

        // Every member removed: zones.$CATZ is gone too.
        var all = z6.RRsetsOf(RecordType.PTR).Select(p => (RecordEdit)new RRsetChange(DnsName.FromWire(p.Owner), RecordType.PTR, 0, [])).ToArray();
        var (_, z7, _) = Change(z6, n6, all);
        Assert.Equal(0, z7.CompactCount);
        var buffer = new byte[512];
        int n = Write(z7, Catalog.Prepend("zones").Wire, RecordType.PTR, buffer);
        Assert.Equal((int)Rcode.NXDomain, DnsMessage.Parse(buffer.AsSpan(0, n)).Rcode);
    }

    [Fact]
    public void A_member_added_to_a_catalog_without_one_joins_a_new_table()
    {
        var records = Records(0);
        var zone = ZoneSnapshot.Build(Catalog, records);
        Assert.Null(zone.Layout);
        var (_, z1, n1) = Change(zone, AsNodes(Catalog, records), new RRsetChange(MemberName(Zone(1)), RecordType.PTR, 0, [Zone(1).Wire.ToArray()]));
        Assert.Equal(1, z1.CompactCount);
        Assert.NotNull(z1.Layout);
        // An upper-case owner is a node, as written.
        var upper = DnsName.Parse(MemberName(Zone(2)).ToString().ToUpperInvariant());
        var (_, z2, _) = Change(z1, n1, new RRsetChange(upper, RecordType.PTR, 0, [Zone(2).Wire.ToArray()]));
        Assert.Equal(1, z2.CompactCount);
        Assert.Equal(upper.Wire.ToArray(), z2.Find(upper.Wire)!.Name);
    }

    [Fact]
    public void Members_patched_over_the_table_merge_into_a_new_one_that_answers_alike()
    {
        var records = Records(2000);
        var zone = ZoneSnapshot.Build(Catalog, records);
        var nodes = AsNodes(Catalog, records);
        for (int round = 0; round < 6; round++)
        {
            var edits = Enumerable.Range(0, 60).Select(i => round % 2 == 0
                ? (RecordEdit)new RRsetChange(MemberName(Zone(5000 + round * 100 + i)), RecordType.PTR, 0, [Zone(5000 + round * 100 + i).Wire.ToArray()])
                : new RRsetChange(MemberName(Zone(round * 100 + i)), RecordType.PTR, 0, [])).ToArray();
            var (changeset, next) = ZoneChangePlanner.Plan(zone, edits)!.Value;
            zone = next;
            nodes = nodes.Apply(changeset);
        }
        // 180 added and 180 removed, patched over the table (a merge runs past 500, a quarter of it).
        Assert.Equal(360, zone.CompactPatchCount);
        Assert.Equal(2000, zone.CompactCount);
        var merged = zone.Compacted();
        Assert.Equal(0, merged.CompactPatchCount);
        var questions = Questions(nodes, 400);
        AssertAnswersAlike(nodes, zone, questions);
        AssertAnswersAlike(nodes, merged, questions);
    }

    [Fact]
    public void A_catalog_of_100k_members_costs_a_few_dozen_octets_each()
    {
        const int count = 100_000;
        var records = Records(count);
        var zone = ZoneSnapshot.Build(Catalog, records);
        Assert.Equal(count, zone.CompactCount);
        Assert.Equal(6, zone.NodeCount);
        Assert.True(zone.CompactBytes < 24L * count, $"{zone.CompactBytes / (double)count:F1} octets a member");
        var buffer = new byte[512];
        for (int i = 0; i < count; i += 997)
        {
            var member = MemberName(Zone(i));
            int n = Write(zone, member.Wire, RecordType.PTR, buffer);
            var answer = Assert.Single(DnsMessage.Parse(buffer.AsSpan(0, n)).Answers);
            Assert.Equal(Zone(i), Rdata.ReadName(answer.Data));
        }
        Assert.Equal(count, zone.Records().Count(r => r.Type == RecordType.PTR));
        // One more member, then one fewer: patched, not rebuilt.
        var (_, next) = ZoneChangePlanner.Plan(zone, [new RRsetChange(MemberName(Zone(count)), RecordType.PTR, 0, [Zone(count).Wire.ToArray()]),
            new RRsetChange(MemberName(Zone(0)), RecordType.PTR, 0, [])])!.Value;
        Assert.Equal(count, next.CompactCount);
        Assert.Equal(2, next.CompactPatchCount);
        Assert.Null(next.GetRRset(MemberName(Zone(0)).Wire, RecordType.PTR));
        Assert.NotNull(next.GetRRset(MemberName(Zone(count)).Wire, RecordType.PTR));
    }
}
