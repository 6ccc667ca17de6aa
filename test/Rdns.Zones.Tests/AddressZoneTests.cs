using Rdns.Protocol.Names;

namespace Rdns.Zones.Tests;

/// <summary>
/// Reverse names find their zone by address (AddressZones inside ZoneSet): whatever zones are
/// hosted and however they change, the zone found is the one a walk over the name's suffixes
/// finds — the most specific hosted zone whose origin ends the name, case ignored.
/// </summary>
public class AddressZoneTests
{
    private static readonly string[] Origins =
    [
        "in-addr.arpa.", "10.in-addr.arpa.", "1.10.in-addr.arpa.", "2.1.10.in-addr.arpa.", "3.2.1.10.in-addr.arpa.",
        "2.0.192.in-addr.arpa.", "128-26.2.0.192.in-addr.arpa.", "0/25.5.0.192.in-addr.arpa.", "5.0.192.in-addr.arpa.",
        "0.0.192.in-addr.arpa.", "01.0.192.in-addr.arpa.", "255.255.255.255.in-addr.arpa.", "9.9.9.9.9.in-addr.arpa.",
        "Foo.7.in-addr.arpa.", "100.in-addr.arpa.", "64.100.IN-ADDR.ARPA.",
        "ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.", "1.B.2.9.8.b.d.0.1.0.0.2.ip6.arpa.", "f.d.ip6.arpa.",
        string.Concat(Enumerable.Repeat("0.", 32)) + "ip6.arpa.", string.Concat(Enumerable.Repeat("a.", 17)) + "ip6.arpa.",
        "x.8.e.f.ip6.arpa.", "example.com.", "in-addr.arpa.example.",
    ];

    private static readonly string[] Names =
    [
        "4.3.2.1.10.in-addr.arpa.", "3.2.1.10.in-addr.arpa.", "9.2.1.10.in-addr.arpa.", "9.9.1.10.in-addr.arpa.", "x.3.2.1.10.in-addr.arpa.",
        "1.3.2.1.10.in-addr.arpa.", "10.in-addr.arpa.", "11.in-addr.arpa.", "in-addr.arpa.", "IN-ADDR.ARPA.", "arpa.", ".",
        "129.128-26.2.0.192.in-addr.arpa.", "128-26.2.0.192.in-addr.arpa.", "129.2.0.192.in-addr.arpa.", "7.0/25.5.0.192.in-addr.arpa.",
        "7.5.0.192.in-addr.arpa.", "1.0.0.192.in-addr.arpa.", "1.01.0.192.in-addr.arpa.", "1.001.0.192.in-addr.arpa.",
        "255.255.255.255.in-addr.arpa.", "1.255.255.255.255.in-addr.arpa.", "9.9.9.9.9.in-addr.arpa.", "9.9.9.9.in-addr.arpa.",
        "1.9.9.9.9.9.in-addr.arpa.", "256.1.in-addr.arpa.", "a.Foo.7.in-addr.arpa.", "a.foo.7.in-addr.arpa.", "7.in-addr.arpa.",
        "1.2.64.100.in-addr.arpa.", "1.2.65.100.in-addr.arpa.", "1.2.3.4.5.6.in-addr.arpa.",
        "c.1.b.2.9.8.b.d.0.1.0.0.2.ip6.arpa.", "C.1.B.2.9.8.B.D.0.1.0.0.2.IP6.ARPA.", "c.2.b.2.9.8.b.d.0.1.0.0.2.ip6.arpa.",
        "8.b.d.0.1.0.0.2.ip6.arpa.", "b.d.0.1.0.0.2.ip6.arpa.", "ip6.arpa.", "1.f.d.ip6.arpa.", "1.e.d.ip6.arpa.",
        string.Concat(Enumerable.Repeat("0.", 32)) + "ip6.arpa.", "1." + string.Concat(Enumerable.Repeat("0.", 31)) + "ip6.arpa.",
        string.Concat(Enumerable.Repeat("a.", 32)) + "ip6.arpa.", string.Concat(Enumerable.Repeat("A.", 18)) + "ip6.arpa.",
        "y.x.8.e.f.ip6.arpa.", "1.8.e.f.ip6.arpa.", "10.8.e.f.ip6.arpa.", "g.ip6.arpa.", "www.example.com.", "1.in-addr.arpa.example.",
        "xin-addr.arpa.", "1.2.3.4.ip6.arpa.in-addr.arpa.",
    ];

