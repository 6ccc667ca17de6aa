using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;

namespace Rdns.Protocol.Tests.Text;

/// <summary>
/// A zone file read straight into rows (<see cref="ZoneFileReader.ReadInto"/>, the import's path,
/// which makes no record objects and parses each RDATA in a buffer the thread reuses) holds
/// exactly the records a plain read returns, and fails as a plain read fails.
/// </summary>
public sealed class ZoneFileRowsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-rows-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ZoneFileOptions Options(long? max = null) =>
        new() { Origin = DnsName.Parse("2.0.192.in-addr.arpa."), CheckZone = true, AllowInclude = true, MaxRecords = max };

    // No $TTL: the SOA takes its MINIMUM, later records the previous TTL. Names inside RDATA at
    // the start, the middle and the end (MX, SRV, SOA), relative and absolute, escaped, the
    // origin itself; a generic \# RDATA; $GENERATE; a blank owner; an $INCLUDE with its origin.
    private const string Text = """
        @ SOA ns1.example.net. hostmaster ( 7 7200 3600 1209600 300 )
          NS ns1.example.net.
          NS @
        1 3600 IN PTR host-1.example.net.
        2 PTR host\.2.example.net.
          PTR second
        3 600 PTR x
        mx MX 10 mail.example.net.
        srv SRV 1 2 53 target
        txt TXT "a \"quoted\" text" more
        gen TYPE65280 \# 3 01 0203
        $GENERATE 10-14 $ PTR gen-$.example.net.
        9 PTR last.example.net.
        $INCLUDE part.zone sub
        10 PTR after-include.example.net.
        """;

    private string Write()
    {
        File.WriteAllText(Path.Combine(_dir, "part.zone"), "a PTR in-include.example.net.\nb 60 PTR b\n");
        var path = Path.Combine(_dir, "zone");
        File.WriteAllText(path, Text);
        return path;
    }

    private static List<string> Texts(IEnumerable<ResourceRecord> records) => records.Select(r => r.ToString()).ToList();

    /// <summary>Every record left in <paramref name="reader"/>, read into <paramref name="rows"/>.</summary>
    private static ZoneRows ReadAll(ZoneFileReader reader, ZoneRows rows)
    {
        while (reader.ReadInto(rows))
        {
        }
        return rows;
    }

    [Fact]
    public void Rows_read_straight_from_a_file_are_the_records_of_a_plain_read()
    {
        var path = Write();
        var plain = ZoneFileReader.ReadFile(path, Options());
        using var reader = ZoneFileReader.Open(path, Options());
        var rows = ReadAll(reader, new ZoneRows());
        Assert.Equal(20, plain.Count);
        Assert.Equal(Texts(plain), Texts(rows));
        Assert.Equal(plain.Select(r => Convert.ToHexString(r.Data)), rows.Select(r => Convert.ToHexString(r.Data)));
        Assert.Equal(20, reader.RecordCount);
        // What the rows hold, spelled out for a few: a name inside the RDATA, the SOA's TTL.
        Assert.Contains("srv.2.0.192.in-addr.arpa. 600 IN SRV 1 2 53 target.2.0.192.in-addr.arpa.", Texts(rows));
        Assert.Contains("2.2.0.192.in-addr.arpa. 3600 IN PTR second.2.0.192.in-addr.arpa.", Texts(rows));
        Assert.StartsWith("2.0.192.in-addr.arpa. 300 IN SOA ", Texts(rows)[0]);
        // The splitter's read of a small file is the same read.
        Assert.Equal(Texts(plain), Texts(ZoneFileSplitter.ReadRows(path, Options(), parts: 4)));
    }

    [Theory]
    [InlineData(5, 6, 5)]
    // $GENERATE is refused before it makes a record when its range would pass the limit.
    [InlineData(12, 12, 11)]
    public void Too_many_records_are_refused_at_the_same_line_as_a_plain_read(long max, int line, int kept)
    {
        var path = Write();
        var plain = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(path, Options(max)));
        using var reader = ZoneFileReader.Open(path, Options(max));
        var rows = new ZoneRows();
        var error = Assert.Throws<ZoneFileException>(() => ReadAll(reader, rows));
        Assert.True(error.TooManyRecords);
        Assert.Equal(plain.Message, error.Message);
        Assert.Equal(line, error.Line);
        Assert.Equal(kept, rows.Count);
    }

    [Theory]
    [InlineData("1 PTR bad..name.example.", "PTR ptrdname: 'bad..name.example.' is not a valid name (empty label)")]
    [InlineData("mx MX 10", "MX exchange: missing")]
    [InlineData("x.example.com. PTR y.example.", "out of zone")]
    public void A_bad_record_fails_as_in_a_plain_read_and_a_good_one_after_a_bad_name_still_reads(string bad, string problem)
    {
        var path = Path.Combine(_dir, "bad");
        File.WriteAllText(path, "@ 300 SOA ns1.example.net. hostmaster 1 2 3 4 5\n" + bad + "\n");
        var plain = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(path, Options()));
        using var reader = ZoneFileReader.Open(path, Options());
        var rows = new ZoneRows();
        var error = Assert.Throws<ZoneFileException>(() => ReadAll(reader, rows));
        Assert.Equal(plain.Message, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(2, error.Line);
        // The thread's RDATA buffer holds nothing of the failed record for the next one.
        Assert.Equal("host.example.", Rdata.ToText(Protocol.Wire.RecordType.PTR, RdataParser.Parse(Protocol.Wire.RecordType.PTR, "host.example.")));
    }
}
