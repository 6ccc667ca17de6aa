using FsCheck;
using FsCheck.Fluent;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Text;

public class ZoneFileWriterTests
{
    private static readonly DnsName Origin = DnsName.Parse("2.0.192.in-addr.arpa.");

    private static ResourceRecord R(string owner, uint ttl, RecordType type, string rdata, DnsName? origin = null) =>
        new(DnsName.Parse(owner, origin ?? Origin), type, ttl, RdataParser.Parse(type, rdata, origin ?? Origin));

    private static ResourceRecord Soa(DnsName? origin = null) =>
        R("@", 3600, RecordType.SOA, "ns1.example.net. hostmaster.example.net. 1 3600 900 604800 300", origin);

    /// <summary>Sets equal, and every owner and RDATA identical in case too.</summary>
    internal static void AssertSameRecords(IEnumerable<ResourceRecord> expected, IEnumerable<ResourceRecord> actual)
    {
        static List<string> Exact(IEnumerable<ResourceRecord> rs) =>
            rs.Select(r => $"{r.Owner} {r.Ttl} {r.Class} {(ushort)r.Type} {Convert.ToHexString(r.Data)}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Exact(expected), Exact(actual));
    }

    [Fact]
    public void SOA_first_then_owners_in_canonical_order_with_relative_names_and_explicit_TTLs()
    {
        var records = new[]
        {
            R("65", 300, RecordType.CNAME, "65.64-127"),
            R("2", 3600, RecordType.PTR, "host2.example.net."),
            R("65.64-127", 3600, RecordType.PTR, "host65.example.net."),
            R("10", 3600, RecordType.PTR, "host10.example.net."),
            R("@", 3600, RecordType.NS, "ns1.example.net."),
            Soa(),
            R("1", 3600, RecordType.PTR, "host1.example.net."),
            R("1", 3600, RecordType.TXT, "\"a b\""),
        };
        // RFC 4034 §6.1 compares labels as octet strings, so "10" sorts before "2".
        Assert.Equal("""
            $ORIGIN 2.0.192.in-addr.arpa.
            @	3600	IN	SOA	ns1.example.net. hostmaster.example.net. 1 3600 900 604800 300
            @	3600	IN	NS	ns1.example.net.
            1	3600	IN	PTR	host1.example.net.
            1	3600	IN	TXT	"a b"
            10	3600	IN	PTR	host10.example.net.
            2	3600	IN	PTR	host2.example.net.
            65.64-127	3600	IN	PTR	host65.example.net.
            65	300	IN	CNAME	65.64-127

            """.ReplaceLineEndings("\n"), ZoneFileWriter.ToText(Origin, records));
    }

    [Fact]
    public void A_relative_name_is_used_only_where_it_is_shorter()
    {
        var origin = DnsName.Parse("a.");
        var text = ZoneFileWriter.ToText(origin, [Soa(origin), R("x", 60, RecordType.MX, "10 @", origin), R("y", 60, RecordType.SRV, "1 2 3 x", origin)]);
        Assert.Contains("\nx\t60\tIN\tMX\t10 @\n", text);
        Assert.Contains("\ny\t60\tIN\tSRV\t1 2 3 x\n", text);
        Assert.Contains("\t@\t3600\tIN\tSOA\tns1.example.net. hostmaster.example.net. ", "\t" + text.Split('\n')[1]);
    }

    [Fact]
    public void Refuses_what_would_not_be_a_zone()
    {
        var ptr = R("1", 60, RecordType.PTR, "h.example.");
        Assert.Contains("has no SOA", Assert.Throws<ArgumentException>(() => ZoneFileWriter.ToText(Origin, [ptr])).Message);
        Assert.Contains("more than one SOA", Assert.Throws<ArgumentException>(() => ZoneFileWriter.ToText(Origin, [Soa(), Soa(), ptr])).Message);
        var soaBelow = new ResourceRecord(DnsName.Parse("1", Origin), RecordType.SOA, 60, Soa().Data);
        Assert.Contains("not at the origin", Assert.Throws<ArgumentException>(() => ZoneFileWriter.ToText(Origin, [soaBelow])).Message);
        var outside = R("1.3.0.192.in-addr.arpa.", 60, RecordType.PTR, "h.example.");
        Assert.Contains("out of zone", Assert.Throws<ArgumentException>(() => ZoneFileWriter.ToText(Origin, [Soa(), outside])).Message);
        var broken = new ResourceRecord(DnsName.Parse("1", Origin), RecordType.A, 60, [1, 2, 3]);
        Assert.Contains("malformed RDATA", Assert.Throws<ArgumentException>(() => ZoneFileWriter.ToText(Origin, [Soa(), broken])).Message);
    }

    [Fact]
    public void Read_write_read_keeps_every_record_of_a_zone_with_every_type()
    {
        const string zone = """
            $ORIGIN Example.COM.
            $TTL 300
            @        SOA   ns1 hostmaster.example.com. ( 2024010101 1h 15m 1w 5m )
                     NS    ns1
                     NS    ns.other.net.
                     MX    10 mail
                     TXT   "v=spf1 -all" "second; string" "\"quoted\"" "tab\009and\255"
                     CAA   0 issue "ca.example.net; account=1"
                     CAA   128 iodef "mailto:sec@example.com"
            ns1      A     192.0.2.53
                     AAAA  2001:db8::53
            mail     A     192.0.2.25
            WwW      CNAME @
            *.dyn    A     192.0.2.99
            _sip._tcp SRV  10 60 5060 sip
            sip      A     192.0.2.60
            old      DNAME new.example.net.
            pc       HINFO "PDP 11" UNIX
            dhcp     DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=
            odd\.label\$ TXT "dot and dollar in the label"
            \@at     TXT   at
            x\ y     TXT   space
            unk      TYPE65280 \# 4 00010203
            ds       DS    \# 4 01020304
            sub      NS    ns1.sub
            ns1.sub  A     192.0.2.54
            """;
        var origin = DnsName.Parse("example.com.");
        var first = ZoneFileReader.ReadText(zone, new ZoneFileOptions { Origin = origin, CheckZone = true });
        Assert.Equal(24, first.Count);
        var written = ZoneFileWriter.ToText(origin, first);
        var second = ZoneFileReader.ReadText(written, new ZoneFileOptions { Origin = origin, CheckZone = true });
        AssertSameRecords(first, second);
        Assert.Equal(written, ZoneFileWriter.ToText(origin, second));
    }

    [Fact]
    public void WriteFile_replaces_the_file_whole()
    {
        var path = Path.Combine(Path.GetTempPath(), "rdns-writer-" + Guid.NewGuid().ToString("N") + ".zone");
        try
        {
            File.WriteAllText(path, "old content that is longer than the new zone will be ............................................................................................................");
            var records = new[] { Soa(), R("1", 60, RecordType.PTR, "h.example.") };
            ZoneFileWriter.WriteFile(path, Origin, records);
            AssertSameRecords(records, ZoneFileReader.ReadFile(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Gen<ResourceRecord> RecordUnder(DnsName origin) =>
        from labels in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(RdataGenerators.Label, n))
        from ttl in Gen.Choose(0, int.MaxValue)
        from rdata in RdataGenerators.AnyRdata.Where(r => r.Type != RecordType.SOA)
        select new ResourceRecord(labels.Aggregate(origin, (name, label) => name.Prepend(label)), rdata.Type, (uint)ttl, rdata.Data);

    [Fact]
    public void Any_zone_written_reads_back_to_the_same_records()
    {
        var origin = DnsName.Parse("Zone.Example.");
        var zones = Gen.ListOf(RecordUnder(origin)).Select(rs => rs.Prepend(Soa(origin)).ToList());
        var property = Prop.ForAll(zones.ToArbitrary(), records =>
        {
            var text = ZoneFileWriter.ToText(origin, records);
            AssertSameRecords(records, ZoneFileReader.ReadText(text, new ZoneFileOptions { Origin = origin, CheckZone = true }));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