    private static ZoneSnapshot Zone(string origin) => ZoneBuilder.Standard(origin).Build();

    /// <summary>The most specific zone by walking the name's suffixes: what the address must agree with.</summary>
    private static ZoneSnapshot? Reference(IEnumerable<ZoneSnapshot> zones, ReadOnlySpan<byte> name)
    {
        ZoneSnapshot? best = null;
        foreach (var zone in zones)
        {
            var origin = zone.Apex.Name;
            if (origin.Length > name.Length || !WireName.EqualsIgnoreCase(name[^origin.Length..], origin))
                continue;
            int at = name.Length - origin.Length;
            // On a label boundary.
            int pos = 0;
            while (pos < at)
                pos += 1 + name[pos];
            if (pos != at)
                continue;
            if (best is null || origin.Length > best.Apex.Name.Length)
                best = zone;
        }
        return best;
    }

    private static void AssertAgrees(ZoneSet set, IReadOnlyCollection<ZoneSnapshot> zones)
    {
        foreach (var text in Names)
        {
            var name = DnsName.Parse(text).Wire;
            var expected = Reference(zones, name);
            var found = set.FindZone(name);
            Assert.True(ReferenceEquals(expected, found), $"{text}: expected {expected?.Origin}, found {found?.Origin}");
        }
    }

    [Fact]
    public void A_name_under_in_addr_arpa_reads_as_the_octets_below_the_suffix_from_the_right()
    {
        var random = new Random(4);
        string[] pool = ["0", "1", "9", "10", "99", "100", "199", "255", "256", "01", "00", "007", "1000", "x", "ab-c", "", "25a"];
        for (int round = 0; round < 20000; round++)
        {
            int n = random.Next(0, 7);
            var labels = Enumerable.Range(0, n).Select(_ => pool[random.Next(pool.Length)]).Where(l => l.Length > 0).ToArray();
            string suffix = random.Next(4) switch { 0 => "IN-ADDR.ARPA.", 1 => "in-addr.Arpa.", _ => "in-addr.arpa." };
            var name = DnsName.Parse(labels.Length == 0 ? suffix : string.Join('.', labels) + "." + suffix);
            Assert.True(AddressZones.TryRead(name.Wire, out var address, out bool rest), name.ToString());
            // The reference: canonical octets taken from the right, at most four, until one is not.
            int length = 0;
            ulong lo = 0;
            for (int i = labels.Length - 1; i >= 0 && length < 4; i--)
            {
                string l = labels[i];
                if (l.Length > 3 || !l.All(char.IsAsciiDigit) || (l.Length > 1 && l[0] == '0') || int.Parse(l) > 255)
                    break;
                lo |= (ulong)int.Parse(l) << (56 - 8 * length);
                length++;
            }
            lo |= 1UL << (63 - 8 * length);
            Assert.Equal((0, length, 0UL, lo, length < labels.Length), (address.Family, address.Length, address.Hi, address.Lo, rest));
        }
        Assert.False(AddressZones.TryRead(DnsName.Parse("1.2.3.4.in-addr.example.").Wire, out _, out _));
        Assert.False(AddressZones.TryRead(DnsName.Parse("example.com.").Wire, out _, out _));
    }

    [Fact]
    public void Every_subset_of_zones_finds_what_the_names_find()
    {
        var all = Origins.Select(Zone).ToArray();
        var random = new Random(7);
        for (int round = 0; round < 200; round++)
        {
            var zones = all.Where(_ => random.Next(3) != 0).ToList();
            AssertAgrees(ZoneSet.From(zones), zones);
        }
    }

