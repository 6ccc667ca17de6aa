using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Synthesis;

namespace Rdns.Zones.Tests;

/// <summary>
/// Small /24 zones kept as rows of one table (<see cref="SmallZones"/>) answer, transfer and change
/// exactly as the same zones kept as snapshots: every answer is compared octet for octet with the
/// snapshot's, every zone made from its row with the zone it was made from.
/// </summary>
public class ZoneRowTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Words = ["edge", "smtp", "mail", "Host", "cust", "vpn", "gw", "web"];
    private static readonly string[] Domains = ["example.com.", "tenant.example.net.", "Quick-Nova.es.", "xn--bcher-kva.example.", "isp.example.org."];

    /// <summary>
    /// A store of many small zones and the zones that must stay snapshots beside them: /24s of 0–32
    /// PTRs (two SOA/NS forms, serials of their own), one of 33 PTRs, one with a TXT at the apex, one
    /// with two PTR TTLs, one an RFC 2317 child lies below, one a /32 zone lies below, a /16 parent
    /// of some, an IPv6 zone, a forward zone.
    /// </summary>
    private static List<ZoneSnapshot> Store(int seed, int count)
    {
        var random = new Random(seed);
        var zones = new List<ZoneSnapshot>();
        for (int z = 0; z < count; z++)
        {
            int a = 10 + z / 250, b = z % 250;
            var builder = ZoneBuilder.Standard($"{b}.{a}.100.in-addr.arpa.", serial: (uint)random.Next(1, 5));
            if (z % 3 == 0)
                builder = FormTwo($"{b}.{a}.100.in-addr.arpa.", (uint)random.Next(1, 5));
            int ptrs = random.Next(0, 33);
            var hosts = Enumerable.Range(0, 256).OrderBy(_ => random.Next()).Take(ptrs).ToArray();
            uint ttl = z % 5 == 0 ? 300u : 3600u;
            foreach (int host in hosts)
                builder.Name($"{host}", RecordType.PTR, $"{Words[random.Next(Words.Length)]}{random.Next(100)}.{Domains[random.Next(Domains.Length)]}", ttl);
            zones.Add(builder.Build());
        }
        var big = ZoneBuilder.Standard("1.9.100.in-addr.arpa.");
        for (int i = 0; i < 33; i++)
            big.Ptr($"{i}", $"h{i}.example.com.");
        zones.Add(big.Build());
        zones.Add(ZoneBuilder.Standard("2.9.100.in-addr.arpa.").Ptr("1", "a.example.com.").Txt("@", "apex text").Build());
        zones.Add(ZoneBuilder.Standard("3.9.100.in-addr.arpa.").Name("1", RecordType.PTR, "a.example.com.", 60).Name("2", RecordType.PTR, "b.example.com.", 120).Build());
        zones.Add(ZoneBuilder.Standard("4.9.100.in-addr.arpa.").Ptr("1", "a.example.com.").Build());
        zones.Add(ZoneBuilder.Standard("0-25.4.9.100.in-addr.arpa.").Ptr("3", "child.example.com.").Build());
        zones.Add(ZoneBuilder.Standard("5.9.100.in-addr.arpa.").Ptr("1", "a.example.com.").Build());
        zones.Add(ZoneBuilder.Standard("7.5.9.100.in-addr.arpa.").Build());
        zones.Add(ZoneBuilder.Standard("11.100.in-addr.arpa.").Ptr("1.0", "parent.example.com.").Build());
        zones.Add(ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.").Build());
        zones.Add(ZoneBuilder.Standard("pool.example.net.").Build());
        return zones;
    }

    private static ZoneBuilder FormTwo(string origin, uint serial)
    {
        var b = new ZoneBuilder(origin);
        b.Add("@", RecordType.SOA, Rdata.Soa(DnsName.Parse("ns.isp.example."), DnsName.Parse("dns.isp.example."), serial, 3600, 600, 604800, 60), ttl: 86400);
        b.Ns("@", "ns1.isp.example.");
        b.Ns("@", "ns2.isp.example.");
        return b;
    }

    private static readonly DefaultNames Pools = new([Pool("100.10.0.0/20", "ip-{ip}.pool.example.net.")]);

    private static DefaultNamePool Pool(string prefix, string template)
    {
        Assert.True(DefaultNamePool.TryCreate(IpPrefix.Parse(prefix), template, 600, out var pool, out var error), error);
        return pool;
    }

    private static ZoneSet Rows(IEnumerable<ZoneSnapshot> zones, DefaultNames? defaults = null) =>
        ZoneSet.From(zones, defaults, NameMap<Rdns.Zones.Dnssec.ZoneSigner>.Empty, minRows: 1);

    private static ZoneSet Snapshots(IEnumerable<ZoneSnapshot> zones, DefaultNames? defaults = null) =>
        ZoneSet.From(zones, defaults, NameMap<Rdns.Zones.Dnssec.ZoneSigner>.Empty, minRows: int.MaxValue);

    /// <summary>The response as the query handler writes it: the zone found, then its answer (or REFUSED).</summary>
    private static byte[] Answer(ZoneSet set, ReadOnlySpan<byte> qname, RecordType qtype, int limit = 4096)
    {
        var buffer = new byte[4096];
        var w = new DnsMessageWriter(buffer, limit);
        w.TryWriteQuestion(qname, qtype, RecordClass.IN);
        var zone = set.FindAnswering(qname, qtype, out var row);
        AnswerOutcome outcome;
        if (zone is null && !row.Found)
            outcome = new AnswerOutcome(AnswerState.Hit, false, false);
        else
            outcome = zone is null
                ? row.Write(set.Defaults, qname, qtype, ref w, limit < 4096)
                : AuthoritativeAnswer.Write(zone, set.Defaults, qname, qtype, ref w, limit < 4096);
        var flags = HeaderFlags.QR | (outcome.Authoritative ? HeaderFlags.AA : 0) | (outcome.Truncated ? HeaderFlags.TC : 0);
        w.Flags = DnsHeader.MakeFlags(flags, Opcode.Query, zone is null && !row.Found ? (int)Rcode.Refused : (int)outcome.Rcode);
        return buffer.AsSpan(0, w.Finish()).ToArray();
    }

    private static readonly RecordType[] Types =
        [RecordType.PTR, RecordType.SOA, RecordType.NS, RecordType.ANY, RecordType.A, RecordType.DS, RecordType.CNAME, RecordType.TXT, RecordType.DNSKEY, RecordType.AAAA];

    /// <summary>Names to ask about in and around a zone: the apex, every address, labels that are not addresses, deeper names, other cases.</summary>
    private static IEnumerable<string> Names(ZoneSnapshot zone, Random random)
    {
        string origin = zone.Origin.ToString();
        yield return origin;
        yield return origin.ToUpperInvariant();
        for (int host = 0; host < 256; host += random.Next(1, 12))
            yield return $"{host}.{origin}";
        foreach (var (owner, _, _) in zone.CompactRecords())
        {
            var name = DnsName.FromWire(owner).ToString();
            yield return name;
            yield return name.ToUpperInvariant();
            yield return $"x.{name}";
        }
        yield return $"01.{origin}";
        yield return $"256.{origin}";
        yield return $"ns1.{origin}";
        yield return $"1.2.{origin}";
        yield return $"*.{origin}";
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Every_answer_from_a_row_is_the_snapshots_answer_octet_for_octet(int seed, bool defaults)
    {
        var zones = Store(seed, 600);
        var pools = defaults ? Pools : null;
        var rows = Rows(zones, pools);
        var snapshots = Snapshots(zones, pools);
        // Every /24 of the generated 600 is a row; none of the zones that must stay snapshots is.
        Assert.Equal(600, rows.RowCount);
        Assert.Equal(zones.Count, rows.Count);
        Assert.Equal(0, snapshots.RowCount);

        var random = new Random(seed);
        int asked = 0, fromRows = 0;
        foreach (var zone in zones)
        {
            foreach (var text in Names(zone, random))
            {
                var name = DnsName.Parse(text).Wire;
                foreach (var type in Types)
                {
                    var expected = Answer(snapshots, name, type);
                    Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(Answer(rows, name, type)));
                    asked++;
                    if (rows.FindAnswering(name, type, out var row) is null && row.Found)
                        fromRows++;
                }
            }
        }
        Assert.True(fromRows > asked / 2, $"{fromRows} of {asked} answered from rows");
    }

    [Fact]
    public void Only_zones_a_row_can_hold_become_rows()
    {
        var zones = Store(3, 40);
        var rows = Rows(zones);
        var snapshots = new HashSet<string>(rows.Zones.Where(z => z.Row is null).Select(z => z.Origin.ToString()));
        Assert.Contains("1.9.100.in-addr.arpa.", snapshots); // 33 PTRs: more than a row holds
        Assert.Contains("2.9.100.in-addr.arpa.", snapshots); // a TXT at the apex
        Assert.Contains("3.9.100.in-addr.arpa.", snapshots); // two TTLs
        Assert.Contains("4.9.100.in-addr.arpa.", snapshots); // an RFC 2317 child below it
        Assert.Contains("5.9.100.in-addr.arpa.", snapshots); // a /32 zone below it
        Assert.Contains("0-25.4.9.100.in-addr.arpa.", snapshots);
        Assert.Contains("11.100.in-addr.arpa.", snapshots);
        Assert.Contains("8.b.d.0.1.0.0.2.ip6.arpa.", snapshots);
        Assert.Equal(40, rows.RowCount);
        Assert.Equal(zones.Count - rows.RowCount, snapshots.Count);
        // Fewer qualifying zones than the threshold: no rows at all.
        Assert.Equal(0, ZoneSet.From(zones).RowCount);
    }

    [Fact]
    public void A_zone_made_from_its_row_is_the_zone_it_was_made_from()
    {
        var zones = Store(4, 300);
        var rows = Rows(zones);
        foreach (var zone in zones)
        {
            var made = rows.Get(zone.Origin);
            Assert.NotNull(made);
            Assert.Equal(zone.Serial, made.Serial);
            Assert.Equal(zone.RecordCount, made.RecordCount);
            Assert.Equal(zone.CompactCount, made.CompactCount);
            Assert.Equal(zone.NodeCount, made.NodeCount);
            Assert.Equal(zone.Reverse?.Prefix, made.Reverse?.Prefix);
            Assert.Equal(zone.NegativeTtl, made.NegativeTtl);
            Assert.Equal(zone.Records().Select(r => r.ToString()), made.Records().Select(r => r.ToString()));
            // Each PTR looked up by address (through the index a table of more than 16 has).
            foreach (var (owner, ttl, target) in zone.CompactRecords())
            {
                var set = made.GetRRset(owner, RecordType.PTR);
                Assert.NotNull(set);
                Assert.Equal(ttl, set.Ttl);
                Assert.Equal(target, Assert.Single(set.Data));
            }
            Assert.Equal(zone.Serial, rows.SerialOf(zone.Origin));
            // Asked for twice, a row's zone is two snapshots of the same version of it.
            Assert.True(ZoneSnapshot.Same(made, rows.Get(zone.Origin)));
            Assert.Equal(made.Row is not null, !ReferenceEquals(made, rows.Get(zone.Origin)));
        }
        Assert.Equal(Snapshots(zones).Totals(), rows.Totals());
        Assert.Equal(zones.Select(z => z.Origin).Order(), rows.Origins.Order());
        Assert.Equal(zones.Select(z => z.Origin).Order(), rows.Zones.Select(z => z.Origin).Order());
    }

    [Fact]
    public void A_change_takes_a_zone_out_of_the_rows_and_keeps_every_other()
    {
        var zones = Store(5, 100);
        var rows = Rows(zones);
        int before = rows.RowCount;
        var origin = DnsName.Parse("7.10.100.in-addr.arpa.");
        var old = rows.Get(origin)!;
        Assert.NotNull(old.Row);

        // Changed: the new snapshot is served; the row is gone.
        var changed = ZoneBuilder.Standard("7.10.100.in-addr.arpa.", serial: 99).Ptr("9", "changed.example.com.").Build();
        var next = rows.With(changed);
        Assert.Equal(before - 1, next.RowCount);
        Assert.Equal(rows.Count, next.Count);
        Assert.Same(changed, next.Get(origin));
        Assert.Same(changed, next.FindZone(DnsName.Parse("9.7.10.100.in-addr.arpa.").Wire));
        Assert.False(ZoneSnapshot.Same(old, next.Get(origin)));
        Assert.True(ZoneSnapshot.Same(old, rows.Get(origin)));
        Assert.Equal(Convert.ToHexString(Answer(Snapshots(next.Zones), DnsName.Parse("9.7.10.100.in-addr.arpa.").Wire, RecordType.PTR)),
            Convert.ToHexString(Answer(next, DnsName.Parse("9.7.10.100.in-addr.arpa.").Wire, RecordType.PTR)));

        // Removed: not served at all.
        var removed = next.Without(DnsName.Parse("8.10.100.in-addr.arpa."));
        Assert.Equal(next.Count - 1, removed.Count);
        Assert.Equal(next.RowCount - 1, removed.RowCount);
        Assert.Null(removed.Get(DnsName.Parse("8.10.100.in-addr.arpa.")));
        Assert.Null(removed.FindZone(DnsName.Parse("1.8.10.100.in-addr.arpa.").Wire));

        // A zone added below a row's: both served, the /24 as a snapshot now, each for its own names.
        var child = ZoneBuilder.Standard("0-63.9.10.100.in-addr.arpa.").Ptr("5", "child.example.com.").Build();
        var withChild = removed.With(child);
        Assert.Equal(removed.Count + 1, withChild.Count);
        Assert.Equal(removed.RowCount - 1, withChild.RowCount);
        var parent = withChild.Get(DnsName.Parse("9.10.100.in-addr.arpa."));
        Assert.NotNull(parent);
        Assert.Same(child, withChild.FindZone(DnsName.Parse("5.0-63.9.10.100.in-addr.arpa.").Wire));
        Assert.Equal(parent.Origin, withChild.FindZone(DnsName.Parse("200.9.10.100.in-addr.arpa.").Wire)!.Origin);
        var all = withChild.Zones.ToList();
        Assert.Equal(withChild.Count, all.Count);
        foreach (var text in new[] { "9.10.100.in-addr.arpa.", "5.0-63.9.10.100.in-addr.arpa.", "0-63.9.10.100.in-addr.arpa.", "7.9.10.100.in-addr.arpa." })
        {
            foreach (var type in Types)
            {
                var name = DnsName.Parse(text).Wire;
                Assert.Equal(Convert.ToHexString(Answer(Snapshots(all), name, type)), Convert.ToHexString(Answer(withChild, name, type)));
            }
        }
    }

    [Fact]
    public void The_sum_of_serials_counts_every_zone_held_row_or_snapshot_and_none_taken_out()
    {
        static long Listed(ZoneSet set) => set.Origins.Sum(o => (long)set.SerialOf(o)!.Value);
        var zones = Store(5, 100);
        var rows = Rows(zones);
        Assert.True(rows.RowCount > 0);
        Assert.Equal(zones.Sum(z => (long)z.Serial), rows.SerialSum());
        Assert.Equal(Snapshots(zones).SerialSum(), rows.SerialSum());

        var changed = rows.With(ZoneBuilder.Standard("7.10.100.in-addr.arpa.", serial: 4_000_000_000).Ptr("9", "changed.example.com.").Build());
        var removed = changed.Without(DnsName.Parse("8.10.100.in-addr.arpa."));
        Assert.True(removed.RowCount < rows.RowCount - 1);
        Assert.Equal(Listed(changed), changed.SerialSum());
        Assert.Equal(Listed(removed), removed.SerialSum());
        Assert.Equal(rows.SerialSum() - rows.SerialOf(DnsName.Parse("7.10.100.in-addr.arpa."))!.Value + 4_000_000_000
            - rows.SerialOf(DnsName.Parse("8.10.100.in-addr.arpa."))!.Value, removed.SerialSum());
    }

    [Fact]
    public void New_zones_that_can_be_rows_join_the_rows_and_answer_as_before()
    {
        var zones = Store(8, 300);
        var set = Rows(zones);
        Assert.Equal(300, set.RowCount);
        // 200 new /24s published as snapshots (an import, say), one /24 below which a zone is
        // added, one new zone that is not a row.
        var added = new List<ZoneSnapshot>();
        for (int i = 0; i < 200; i++)
            added.Add(ZoneBuilder.Standard($"{i}.50.100.in-addr.arpa.", serial: 7).Ptr($"{i}", $"n{i}.example.com.").Build());
        added.Add(ZoneBuilder.Standard("0-31.3.50.100.in-addr.arpa.").Build());
        added.Add(ZoneBuilder.Standard("51.100.in-addr.arpa.").Build());
        set = set.With(added, []);
        Assert.Equal(300, set.RowCount);
        Assert.False(set.RowsDue); // 199 new zones could be rows: fewer than the threshold
        var made = set.WithRows(minRows: 1);
        Assert.Equal(300 + 199, made.RowCount);
        Assert.Equal(set.Count, made.Count);
        Assert.Null(made.Get(DnsName.Parse("3.50.100.in-addr.arpa."))!.Row);
        Assert.NotNull(made.Get(DnsName.Parse("4.50.100.in-addr.arpa."))!.Row);
        // The rows already held kept their zones; every answer is the snapshots' answer.
        var all = zones.Concat(added).ToList();
        var snapshots = Snapshots(all);
        var random = new Random(8);
        foreach (var zone in all.Where((_, i) => i % 7 == 0))
        {
            foreach (var text in Names(zone, random).Take(12))
            {
                var name = DnsName.Parse(text).Wire;
                foreach (var type in Types)
                    Assert.Equal(Convert.ToHexString(Answer(snapshots, name, type)), Convert.ToHexString(Answer(made, name, type)));
            }
        }
        Assert.Equal(snapshots.Totals(), made.Totals());
    }

    [Fact]
    public async Task Zones_published_through_the_write_path_become_rows_in_the_background()
    {
        var served = new ServedZones();
        var first = Enumerable.Range(0, 1500).Select(i => ZoneBuilder.Standard($"{i % 250}.{60 + i / 250}.100.in-addr.arpa.").Ptr("1", $"a{i}.example.com.").Build()).ToList();
        served.Publish(first, []);
        await served.CompactionsIdleAsync();
        Assert.Equal(1500, served.Current.RowCount);
        Assert.Equal(1500, served.Current.Count);
        var one = served.Current.Get(DnsName.Parse("7.60.100.in-addr.arpa."))!;
        Assert.NotNull(one.Row);
        // A change to one of them: a snapshot of its own again, its change served.
        var changed = ZoneBuilder.Standard("7.60.100.in-addr.arpa.", serial: 2).Ptr("2", "b.example.com.").Build();
        served.Publish([changed], []);
        await served.CompactionsIdleAsync();
        Assert.Same(changed, served.Current.Get(DnsName.Parse("7.60.100.in-addr.arpa.")));
        Assert.Equal(1499, served.Current.RowCount);
    }

    [Fact]
    public async Task Commits_published_while_a_rows_pass_runs_do_not_wait_for_it_and_are_replayed_onto_it()
    {
        var first = TinyZones(1500);
        using var gate = new ManualResetEventSlim();
        var served = await PassHeldAsync(first, gate);

        // The pass has made its set and holds it: commits go on meanwhile (under the old lock they waited).
        var changed = ZoneBuilder.Standard("7.60.100.in-addr.arpa.", serial: 2).Ptr("2", "b.example.com.").Build();
        var added = ZoneBuilder.Standard("1.70.100.in-addr.arpa.").Ptr("1", "new.example.com.").Build();
        var removed = DnsName.Parse("8.60.100.in-addr.arpa.");
        var publishing = Task.Run(() =>
        {
            served.Publish([changed], []);
            served.Publish([added], [removed]);
        });
        await publishing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(changed, served.Current.Get(changed.Origin));
        Assert.Equal(0, served.Current.RowCount);

        gate.Set();
        await served.CompactionsIdleAsync();
        var set = served.Current;
        // Made rows, with both commits on top: the changed zone a snapshot of its own again, the
        // removed one gone, the new one there.
        Assert.Same(changed, set.Get(changed.Origin));
        Assert.Null(set.Get(removed));
        Assert.Same(added, set.Get(added.Origin));
        Assert.Equal(1498, set.RowCount);
        var expected = first.Where(z => z.Origin != changed.Origin && z.Origin != removed).Append(changed).Append(added).ToList();
        Assert.Equal(expected.Count, set.Count);
        Assert.Equal(Snapshots(expected).Totals(), set.Totals());
        foreach (var zone in expected.Where((_, i) => i % 50 == 0).Append(changed))
        {
            foreach (var type in Types)
                Assert.Equal(Convert.ToHexString(Answer(Snapshots(expected), DnsName.Parse($"1.{zone.Origin}").Wire, type)), Convert.ToHexString(Answer(set, DnsName.Parse($"1.{zone.Origin}").Wire, type)));
        }
    }

    [Fact]
    public async Task A_rows_pass_overtaken_by_a_change_it_cannot_replay_is_made_again_under_the_lock()
    {
        using var gate = new ManualResetEventSlim();
        var served = await PassHeldAsync(TinyZones(1500), gate);

        // A change decided on the set as it is (as a refresh from another node is): not a commit to replay.
        var changed = ZoneBuilder.Standard("7.60.100.in-addr.arpa.", serial: 2).Ptr("2", "b.example.com.").Build();
        served.Update(set => set.Get(changed.Origin)!.Serial == 1 ? set.With(changed) : set);
        gate.Set();
        await served.CompactionsIdleAsync();

        // Every zone a row, the changed one as it was changed.
        Assert.Equal(1500, served.Current.RowCount);
        Assert.Equal(1500, served.Current.Count);
        Assert.Equal(2u, served.Current.SerialOf(changed.Origin));
        foreach (var type in Types)
            Assert.Equal(Convert.ToHexString(Answer(Snapshots([changed]), DnsName.Parse($"2.{changed.Origin}").Wire, type)), Convert.ToHexString(Answer(served.Current, DnsName.Parse($"2.{changed.Origin}").Wire, type)));
    }

    /// <summary>Served zones with <paramref name="zones"/> published, and the rows pass that publish started held, its set made, until <paramref name="gate"/> opens.</summary>
    private static async Task<ServedZones> PassHeldAsync(List<ZoneSnapshot> zones, ManualResetEventSlim gate)
    {
        var reached = new SemaphoreSlim(0);
        var served = new ServedZones
        {
            RowsPassMade = () =>
            {
                reached.Release();
                gate.Wait(TimeSpan.FromSeconds(30));
            },
        };
        served.Publish(zones, []);
        Assert.True(await reached.WaitAsync(TimeSpan.FromSeconds(10)), "no rows pass started");
        return served;
    }

    private static List<ZoneSnapshot> TinyZones(int count) =>
        Enumerable.Range(0, count).Select(i => ZoneBuilder.Standard($"{i % 250}.{60 + i / 250}.100.in-addr.arpa.").Ptr("1", $"a{i}.example.com.").Build()).ToList();

    [Fact]
    public void A_signed_zone_is_never_a_row()
    {
        var zones = Store(6, 50);
        var rows = Rows(zones);
        var origin = DnsName.Parse("3.10.100.in-addr.arpa.");
        Assert.NotNull(rows.Get(origin)!.Row);
        using var key = Rdns.Zones.Dnssec.EcdsaSigningKey.Generate(Protocol.Dnssec.DnsKey.KskFlags);
        var signer = new Rdns.Zones.Dnssec.ZoneSigner(origin, [key], [key], Rdns.Zones.Dnssec.DenialMode.Compact, Rdns.Zones.Dnssec.SignaturePolicy.Default, new Rdns.Zones.Dnssec.SignatureCache(64 * 1024), TimeProvider.System);
        var signed = rows.WithSigner(origin, signer);
        Assert.Equal(rows.RowCount - 1, signed.RowCount);
        Assert.Null(signed.Get(origin)!.Row);
        Assert.NotNull(signed.SignerOf(signed.Get(origin)!));
    }

    [Fact]
    public void Answering_from_a_row_allocates_nothing()
    {
        var rows = Rows(Store(7, 100));
        var buffer = new byte[4096];
        var names = new[] { "7.10.100.in-addr.arpa.", "1.7.10.100.in-addr.arpa.", "200.7.10.100.in-addr.arpa.", "x.1.7.10.100.in-addr.arpa." }
            .Select(n => DnsName.Parse(n).Wire.ToArray()).ToArray();
        void Run()
        {
            foreach (var name in names)
            {
                foreach (var type in Types)
                {
                    var w = new DnsMessageWriter(buffer, 512);
                    w.TryWriteQuestion(name, type, RecordClass.IN);
                    if (rows.FindAnswering(name, type, out var row) is null && row.Found)
                        row.Write(rows.Defaults, name, type, ref w, true);
                }
            }
        }
        SteadyState.AssertAllocatesNothing(Run, perWindow: 100, windows: 8);
    }

    [Fact]
    public void Making_rows_of_new_zones_costs_about_what_the_new_table_holds_not_a_copy_per_zone()
    {
        // 100,000 rows and 12,500 new zones published as snapshots (a pass made while an import
        // runs): the pass once allocated 2.5 GiB, the address index's overlay copied once per
        // zone taken out of it and a form key made per row.
        static ZoneSnapshot Zone(int i) => ZoneBuilder.Standard($"{i & 255}.{(i >> 8) & 255}.{10 + (i >> 16)}.in-addr.arpa.")
            .Ptr("1", $"a{i}.example.com.").Ptr("2", $"b{i}.example.com.").Ptr("3", $"c{i}.example.com.").Build();
        var set = ZoneSet.From(Enumerable.Range(0, 100_000).Select(Zone).ToList(), null, NameMap<Rdns.Zones.Dnssec.ZoneSigner>.Empty, minRows: 1);
        set = set.With(Enumerable.Range(100_000, 12_500).Select(Zone).ToList(), []);
        Assert.True(set.RowsDue);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var made = set.WithRows();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(112_500, made.RowCount);
        Assert.Equal(set.Count, made.Count);
        output.WriteLine($"making 12,500 rows beside 100,000 allocated {allocated / 1048576.0:F1} MiB");
        Assert.True(allocated < 64L << 20, $"{allocated} octets allocated");
        Assert.Equal(DnsName.Parse("b100001.example.com."), Rdata.ReadName(made.Get(DnsName.Parse("161.134.11.in-addr.arpa."))!.GetRRset(DnsName.Parse("2.161.134.11.in-addr.arpa.").Wire, RecordType.PTR)!.Data[0]));
    }
}
