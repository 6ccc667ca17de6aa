using Microsoft.Extensions.DependencyInjection;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Api.Tests;

/// <summary>
/// <c>rdns serve --zones DIR</c> reads each file into rows as it parses it and hands the rows to
/// the zone builder and the store's bulk insert: what is stored and served must be exactly what
/// reading the file into records gives, and a bad file must stop the start with its line and
/// leave the store as it was.
/// </summary>
public sealed class ZoneFileImportTests : IDisposable
{
    private readonly string _zones = Directory.CreateTempSubdirectory("rdns-zones-").FullName;
    private readonly string _data = Directory.CreateTempSubdirectory("rdns-data-").FullName;

    public void Dispose()
    {
        Directory.Delete(_zones, recursive: true);
        Directory.Delete(_data, recursive: true);
    }

    private const string V4Zone = """
        $TTL 1h
        ; a comment line, then a multi-line SOA
        @   IN SOA ns1.example.net. hostmaster.example.net. (
                2026010101 ; serial
                7200 3600 1209600 300 )
            IN NS  ns1.example.net.
            IN NS  NS2.Example.Net.
        1       PTR host-1.example.net.
        2   300 PTR Host-2.Example.NET.
        2       PTR second-name.example.org.
        3   IN  TXT "a quoted ; semicolon" "and (parentheses)"
        3       PTR three.example.
        $ORIGIN sub.2.0.192.in-addr.arpa.
        www     A    192.0.2.80
                AAAA 2001:db8::80
        $ORIGIN 2.0.192.in-addr.arpa.
        64-26   NS   ns.customer.example.
        65      CNAME 65.64-26
        $GENERATE 100-140 $ PTR dyn-$.example.net.
        Mixed.Case.Label 60 IN MX 10 mail.example.net.
        """;

    private const string V6Zone = """
        $ORIGIN 0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.
        $TTL 86400
        @ SOA ns1.example.net. hostmaster.example.net. 7 7200 3600 1209600 300
        @ NS ns1.example.net.
        1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR one.example.net.
        f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR edge1.tenant.xn--mnchen-3ya.de.
        """;

    private string Write(string zone, string text)
    {
        var path = Path.Combine(_zones, zone + "zone");
        File.WriteAllText(path, text);
        return path;
    }

    private static ZoneFileOptions Options(string zone) => new() { Origin = DnsName.Parse(zone), CheckZone = true };

    private static List<string> Texts(IEnumerable<ResourceRecord> records) => records.Select(r => r.ToString()).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Zone_files_are_stored_and_served_exactly_as_reading_them_into_records_gives()
    {
        var files = new Dictionary<string, string>
        {
            ["2.0.192.in-addr.arpa."] = Write("2.0.192.in-addr.arpa.", V4Zone),
            ["0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."] = Write("0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", V6Zone),
        };
        await using (var api = await ApiHost.StartAsync(_zones, dataDirectory: _data))
        {
            var store = api.Services.GetRequiredService<IRdnsStore>();
            var served = api.Services.GetRequiredService<ServedZones>();
            foreach (var (zone, path) in files)
            {
                var records = ZoneFileReader.ReadFile(path, Options(zone));
                var stored = await store.LoadAsync(DnsName.Parse(zone));
                Assert.NotNull(stored);
                // Every record as the file has it: owner case, TTLs, RDATA; $TTL, $ORIGIN, blank
                // owners and $GENERATE applied.
                Assert.Equal(Texts(records), Texts(stored.Records));
                var expected = ZoneSnapshot.Build(DnsName.Parse(zone), records);
                var snapshot = served.Current.Get(DnsName.Parse(zone));
                Assert.NotNull(snapshot);
                Assert.Equal(Texts(expected.Records()), Texts(snapshot.Records()));
                Assert.Equal(expected.CompactCount, snapshot.CompactCount);
            }
            Assert.Equal(54, ZoneFileReader.ReadFile(files["2.0.192.in-addr.arpa."], Options("2.0.192.in-addr.arpa.")).Count);
        }
        // A restart on the same directory changes nothing: the same serial, the same rows.
        await using (var again = await ApiHost.StartAsync(_zones, dataDirectory: _data))
        {
            var stored = await again.Services.GetRequiredService<IRdnsStore>().LoadAsync(DnsName.Parse("2.0.192.in-addr.arpa."));
            Assert.Equal(2026010101u, stored!.Serial);
        }
    }

    [Theory]
    [InlineData("7 PTR", 3, "PTR")]                                   // RDATA missing
    [InlineData("7 IN A 192.0.2.300", 3, "192.0.2.300")]              // a bad address
    [InlineData("$INCLUDE /etc/passwd", 3, "$INCLUDE is not allowed")] // no file reads from a zone file
    [InlineData("www.example.com. PTR x.example.", 3, "out of zone")] // outside the zone
    public async Task A_bad_zone_file_stops_the_start_with_its_line_and_leaves_the_store_as_it_was(string bad, int line, string problem)
    {
        const string zone = "2.0.192.in-addr.arpa.";
        var path = Write(zone, V4Zone);
        List<string> before;
        await using (var api = await ApiHost.StartAsync(_zones, dataDirectory: _data))
            before = Texts((await api.Services.GetRequiredService<IRdnsStore>().LoadAsync(DnsName.Parse(zone)))!.Records);

        // The zone changed, serial and all, but line 3 is broken (after 1,000 good PTRs further on).
        var lines = V4Zone.Replace("2026010101", "2026010102").Split('\n').ToList();
        lines.Insert(2, bad);
        lines.AddRange(Enumerable.Range(0, 1000).Select(i => $"{i % 256}.{i / 256}.x PTR bulk-{i}.example.net."));
        File.WriteAllText(path, string.Join('\n', lines));
        var e = await Assert.ThrowsAsync<ZoneFileException>(() => ApiHost.StartAsync(_zones, dataDirectory: _data));
        Assert.Equal(path, e.FileName);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);

        await using var after = await ApiHost.StartAsync(dataDirectory: _data);
        var stored = await after.Services.GetRequiredService<IRdnsStore>().LoadAsync(DnsName.Parse(zone));
        Assert.Equal(2026010101u, stored!.Serial);
        Assert.Equal(before, Texts(stored.Records));
    }

    [Fact]
    public async Task A_zone_file_that_is_not_a_valid_zone_is_refused_and_nothing_of_it_is_stored()
    {
        // Parses, but a CNAME beside other data is not a zone (RFC 1034 §3.6.2).
        var path = Write("2.0.192.in-addr.arpa.", V4Zone + "\n3 CNAME elsewhere.example.\n");
        var e = await Assert.ThrowsAsync<ZoneFileException>(() => ApiHost.StartAsync(_zones, dataDirectory: _data));
        Assert.Equal(path, e.FileName);
        Assert.Contains("CNAME and other data", e.Message);

        File.Delete(path);
        await using var after = await ApiHost.StartAsync(dataDirectory: _data);
        Assert.Null(await after.Services.GetRequiredService<IRdnsStore>().LoadAsync(DnsName.Parse("2.0.192.in-addr.arpa.")));
    }
}