    [Fact]
    public void Changes_one_by_one_keep_agreeing()
    {
        var random = new Random(11);
        var current = new Dictionary<string, ZoneSnapshot>(StringComparer.OrdinalIgnoreCase);
        var set = ZoneSet.Empty;
        // Many more changes than the overlay holds, so rebuilds happen too.
        for (int step = 0; step < 600; step++)
        {
            string origin = Origins[random.Next(Origins.Length)];
            if (random.Next(4) == 0)
            {
                current.Remove(origin);
                set = set.Without(DnsName.Parse(origin));
            }
            else
            {
                var zone = Zone(origin);
                current[origin] = zone;
                set = set.With(zone);
            }
            if (step % 7 == 0)
                AssertAgrees(set, current.Values);
        }
        AssertAgrees(set, current.Values);
    }

    [Fact]
    public void Many_zones_of_one_shape_find_theirs()
    {
        var zones = new List<ZoneSnapshot>();
        for (int i = 0; i < 3000; i++)
            zones.Add(Zone($"{i % 256}.{i / 256}.10.in-addr.arpa."));
        // As snapshots (the address index), and as rows of one table (SmallZones), the default for so many.
        var rows = ZoneSet.From(zones);
        Assert.Equal(3000, rows.RowCount);
        for (int i = 0; i < 3000; i++)
            Assert.Equal(zones[i].Origin, rows.FindZone(DnsName.Parse($"77.{i % 256}.{i / 256}.10.in-addr.arpa.").Wire)?.Origin);
        Assert.Null(rows.FindZone(DnsName.Parse("77.1.200.10.in-addr.arpa.").Wire));
        var set = ZoneSet.From(zones, null, NameMap<Rdns.Zones.Dnssec.ZoneSigner>.Empty, minRows: int.MaxValue);
        for (int i = 0; i < 3000; i++)
            Assert.Same(zones[i], set.FindZone(DnsName.Parse($"77.{i % 256}.{i / 256}.10.in-addr.arpa.").Wire));
        Assert.Null(set.FindZone(DnsName.Parse("77.1.200.10.in-addr.arpa.").Wire));
        // Replacing each of them goes through the overlay and its rebuilds.
        for (int i = 0; i < 3000; i += 3)
        {
            var replacement = Zone($"{i % 256}.{i / 256}.10.in-addr.arpa.");
            set = set.With(replacement);
            zones[i] = replacement;
        }
        for (int i = 0; i < 3000; i++)
            Assert.Same(zones[i], set.FindZone(DnsName.Parse($"77.{i % 256}.{i / 256}.10.in-addr.arpa.").Wire));
    }
}

/// <summary>Prefetching a batch is only hints: it takes any message, odd ones included, and changes no answer.</summary>
public class ZonePrefetchTests
{
    /// <summary>Begins a batch of <paramref name="messages"/> over <paramref name="set"/> and runs every pass over it, as a receive loop does.</summary>
    private static void Passes(ZonePrefetch prefetch, ZoneSet set, List<byte[]> messages)
    {
        prefetch.Begin(set);
        for (int pass = 0; pass < ZonePrefetch.Passes; pass++)
        {
            for (int i = 0; i < messages.Count; i++)
                prefetch.Step(pass, i, messages[i]);
        }
    }

