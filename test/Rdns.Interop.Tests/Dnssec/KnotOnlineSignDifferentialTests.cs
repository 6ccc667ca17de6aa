using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;
using Xunit.Abstractions;

namespace Rdns.Interop.Tests.Dnssec;

/// <summary>
/// The same zone signed online by Rdns and by Knot DNS's <c>mod-onlinesign</c>, each behind its own
/// validating Unbound anchored at that server's key: every question validates alike (AD, the same
/// answer records but for each server's own key and serial, the same RCODE: both deny a missing
/// name with NOERROR and one NSEC, Rdns by RFC 9824, Knot 3.2 by its own minimal NSEC). The
/// response sizes are written to the test output side by side.
/// </summary>
public sealed partial class KnotOnlineSignDifferentialTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Zone = "2.0.192.in-addr.arpa.";
    private const string ZoneText = """
        $ORIGIN 2.0.192.in-addr.arpa.
        $TTL 3600
        @ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300
        @ NS ns1.example.net.
        1 PTR one.example.net.
        2 PTR two.example.net.
        2 TXT "rack 2"
        3 PTR Three.Example.NET.
        3 PTR three-alias.example.net.
        """;

    private string _folder = null!;
    private RdnsServer _rdns = null!;
    private KnotDaemon _knot = null!;
    private UnboundResolver _viaRdns = null!;
    private UnboundResolver _viaKnot = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-onlinesign-").FullName;
        var zones = Directory.CreateDirectory(Path.Combine(_folder, "zones")).FullName;
        await File.WriteAllTextAsync(Path.Combine(zones, Zone + "zone"), ZoneText);
        _rdns = await RdnsServer.StartAsync(null, ["--zones", zones]);
        using (var http = new HttpClient { BaseAddress = _rdns.Http })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _rdns.AdminKey);
            using var enabled = await http.PostAsync($"/v1/zones/{Zone}/dnssec", new StringContent("""{"algorithm":13}""", Encoding.UTF8, "application/json"));
            Assert.True(enabled.IsSuccessStatusCode, await enabled.Content.ReadAsStringAsync());
        }
        _knot = await KnotDaemon.StartAsync(new Dictionary<string, string> { [Zone] = ZoneText }, onlineSign: true);
        _viaRdns = await UnboundResolver.StartAsync(_rdns.Dns.Port, new Dictionary<string, IReadOnlyList<string>> { [Zone] = await KeysAsync(_rdns.Dns.Port) });
        _viaKnot = await UnboundResolver.StartAsync(_knot.Port, new Dictionary<string, IReadOnlyList<string>> { [Zone] = await KeysAsync(_knot.Port) });
    }

    public async Task DisposeAsync()
    {
        await _viaRdns.DisposeAsync();
        await _viaKnot.DisposeAsync();
        await _knot.DisposeAsync();
        await _rdns.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The server's key-signing DNSKEY records as trust anchors (Unbound takes a DNSKEY as well as a DS).</summary>
    private static async Task<IReadOnlyList<string>> KeysAsync(int port)
    {
        var answer = await KdigAnswer.AskAsync(port, Zone, "DNSKEY");
        var keys = answer.OfType("DNSKEY").Where(r => r.Contains("DNSKEY\t257 ", StringComparison.Ordinal) || r.Contains("DNSKEY 257 ", StringComparison.Ordinal))
            .Select(r => Regex.Replace(r, @"\s+", " ")).ToList();
        Assert.True(keys.Count > 0, answer.Text);
        return keys;
    }

    private static int Size(KdigAnswer answer) =>
        Received().Match(answer.Text) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@";; Received (\d+) B")]
    private static partial Regex Received();

    private static IEnumerable<string> AnswerData(KdigAnswer answer, string type) =>
        answer.OfType(type).Select(r => r.Split((char[])[' ', '\t'], 5, StringSplitOptions.RemoveEmptyEntries)[4].ToLowerInvariant()).Order(StringComparer.Ordinal);

    [Theory]
    [InlineData("1", "PTR", "hit")]
    [InlineData("3", "PTR", "hit, two records")]
    [InlineData("2", "TXT", "hit, another type")]
    [InlineData("1", "TXT", "NODATA")]
    [InlineData("", "SOA", "apex SOA")]
    [InlineData("", "DNSKEY", "DNSKEY")]
    [InlineData("9", "PTR", "missing name")]
    [InlineData("9.9", "PTR", "missing name two labels down")]
    public async Task Both_validate_alike(string label, string type, string what)
    {
        string name = label.Length == 0 ? Zone : $"{label}.{Zone}";
        var rdns = await KdigAnswer.AskAsync(_viaRdns.Port, name, type);
        var knot = await KdigAnswer.AskAsync(_viaKnot.Port, name, type);
        Assert.True(rdns.Authenticated && knot.Authenticated, $"{what}: AD from both\n--- via rdns\n{rdns.Text}\n--- via knot\n{knot.Text}");
        // Each server has its own key, and Rdns moved the serial when signing was enabled.
        if (type is "SOA" or "DNSKEY")
            Assert.Equal(AnswerData(knot, type).Count(), AnswerData(rdns, type).Count());
        else
            Assert.Equal(AnswerData(knot, type), AnswerData(rdns, type));
        Assert.Equal(knot.Status, rdns.Status);

        var fromRdns = await KdigAnswer.AskAsync(_rdns.Dns.Port, name, type);
        var fromKnot = await KdigAnswer.AskAsync(_knot.Port, name, type);
        output.WriteLine($"{what} ({name} {type}): Rdns {fromRdns.Status} {Size(fromRdns)} B, Knot onlinesign {fromKnot.Status} {Size(fromKnot)} B");
    }
}
