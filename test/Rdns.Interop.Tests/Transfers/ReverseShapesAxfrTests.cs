using System.Globalization;
using System.Text;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Transfers;

/// <summary>
/// The transfer writer's shortcuts (an owner under the last one's parent, a target's numbered
/// suffix) on the other shapes of reverse zone: an IPv6 nibble zone whose addresses are spread
/// over a /48 with dense runs among them, and an RFC 2317 classless child. kdig, an independent
/// parser, must read from Rdns exactly the records it reads from Knot serving the same files, and
/// Rdns's stream must be no larger.
/// </summary>
public sealed class ReverseShapesAxfrTests : IAsyncLifetime
{
    private const string Nibble = "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
    private const string Classless = "64-26.2.0.192.in-addr.arpa.";
    private string _zones = null!;
    private RdnsServer _server = null!;

    public async Task InitializeAsync()
    {
        _zones = Directory.CreateTempSubdirectory("rdns-shapes-axfr-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_zones, Nibble + "zone"), NibbleText());
        await File.WriteAllTextAsync(Path.Combine(_zones, Classless + "zone"), ClasslessText());
        _server = await RdnsServer.StartAsync(null, ["--zones", _zones, "--secondary", "127.0.0.1:9"]);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_server.FailureLines());
        await _server.DisposeAsync();
        Directory.Delete(_zones, recursive: true);
    }

    private static string Apex(string zone) =>
        $"$ORIGIN {zone}\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 3600 600 86400 300\n@ NS ns1.example.net.\n";

    /// <summary>
    /// 12,000 addresses of a /48: scattered 80-bit interface IDs, and runs of consecutive ones
    /// (owners that share all but their first nibble, then a carry into the next); targets that
    /// share suffixes, that do not, that name other addresses of the zone, and one-label ones.
    /// </summary>
    private static string NibbleText()
    {
        var text = new StringBuilder(Apex(Nibble));
        var seen = new HashSet<UInt128>();
        ulong state = 0x2545F4914F6CDD1D;
        for (int i = 0; i < 12_000; i++)
        {
            UInt128 host;
            if (i % 3 == 0)
            {
                host = (UInt128)(0xABCD00 + i / 3);
            }
            else
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                host = ((UInt128)(state & 0xFFFF) << 64) | (state * 0x9E3779B97F4A7C15);
            }
            if (!seen.Add(host))
                continue;
            var owner = new StringBuilder();
            for (int n = 0; n < 20; n++)
                owner.Append(CultureInfo.InvariantCulture, $"{(int)((host >> (4 * n)) & 0xF):x}.");
            string target = (i % 5) switch
            {
                0 => $"host-{i}.v6.example.net.",
                1 => $"edge{i % 7}.tenant{i * 7919 % 4001}.example.",
                2 => $"{owner}{Nibble}",
                3 => $"single{i % 9}.",
                _ => $"cpe-{i}.dyn.Example.NET.",
            };
            text.Append(CultureInfo.InvariantCulture, $"{owner}{Nibble} {(i % 4 == 0 ? 60 : 3600)} PTR {target}\n");
        }
        return text.ToString();
    }

    /// <summary>The 62 hosts of 192.0.2.64/26, one label each below the child's apex.</summary>
    private static string ClasslessText()
    {
        var text = new StringBuilder(Apex(Classless));
        for (int h = 65; h < 127; h++)
            text.Append(CultureInfo.InvariantCulture, $"{h} PTR {(h % 2 == 0 ? $"host{h}.example.net." : $"mail.tenant{h % 5}.example.")}\n");
        return text.ToString();
    }

    [Theory]
    [InlineData(Nibble, 12_000 / 3 * 3)]
    [InlineData(Classless, 62)]
    public async Task Kdig_reads_from_Rdns_what_it_reads_from_Knot(string zone, int atLeast)
    {
        var rdns = await LargeAxfrTests.AxfrAsync(_server.Dns.Port, zone: zone);
        Assert.True(rdns.Count >= atLeast, $"{rdns.Count} records");
        var key = new KnotKey("axfr-shapes", "hmac-sha256", Convert.ToBase64String(TsigKey.Generate(Protocol.Names.DnsName.Parse("axfr-shapes."), TsigAlgorithm.HmacSha256).Secret));
        string text = zone == Nibble ? NibbleText() : ClasslessText();
        await using var knot = await KnotDaemon.StartAsync(new Dictionary<string, string> { [zone] = text }, [key]);
        var knotAxfr = await LargeAxfrTests.AxfrAsync(knot.Port, $"hmac-sha256:{key.Name}:{key.Secret}", zone);
        Assert.Equal(knotAxfr.Count, rdns.Count);
        Assert.Equal(knotAxfr.Records, rdns.Records);
        Assert.True(rdns.Octets <= knotAxfr.Octets, $"Rdns sent {rdns.Octets} octets in {rdns.Messages} messages, Knot {knotAxfr.Octets} in {knotAxfr.Messages}");
    }
}
