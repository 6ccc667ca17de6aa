using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Transfers;

/// <summary>
/// An AXFR of tens of thousands of records spans many messages; kdig, an independent parser,
/// must read back exactly the zone (compressed names included), before and after changes that
/// sit in the patch over the compact table; and the stream must be no larger than Knot's for the
/// same zone (names compressed as well as Knot compresses them).
/// </summary>
public sealed partial class LargeAxfrTests : IAsyncLifetime
{
    private const string Zone = "16.172.in-addr.arpa.";
    private const int Records = 30_000;
    private string _zones = null!;
    private RdnsServer _server = null!;

    public async Task InitializeAsync()
    {
        _zones = Directory.CreateTempSubdirectory("rdns-large-axfr-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_zones, Zone + "zone"), ZoneText());
        _server = await RdnsServer.StartAsync(null, ["--zones", _zones, "--secondary", "127.0.0.1:9"]);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_server.FailureLines());
        await _server.DisposeAsync();
        Directory.Delete(_zones, recursive: true);
    }

    /// <summary>Tenants' names (many suffixes), an operator's (one suffix), IDN, several TTLs, and a few records that are not PTRs.</summary>
    private static string ZoneText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"$ORIGIN {Zone}\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 3600 600 86400 300\n");
        text.Append("@ NS ns1.example.net.\n@ NS ns2.example.org.\n@ TXT \"reverse zone of 172.16/16\"\n5.5 TXT \"beside nothing\"\n");
        string[] tlds = ["de.", "co.uk.", "net.", "xn--p1ai.", "example."];
        for (int i = 0; i < Records; i++)
        {
            string target = (i % 3) switch
            {
                0 => $"host-{i}.cust{i % 97}.example.net.",
                1 => $"smtp{i % 9}.tenant{i * 7919 % 5003}.{tlds[i % tlds.Length]}",
                _ => $"mail.xn--mnchen-3ya{i % 13}.de.",
            };
            int ttl = i % 4 == 0 ? 60 : 3600;
            if (i / 256 % 256 == 5 && i % 256 == 5)
                continue; // 5.5 holds the TXT
            text.Append(CultureInfo.InvariantCulture, $"{i % 256}.{i / 256 % 256} {ttl} PTR {target}\n");
        }
        return text.ToString();
    }

    /// <summary>The zone by kdig: its records as normalized lines (the closing SOA left out), and kdig's summary.</summary>
    internal static async Task<(HashSet<string> Records, int Count, long Octets, int Messages)> AxfrAsync(int port, string? tsig = null, string zone = Zone)
    {
        string kdig = ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig is not installed (./test.sh installs knot-dnsutils)");
        string[] arguments = ["@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "+nocomments", "+noidn", zone, "AXFR"];
        if (tsig is not null)
            arguments = ["-y", tsig, .. arguments];
        var r = await ProcessRunner.RunAsync(kdig, arguments, TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdoutLines.Where(l => l.Length > 0 && l[0] != ';').Select(Normalize).Where(l => !l.Contains(" any tsig ", StringComparison.Ordinal)).ToList();
        var summary = Summary().Match(r.Stdout);
        Assert.True(summary.Success, r.ToString());
        return (lines.Take(lines.Count - 1).ToHashSet(), lines.Count,
            long.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static string Normalize(string line) => string.Join(' ', line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    [GeneratedRegex(@";; Received (\d+) B \((\d+) messages?, \d+ records?\)")]
    private static partial Regex Summary();

    [Fact]
    public async Task Kdig_reads_back_the_whole_zone_before_and_after_changes_and_it_is_no_larger_than_knots()
    {
        var first = await AxfrAsync(_server.Dns.Port);
        // SOA, 3 apex records, the TXT, every PTR but the one at 5.5, SOA again.
        Assert.Equal(1 + 3 + 1 + (Records - 1) + 1, first.Count);
        Assert.True(first.Messages > 1, $"{first.Messages} messages");
        Assert.Contains("0.0.16.172.in-addr.arpa. 60 in ptr host-0.cust0.example.net.", first.Records);
        Assert.Contains("1.0.16.172.in-addr.arpa. 3600 in ptr smtp1.tenant2916.co.uk.", first.Records);
        Assert.Contains("5.5.16.172.in-addr.arpa. 3600 in txt \"beside nothing\"", first.Records);

        // Knot serves the same file; its stream is the yardstick for size.
        var key = new KnotKey("axfr-size", "hmac-sha256", Convert.ToBase64String(TsigKey.Generate(Protocol.Names.DnsName.Parse("axfr-size."), TsigAlgorithm.HmacSha256).Secret));
        await using (var knot = await KnotDaemon.StartAsync(new Dictionary<string, string> { [Zone] = ZoneText() }, [key]))
        {
            var knotAxfr = await AxfrAsync(knot.Port, $"hmac-sha256:{key.Name}:{key.Secret}");
            Assert.Equal(first.Records, knotAxfr.Records);
            Assert.True(first.Octets <= knotAxfr.Octets, $"Rdns sent {first.Octets} octets in {first.Messages} messages, Knot {knotAxfr.Octets} in {knotAxfr.Messages}");
        }

        // Changes that live in the patch over the compact table: a replacement, a removal, an
        // address before the first and one after the last.
        using var http = new HttpClient { BaseAddress = _server.Http };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _server.AdminKey);
        await Send(http, HttpMethod.Put, "/v1/ptr/172.16.0.1", """{"ptrdname":"renamed.example.com"}""");
        await Send(http, HttpMethod.Delete, "/v1/ptr/172.16.0.2", null);
        await Send(http, HttpMethod.Put, "/v1/ptr/172.16.255.255", """{"ptrdname":"last.example.com"}""");
        var after = await AxfrAsync(_server.Dns.Port);
        Assert.Contains(after.Records, l => l.StartsWith("1.0.16.172.in-addr.arpa. ", StringComparison.Ordinal) && l.EndsWith(" ptr renamed.example.com.", StringComparison.Ordinal));
        Assert.DoesNotContain(after.Records, l => l.StartsWith("2.0.16.172.in-addr.arpa. ", StringComparison.Ordinal));
        Assert.Contains(after.Records, l => l.StartsWith("255.255.16.172.in-addr.arpa. ", StringComparison.Ordinal) && l.EndsWith(" ptr last.example.com.", StringComparison.Ordinal));
        Assert.Equal(first.Count + 1 - 1, after.Count);
        // Everything else is unchanged.
        var untouched = first.Records.Where(l => !l.Contains(" soa ", StringComparison.Ordinal) && !l.StartsWith("1.0.16.172.", StringComparison.Ordinal) && !l.StartsWith("2.0.16.172.", StringComparison.Ordinal));
        Assert.Empty(untouched.Except(after.Records));
    }

    private static async Task Send(HttpClient http, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
