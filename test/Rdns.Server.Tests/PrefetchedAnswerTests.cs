using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// A receive loop hands each query what its batch's prefetch found (the zone, the compact-table
/// key) so the answer does not look them up again. These tests hold the answers given with it to
/// the answers given without, octet for octet, over every kind of name and type, and show that
/// what was found in another zone set is not taken.
/// </summary>
public sealed class PrefetchedAnswerTests
{
    private static readonly RequestSource Udp = RequestSource.Udp(ClientAddress.None);

    private static ZoneSet Zones(string suffix = "")
    {
        var zones = new List<ZoneSnapshot>();
        for (int z = 0; z < 6; z++)
        {
            var b = ZoneBuilder.Standard($"{z}.2.10.in-addr.arpa.");
            for (int h = 0; h < 40; h++)
                b.Ptr($"{h}", $"host{h}-{z}{suffix}.example.net.");
            if (z == 1)
            {
                // RFC 2317: the first quarter delegated by CNAMEs into a child hosted beside it.
                for (int h = 64; h < 128; h++)
                    b.Cname($"{h}", $"{h}.64-26.1.2.10.in-addr.arpa.");
                b.Ns("64-26", "ns1.example.net.");
                b.Txt("40", "not a ptr");
            }
            // A CNAME to another address of the zone, its name as long as the question's: the
            // question's key must not be taken for it.
            if (z == 3)
                b.Cname("45", "12.3.2.10.in-addr.arpa.");
            zones.Add(b.Build());
        }
        // A /16: two-octet keys, searched in buckets.
        var wide = ZoneBuilder.Standard("3.10.in-addr.arpa.");
        for (int h = 0; h < 300; h++)
            wide.Ptr($"{h % 200}.{h / 200 * 7}", $"wide{h}{suffix}.example.net.");
        zones.Add(wide.Build());
        var child = ZoneBuilder.Standard("64-26.1.2.10.in-addr.arpa.");
        for (int h = 64; h < 128; h++)
            child.Ptr($"{h}", $"child{h}{suffix}.example.net.");
        zones.Add(child.Build());
        // A zone hosted below another: DS at its apex is answered from the parent.
        zones.Add(ZoneBuilder.Standard("5.5.2.10.in-addr.arpa.").Ptr("7", $"deep{suffix}.example.net.").Build());
        var v6 = ZoneBuilder.Standard("8.b.d.0.1.0.0.2.ip6.arpa.");
        for (int h = 0; h < 20; h++)
            v6.Ptr(string.Join('.', $"{h:x32}".Reverse().Take(24)), $"six{h}{suffix}.example.net.");
        zones.Add(v6.Build());
        return ZoneSet.From(zones).WithLocalZones(LocallyServedZones.Private, serve: false);
    }

    private static List<byte[]> Queries()
    {
        var types = new[] { RecordType.PTR, RecordType.A, RecordType.ANY, RecordType.DS, RecordType.SOA, RecordType.NS, RecordType.TXT };
        var names = new List<string>();
        for (int z = 0; z < 7; z++)
        {
            foreach (int h in new[] { 0, 7, 39, 40, 41, 45, 64, 100, 127, 200, 255 })
                names.Add($"{h}.{z}.2.10.in-addr.arpa.");
            names.Add($"{z}.2.10.in-addr.arpa.");
            names.Add($"x.{z}.2.10.in-addr.arpa.");
            names.Add($"1.2.{z}.2.10.in-addr.arpa.");
        }
        foreach (int h in new[] { 0, 1, 99, 150, 199, 200, 250 })
        {
            names.Add($"{h}.0.3.10.in-addr.arpa.");
            names.Add($"{h}.7.3.10.in-addr.arpa.");
        }
        names.AddRange(["100.64-26.1.2.10.in-addr.arpa.", "7.5.5.2.10.in-addr.arpa.", "5.5.2.10.in-addr.arpa.", "2.10.in-addr.arpa.",
            "1.1.168.192.in-addr.arpa.", "example.net.", ".", "07.0.2.10.in-addr.arpa.", "256.0.2.10.in-addr.arpa.", "7.0.2.010.in-addr.arpa."]);
        for (int h = 0; h < 22; h++)
            names.Add(string.Join('.', $"{h:x32}".Reverse()) + ".ip6.arpa.");
        var queries = new List<byte[]>();
        ushort id = 0;
        foreach (var name in names)
        {
            foreach (var type in types)
                queries.Add(DnsMessage.Query(DnsName.Parse(name), type, id: id++).ToWire());
        }
        // The question's case kept as sent (DNS 0x20), and a query with EDNS and DO.
        queries.Add(DnsMessage.Query(DnsName.Parse("7.2.2.10.IN-ADDR.ARPA."), RecordType.PTR, id: id++).ToWire());
        queries.Add(DnsMessage.Query(DnsName.Parse("7.2.2.10.in-addr.arpa."), RecordType.PTR, id: id++, edns: new EdnsOptions(DnssecOk: true)).ToWire());
        return queries;
    }

