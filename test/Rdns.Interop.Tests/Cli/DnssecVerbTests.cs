using System.Net.Http.Headers;
using System.Text;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>`./rdns dnssec enable|show|ds|rollover|disable` against a running server, as an operator would sign a zone and hand its DS to the RIR.</summary>
public sealed class DnssecVerbTests : IAsyncLifetime
{
    private const string Zone = "2.0.192.in-addr.arpa";
    private RdnsServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RdnsServer.StartAsync(null, []);
        using var http = new HttpClient { BaseAddress = _server.Http };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminKey);
        using var response = await http.PostAsync("/v1/zones", new StringContent("""{"prefix":"192.0.2.0/24"}""", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<ProcessResult> Rdns(params string[] args) =>
        RdnsProcess.RunAsync(["dnssec", .. args, "--api", _server.Http!.ToString(), "--key", _server.AdminKey]);

    [Fact]
    public async Task An_operator_signs_a_zone_prints_its_ds_and_turns_signing_off()
    {
        var enable = await Rdns("enable", Zone, "--keys", "ksk-zsk");
        Assert.True(enable.ExitCode == 0, enable.ToString());
        Assert.StartsWith($"{Zone}.\tsigned\talgorithm 13\tksk-zsk\tcompact\trollover none", enable.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, enable.StdoutLines.Count(l => l.StartsWith("key ", StringComparison.Ordinal)));

        var ds = await Rdns("ds", Zone);
        var line = Assert.Single(ds.StdoutLines);
        Assert.Matches($@"^{Zone.Replace(".", "\\.", StringComparison.Ordinal)}\. IN DS \d+ 13 2 [0-9A-F]{{64}}$", line);
        // The DNSKEY the DS points at is in the zone, as dig sees it.
        var dnskey = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig")!, ["@127.0.0.1", "-p", _server.Dns.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+short", Zone, "DNSKEY"],
            TimeSpan.FromSeconds(10));
        Assert.Contains(dnskey.StdoutLines, l => l.StartsWith("257 3 13 ", StringComparison.Ordinal));

        var roll = await Rdns("rollover", Zone, "zsk");
        Assert.True(roll.ExitCode == 0, roll.ToString());
        Assert.Contains("rollover zsk", roll.Stdout, StringComparison.Ordinal);

        var refused = await Rdns("rollover", Zone, "csk");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("rollover_refused", refused.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await Rdns("disable", Zone)).ExitCode);
        Assert.Equal($"{Zone}.\tunsigned", Assert.Single((await Rdns("show", Zone)).StdoutLines));
        var bad = await Rdns("enable", Zone, "--algorithm", "8");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("algorithm 8 is not supported", bad.Stderr, StringComparison.Ordinal);
    }
}