    [Fact]
    public void Any_batch_of_messages_is_prefetched_without_a_fault()
    {
        var zones = new List<ZoneSnapshot>();
        for (int i = 0; i < 40; i++)
        {
            var b = ZoneBuilder.Standard($"{i}.2.10.in-addr.arpa.");
            for (int h = 0; h < 30; h++)
                b.Ptr($"{h}", $"host{h}.example.net.");
            zones.Add(b.Build());
        }
        zones.Add(ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.").Build());
        var set = ZoneSet.From(zones);
        var messages = new List<byte[]>();
        for (int i = 0; i < 60; i++)
            messages.Add(Protocol.Wire.DnsMessage.Query(DnsName.Parse($"{i % 31}.{i % 45}.2.10.in-addr.arpa."), Protocol.Wire.RecordType.PTR).ToWire());
        messages.Add(Protocol.Wire.DnsMessage.Query(DnsName.Parse("1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."), Protocol.Wire.RecordType.PTR).ToWire());
        messages.Add([]);
        messages.Add(new byte[12]);
        // A name of single-octet labels running past 255 octets, and a label running past the end.
        var longName = new byte[12 + 600];
        longName[5] = 1;
        for (int i = 12; i < longName.Length; i += 2)
            longName[i] = 1;
        messages.Add(longName);
        messages.Add([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, (byte)'a']);
        var prefetch = new ZonePrefetch(messages.Count);
        for (int round = 0; round < 2; round++)
        {
            Passes(prefetch, set, messages);
            prefetch.End();
        }
    }

    [Fact]
    public void The_key_the_passes_take_from_the_address_is_the_key_the_zones_layout_reads()
    {
        // Zones of whole octets of every width, an RFC 2317 child and a nibble zone, each with a table.
        var zones = new List<ZoneSnapshot>
        {
            ZoneBuilder.Standard("11.in-addr.arpa.").Ptr("1.2.3", "a.example.").Ptr("255.255.255", "b.example.").Build(),
            ZoneBuilder.Standard("7.12.in-addr.arpa.").Ptr("9.1", "c.example.").Ptr("0.0", "d.example.").Build(),
            ZoneBuilder.Standard("3.13.13.in-addr.arpa.").Ptr("4", "e.example.").Ptr("250", "f.example.").Build(),
            ZoneBuilder.Standard("64-26.4.13.13.in-addr.arpa.").Ptr("70", "g.example.").Build(),
            ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.").Ptr(string.Join('.', Enumerable.Repeat("1", 24)), "h.example.").Build(),
        };
        var set = ZoneSet.From(zones);
        string[] names =
        [
            "3.2.1.11.in-addr.arpa.", "255.255.255.11.in-addr.arpa.", "0.0.0.11.IN-ADDR.ARPA.", "1.9.7.12.in-addr.arpa.",
            "200.100.7.12.In-Addr.Arpa.", "4.3.13.13.in-addr.arpa.", "250.3.13.13.in-addr.arpa.", "70.64-26.4.13.13.in-addr.arpa.",
            "03.2.1.11.in-addr.arpa.", "256.2.1.11.in-addr.arpa.", "x.3.2.1.11.in-addr.arpa.", "1.3.2.1.11.in-addr.arpa.",
            "2.1.11.in-addr.arpa.", "9.7.12.in-addr.arpa.", "3.13.13.in-addr.arpa.",
            string.Join('.', Enumerable.Repeat("1", 24)) + ".8.b.d.0.1.0.0.2.ip6.arpa.",
        ];
        var messages = names.Select(n => Protocol.Wire.DnsMessage.Query(DnsName.Parse(n), Protocol.Wire.RecordType.PTR).ToWire()).ToList();
        var prefetch = new ZonePrefetch(messages.Count);
        Passes(prefetch, set, messages);
        int keys = 0;
        for (int i = 0; i < names.Length; i++)
        {
            var name = DnsName.Parse(names[i]).Wire;
            var zone = set.FindZone(name)!;
            bool read = zone.Layout!.TryRead(name, out var expected, out int bits) && bits == zone.Layout.Width;
            bool taken = prefetch.Found(i).TryKeyIn(zone, name.Length, out var key, out _);
            // A key is taken only where the layout reads one, and it is the same key; in a zone of
            // whole octets (found by address), wherever the layout reads one. (A zone with other
            // labels, the RFC 2317 child, is not found by address, so nothing is taken for it.)
            Assert.True(read || !taken, $"{names[i]}: layout {read}, passes {taken}");
            if (read && zone.Layout.Kind == Rdns.Addressing.ZoneKind.Octet)
                Assert.True(taken, names[i]);
            if (taken)
            {
                Assert.Equal(expected, key);
                keys++;
            }
        }
        Assert.Equal(8, keys);
        prefetch.End();
    }

    [Fact]
    public void Over_zones_kept_as_rows_the_passes_find_each_querys_row_and_its_ptr_targets_suffix()
    {
        // 1,200 /24s as rows (each address a tenant's own name, a few sharing a domain), one
        // taken out again, beside zones kept as snapshots (an RFC 2317 child below a row's /24
        // makes that /24 a snapshot, and a zone of another family).
        var zones = new List<ZoneSnapshot>();
        var targets = new Dictionary<string, string>();
        for (int z = 0; z < 1200; z++)
        {
            var b = ZoneBuilder.Standard($"{z % 250}.{z / 250}.10.in-addr.arpa.");
            for (int h = 1; h <= 1 + z % 30; h += 1 + z % 3)
            {
                string target = $"h{h}.{(h % 4 == 0 ? "shared" : $"c{z}x{h}")}.example{z % 7}.net.";
                b.Ptr($"{h}", target);
                targets[$"{h}.{z % 250}.{z / 250}.10.in-addr.arpa."] = target;
            }
            zones.Add(b.Build());
        }
        zones.Add(ZoneBuilder.Standard("0-25.3.0.10.in-addr.arpa.").Ptr("7", "child.example.org.").Build());
        zones.Add(ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.").Ptr("1.0.0.0", "v6.example.org.").Build());
        var set = ZoneSet.From(zones).Without(DnsName.Parse("9.0.10.in-addr.arpa."));
        Assert.True(set.RowCount > 1000, $"{set.RowCount} rows");

        var names = new List<string>();
        for (int z = 0; z < 1200; z += 7)
        {
            string origin = $"{z % 250}.{z / 250}.10.in-addr.arpa.";
            names.AddRange([$"1.{origin}", $"2.{origin}", $"{1 + z % 30}.{origin}", $"200.{origin}", origin, $"x.1.{origin}", $"01.{origin}"]);
        }
        names.AddRange(["1.9.0.10.in-addr.arpa.", "7.0-25.3.0.10.in-addr.arpa.", "1.3.0.10.in-addr.arpa.", "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
            "1.1.1.11.in-addr.arpa.", "1.0.10.IN-ADDR.ARPA.", "example.com."]);
        var messages = names.Select(n => Protocol.Wire.DnsMessage.Query(DnsName.Parse(n), Protocol.Wire.RecordType.PTR).ToWire()).ToList();
        messages.Add([]);
        messages.Add([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, (byte)'a']);

        var prefetch = new ZonePrefetch(messages.Count);
        Passes(prefetch, set, messages);
        int suffixes = 0;
        for (int i = 0; i < names.Count; i++)
        {
            var name = DnsName.Parse(names[i]);
            set.FindAnswering(name.Wire, Protocol.Wire.RecordType.PTR, out SmallZoneMatch row);
            var (foundRow, suffix) = prefetch.RowFound(i);
            // The row the look-up answers from, or none where it answers from none.
            Assert.True(row.Found == foundRow >= 0, $"{names[i]}: row found {row.Found}, by the passes {foundRow}");
            if (targets.TryGetValue(names[i].ToLowerInvariant(), out var target) && row.Found)
            {
                // The suffix the answer's target is written with: the target ends in it.
                Assert.True(suffix >= 0, names[i]);
                Assert.True(DnsName.Parse(target).Wire.EndsWith(TargetSuffixes.Get(suffix)), $"{names[i]} -> {target}");
                suffixes++;
            }
            else
            {
                Assert.Equal(-1, suffix);
            }
        }
        Assert.True(suffixes > 300, $"{suffixes} suffixes");
        for (int i = names.Count; i < messages.Count; i++)
            Assert.Equal((-1, -1), prefetch.RowFound(i));
        prefetch.End();
    }
}
