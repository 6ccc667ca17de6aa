using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;

namespace Rdns.Protocol.Tests.Text;

/// <summary>
/// A large zone file read in pieces on several threads gives exactly what one plain read gives:
/// the same records in the same order, and for a bad file the same error on the same line.
/// </summary>
public sealed class ZoneFileSplitterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-split-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly ZoneFileOptions Options = new() { Origin = DnsName.Parse("10.in-addr.arpa."), CheckZone = true };

    /// <summary>More than <see cref="ZoneFileSplitter.SplitFrom"/> octets of varied entries; <paramref name="at"/> puts extra lines in the middle.</summary>
    private string Write(string head, Func<int, string?>? at = null, int lines = 140_000)
    {
        var text = new StringBuilder(head);
        for (int i = 0; i < lines; i++)
        {
            if (at?.Invoke(i) is { } extra)
                text.Append(extra).Append('\n');
            string owner = $"{i & 0xFF}.{(i >> 8) & 0xFF}.{i >> 16}";
            text.Append((i % 97) switch
            {
                // A record over several lines, with a comment and parentheses inside quotes.
                0 => $"txt{i} TXT ( \"a (quoted) ; text\"\n    \"second line\" ; a comment\n  )\n",
                1 => $"{owner} PTR host-{i}.example.net.\n   PTR second-{i}.example.net.\n",
                2 => $"; a comment line\n{owner}\t300\tIN\tPTR\tHost-{i}.Example.NET.\n",
                3 => $"\n{owner} PTR escaped\\.dot-{i}.example.\n",
                _ => $"{owner} PTR edge{i % 9}.tenant{i}.example.\n",
            });
        }
        var path = Path.Combine(_dir, "10.in-addr.arpa.zone");
        File.WriteAllText(path, text.ToString());
        Assert.True(new FileInfo(path).Length > ZoneFileSplitter.SplitFrom);
        return path;
    }

    private const string Head = """
        $ORIGIN 10.in-addr.arpa.
        $TTL 1h
        @ SOA ns1.example.net. hostmaster.example.net. (
              1 7200 3600 1209600 300 )
          NS ns1.example.net.
        $ORIGIN sub.10.in-addr.arpa.
        www A 192.0.2.1
        $ORIGIN 10.in-addr.arpa.
        $TTL 2h

        """;

    private static List<string> Texts(IEnumerable<ResourceRecord> records) => records.Select(r => r.ToString()).ToList();

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void A_file_read_in_pieces_gives_the_records_of_one_plain_read_in_order(int parts)
    {
        var path = Write(Head);
        var plain = ZoneFileReader.ReadFile(path, Options);
        var rows = ZoneFileSplitter.ReadRows(path, Options, parts, out int read);
        Assert.Equal(parts, read);
        Assert.Equal(plain.Count, rows.Count);
        Assert.Equal(Texts(plain), Texts(rows));
        // The $TTL and $ORIGIN of the head hold in every piece.
        Assert.All(rows.Skip(plain.Count - 10), r => Assert.True(r.Ttl == 7200 || r.Ttl == 300, r.ToString()));
    }

    [Theory]
    [InlineData(20_000, "1.2.3 PTR")]                    // near the start: in the first piece
    [InlineData(100_000, "1.2.3 IN A 192.0.2.300")]     // further on: in a later piece
    [InlineData(139_000, "www.example.com. PTR x.example.")]
    public void An_error_anywhere_is_the_error_of_a_plain_read(int line, string bad)
    {
        var path = Write(Head, i => i == line ? bad : null);
        var plain = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(path, Options));
        var split = Assert.Throws<ZoneFileException>(() => ZoneFileSplitter.ReadRows(path, Options, 4));
        Assert.Equal(plain.Message, split.Message);
        Assert.Equal(plain.Line, split.Line);
        Assert.True(split.Line > 1000);
    }

    [Fact]
    public void A_file_with_directives_further_on_or_without_ttl_reads_as_a_plain_read()
    {
        // A $TTL and an $ORIGIN after the first cut, so the file is not split.
        var late = Write(Head, i => i == 100_000 ? "$TTL 5m\n$ORIGIN 10.in-addr.arpa." : null);
        Assert.Equal(Texts(ZoneFileReader.ReadFile(late, Options)), Texts(ZoneFileSplitter.ReadRows(late, Options, 4, out int read)));
        Assert.Equal(1, read);
        Assert.Contains(ZoneFileSplitter.ReadRows(late, Options, 4), r => r.Ttl == 300 && r.Type == Rdns.Protocol.Wire.RecordType.PTR);

        // No $TTL: a record without a TTL takes the previous record's, which may lie in another piece.
        var noTtl = Write("@ 3600 SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300\n@ NS ns1.example.net.\n",
            i => i % 50_000 == 1 ? $"ttl{i} {i} TXT \"sets the TTL\"" : null);
        Assert.Equal(Texts(ZoneFileReader.ReadFile(noTtl, Options)), Texts(ZoneFileSplitter.ReadRows(noTtl, Options, 4, out read)));
        Assert.Equal(1, read);
    }

    [Fact]
    public void Too_many_records_is_refused_on_the_same_line_as_a_plain_read()
    {
        var path = Write(Head);
        var limited = Options with { MaxRecords = 120_000 };
        var plain = Assert.Throws<ZoneFileException>(() => ZoneFileReader.ReadFile(path, limited));
        var split = Assert.Throws<ZoneFileException>(() => ZoneFileSplitter.ReadRows(path, limited, 4));
        Assert.True(split.TooManyRecords);
        Assert.Equal(plain.Message, split.Message);
    }
}