    private static void Prefetch(ZonePrefetch prefetch, ZoneSet set, List<byte[]> batch)
    {
        prefetch.Begin(set);
        for (int pass = 0; pass < ZonePrefetch.Passes; pass++)
        {
            for (int i = 0; i < batch.Count; i++)
                prefetch.Step(pass, i, batch[i]);
        }
    }

    [Fact]
    public void Answers_given_what_the_prefetch_found_are_the_answers_given_without()
    {
        var served = new ServedZones();
        served.Replace(Zones());
        var pipeline = new DnsPipeline(served, new ServerOptions());
        var queries = Queries();
        var prefetch = new ZonePrefetch(queries.Count);
        Prefetch(prefetch, served.Current, queries);
        var with = new byte[1232];
        var without = new byte[1232];
        int taken = 0;
        for (int i = 0; i < queries.Count; i++)
        {
            var found = prefetch.Found(i);
            if (found.ZoneIn(served.Current, queries[i].Length - 12 - 4) is not null)
                taken++;
            int a = pipeline.Process(queries[i], with, Udp, -1, found).Length;
            int b = pipeline.Process(queries[i], without, Udp).Length;
            Assert.True(with.AsSpan(0, a).SequenceEqual(without.AsSpan(0, b)), $"query {i}: {DnsMessage.Parse(queries[i]).Questions[0]}");
        }
        prefetch.End();
        // The prefetch found most zones: the answers above did take what it found.
        Assert.True(taken > queries.Count / 2, $"{taken} of {queries.Count}");
    }

    [Fact]
    public void What_was_found_in_another_zone_set_is_not_taken()
    {
        var served = new ServedZones();
        var before = Zones();
        served.Replace(before);
        var pipeline = new DnsPipeline(served, new ServerOptions());
        var queries = Queries();
        var prefetch = new ZonePrefetch(queries.Count);
        Prefetch(prefetch, before, queries);
        // The zones are published again with other targets after the batch was prefetched.
        served.Replace(Zones("-new"));
        var with = new byte[1232];
        var without = new byte[1232];
        int changed = 0;
        for (int i = 0; i < queries.Count; i++)
        {
            int a = pipeline.Process(queries[i], with, Udp, -1, prefetch.Found(i)).Length;
            int b = pipeline.Process(queries[i], without, Udp).Length;
            Assert.True(with.AsSpan(0, a).SequenceEqual(without.AsSpan(0, b)), $"query {i}: {DnsMessage.Parse(queries[i]).Questions[0]}");
            if (DnsMessage.Parse(with.AsSpan(0, a)).Answers.Any(r => r.Data.AsSpan().IndexOf("-new"u8) >= 0))
                changed++;
        }
        prefetch.End();
        Assert.True(changed >= 40, $"{changed} answers from the new set");
    }
}
