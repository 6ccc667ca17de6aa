using System.Net;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// Zones kept as rows (SmallZones) go through the whole query path as snapshots do: every response,
/// EDNS and its EXPIRE option included, is the same octet for octet, and the stages after the
/// answer see the zone that answered.
/// </summary>
public sealed class RowZonePipelineTests
{
    private static readonly RequestSource From = RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 4000)));

    private static List<ZoneSnapshot> Store()
    {
        var zones = new List<ZoneSnapshot>();
        for (int z = 0; z < 40; z++)
        {
            var b = ZoneBuilder.Standard($"{z}.2.10.in-addr.arpa.", serial: (uint)(100 + z));
            for (int host = 1; host <= z % 20; host++)
                b.Ptr($"{host * 7 % 256}", $"h{host}.tenant{z}.example.");
            zones.Add(b.Build());
        }
        zones.Add(ZoneBuilder.Standard("2.10.in-addr.arpa.").Build());
        return zones;
    }

    private static ServedZones Served(IEnumerable<ZoneSnapshot> zones, int minRows)
    {
        var served = new ServedZones();
        served.Replace(ZoneSet.From(zones, null, NameMap<Rdns.Zones.Dnssec.ZoneSigner>.Empty, minRows));
        return served;
    }

    [Fact]
    public void Every_response_from_a_row_is_the_snapshots_response()
    {
        var zones = Store();
        var served = Served(zones, 1);
        var rows = new DnsPipeline(served, new ServerOptions());
        var snapshots = new DnsPipeline(Served(zones, int.MaxValue), new ServerOptions());
        Assert.Equal(40, served.Current.RowCount);
        // The EXPIRE option asked for (RFC 7314), DNSSEC OK set (the zones are not signed).
        var expire = new byte[] { 0, 9, 0, 0 };
        var withEdns = new EdnsOptions(1232, 0, DnssecOk: true, Options: expire);
        var a = new byte[4096];
        var b = new byte[4096];
        int compared = 0;
        foreach (int z in new[] { 0, 3, 19, 39 })
        {
            foreach (var name in new[] { $"{z}.2.10.in-addr.arpa.", $"7.{z}.2.10.in-addr.arpa.", $"8.{z}.2.10.in-addr.arpa.", $"X.7.{z}.2.10.IN-ADDR.ARPA.", $"{z}.2.10.IN-addr.ARPA." })
            {
                foreach (var type in new[] { RecordType.PTR, RecordType.SOA, RecordType.NS, RecordType.ANY, RecordType.DS, RecordType.A })
                {
                    foreach (var edns in new[] { null, withEdns })
                    {
                        var query = DnsMessage.Query(DnsName.Parse(name), type, id: 77, edns: edns).ToWire();
                        var x = rows.Process(query, a, From);
                        var y = snapshots.Process(query, b, From);
                        Assert.Equal(Convert.ToHexString(b.AsSpan(0, y.Length)), Convert.ToHexString(a.AsSpan(0, x.Length)));
                        compared++;
                    }
                }
            }
        }
        Assert.Equal(4 * 5 * 6 * 2, compared);
        // The EXPIRE answered is the zone's SOA EXPIRE.
        var m = DnsMessage.Parse(a.AsSpan(0, rows.Process(DnsMessage.Query(DnsName.Parse("7.3.2.10.in-addr.arpa."), RecordType.PTR, edns: withEdns).ToWire(), a, From).Length));
        Assert.Equal("0009000400127500", Convert.ToHexString(m.Edns!.Options!));
    }

    [Fact]
    public void The_counters_count_a_rows_answers_under_its_zone()
    {
        var zone = DnsName.Parse("3.2.10.in-addr.arpa.");
        var counters = new QueryCounters(1, [DnsName.Parse("3.2.10.IN-ADDR.ARPA.")]);
        var served = Served(Store(), 1);
        var pipeline = new DnsPipeline(served, new ServerOptions(), stages: [counters]);
        Assert.Null(served.Current.FindAnswering(DnsName.Parse("7.3.2.10.in-addr.arpa.").Wire, RecordType.PTR, out var row));
        Assert.True(row.Found);
        var response = new byte[4096];
        foreach (var name in new[] { "7.3.2.10.in-addr.arpa.", "14.3.2.10.IN-ADDR.ARPA.", "9.3.2.10.in-addr.arpa.", "7.4.2.10.in-addr.arpa." })
            pipeline.Process(DnsMessage.Query(DnsName.Parse(name), RecordType.PTR).ToWire(), response, From, 0);
        Assert.Equal(2, counters.Responses(zone, AnswerKind.Positive));
        Assert.Equal(1, counters.Responses(zone, AnswerKind.NxDomain));
    }
}
