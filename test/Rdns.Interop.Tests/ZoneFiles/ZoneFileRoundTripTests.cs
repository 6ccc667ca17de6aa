using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using Xunit.Abstractions;

namespace Rdns.Interop.Tests.ZoneFiles;

/// <summary>
/// Our zone-file reader and writer against BIND's: each zone is read by us and by named-checkzone
/// (which must agree, $GENERATE included), written by us, accepted by named-checkzone with its
/// integrity checks, read by BIND and by us again, and must still be the same records.
/// </summary>
public sealed class ZoneFileRoundTripTests(ITestOutputHelper output) : IDisposable
{
    internal static readonly string ZonesDirectory = Path.Combine(AppContext.BaseDirectory, "TestData", "zones");

    private readonly string _work = Directory.CreateTempSubdirectory("rdns-zonefiles-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("2.0.192.in-addr.arpa")]
    [InlineData("64-127.2.0.192.in-addr.arpa")]
    [InlineData("8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("example.com")]
    [InlineData("100.51.198.in-addr.arpa")]
    public void Test_zone_round_trips_through_our_writer_and_named_checkzone(string zone)
    {
        var records = RoundTrip(zone, Path.Combine(ZonesDirectory, zone + ".zone"));
        Assert.True(records.Count > 3, "a test zone holds more than its SOA and NS records");
    }

    [Fact]
    public void Every_zone_file_in_the_test_data_is_named_for_its_zone_and_round_tripped()
    {
        var files = Directory.GetFiles(ZonesDirectory, "*.zone").Select(f => Path.GetFileName(f)).Order().ToList();
        var tested = typeof(ZoneFileRoundTripTests).GetMethod(nameof(Test_zone_round_trips_through_our_writer_and_named_checkzone))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0] + ".zone").Order().ToList();
        Assert.Equal(tested, files);
        foreach (var file in files)
        {
            var zone = DnsName.Parse(file[..^"zone".Length]);
            var soa = ZoneFileReader.ReadFile(Path.Combine(ZonesDirectory, file)).First();
            Assert.Equal(RecordType.SOA, soa.Type);
            Assert.Equal(zone, soa.Owner);
        }
    }

    [Fact]
    public void A_generated_100000_record_reverse_zone_round_trips()
    {
        var clock = Stopwatch.StartNew();
        var path = Path.Combine(_work, "source-10.in-addr.arpa.zone");
        WriteLargeReverseZone(path, 100_000);
        var records = RoundTrip("10.in-addr.arpa", path);
        Assert.Equal(100_000 + 3, records.Count);
        Assert.Equal("host-10-1-134-159.example.net.",
            Rdata.ReadName(records.Single(r => r.Owner == DnsName.Parse("159.134.1.10.in-addr.arpa.")).Data).ToString());
        output.WriteLine($"100,000-record round trip took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// Deterministic: address 10.0.0.0 + i gets host-10-a-b-c.example.net., every tenth record a
    /// TTL of its own, and the names written relative to a $ORIGIN per /16 as a person would.
    /// </summary>
    private static void WriteLargeReverseZone(string path, int count)
    {
        var sb = new StringBuilder(count * 48);
        sb.Append("$ORIGIN 10.in-addr.arpa.\n$TTL 3600\n")
          .Append("@ SOA ns1.example.net. hostmaster.example.net. 1 2h 30m 2w 300\n")
          .Append("  NS ns1.example.net.\n  NS ns2.example.net.\n");
        int currentB = -1;
        for (int i = 0; i < count; i++)
        {
            int b = (i >> 16) & 255, c = (i >> 8) & 255, d = i & 255;
            if (b != currentB)
            {
                sb.Append(CultureInfo.InvariantCulture, $"$ORIGIN {b}.10.in-addr.arpa.\n");
                currentB = b;
            }
            sb.Append(CultureInfo.InvariantCulture, $"{d}.{c}");
            if (i % 10 == 0)
                sb.Append(CultureInfo.InvariantCulture, $" {600 + i % 7}");
            sb.Append(CultureInfo.InvariantCulture, $" PTR host-10-{b}-{c}-{d}.example.net.\n");
        }
        File.WriteAllText(path, sb.ToString());
    }

    private List<ResourceRecord> RoundTrip(string zone, string source)
    {
        var origin = DnsName.Parse(zone + ".");
        var options = new ZoneFileOptions { Origin = origin, CheckZone = true };
        var ours = ZoneFileReader.ReadFile(source, options);

        // BIND reads the source as we do.
        var bindSource = Path.Combine(_work, zone + ".bind-source");
        NamedCheckzone.CheckAndDump(zone, source, bindSource);
        AssertSame(ours, ZoneFileReader.ReadFile(bindSource, options), "BIND's reading of the source");

        // Our writer's file passes BIND's checks and BIND reads it as the same records.
        var written = Path.Combine(_work, zone + ".zone");
        ZoneFileWriter.WriteFile(written, origin, ours);
        var bindWritten = Path.Combine(_work, zone + ".bind-written");
        NamedCheckzone.CheckAndDump(zone, written, bindWritten);
        AssertSame(ours, ZoneFileReader.ReadFile(bindWritten, options), "BIND's reading of our file");

        // And we read our own file back as the same records.
        AssertSame(ours, ZoneFileReader.ReadFile(written, options), "our reading of our file");
        return ours;
    }

    /// <summary>
    /// The same records, octet for octet: case in names counts too. (BIND prints a node's name in
    /// the case it first met, so the test zones spell each name one way throughout.)
    /// </summary>
    private static void AssertSame(List<ResourceRecord> expected, List<ResourceRecord> actual, string what)
    {
        var e = Exact(expected);
        var a = Exact(actual);
        var missing = e.Except(a).Take(5).ToList();
        var extra = a.Except(e).Take(5).ToList();
        Assert.True(e.SequenceEqual(a),
            $"{what} differs: {e.Count} records vs {a.Count}\nmissing:\n  {string.Join("\n  ", missing)}\nextra:\n  {string.Join("\n  ", extra)}");
    }

    private static List<string> Exact(IEnumerable<ResourceRecord> records) =>
        records.Select(r => $"{r.Owner} {r.Ttl} {r.Class} {RecordTypeText.ToText(r.Type)} {Convert.ToHexString(r.Data)}")
            .Order(StringComparer.Ordinal).ToList();
}
