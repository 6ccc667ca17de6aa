using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Tsig;

/// <summary>
/// <c>./rdns tsig-keygen</c>: its output is a BIND key file that BIND's <c>dig -k</c> reads and
/// uses to sign a transfer request that knotd, configured with the same secret, accepts.
/// (kdig's <c>-k</c> reads only its own <c>alg:name:secret</c> form, and knotd its YAML.)
/// </summary>
public class TsigKeygenCliTests
{
    private const string Zone = "2.0.192.in-addr.arpa.";

    private static readonly Dictionary<string, string> Zones = new()
    {
        [Zone] = $"$ORIGIN {Zone}\n@ 3600 IN SOA ns.example. hostmaster.example. 1 3600 600 86400 300\n@ 3600 IN NS ns.example.\n1 3600 IN PTR host1.example.\n",
    };

    /// <summary>The algorithm and secret as the text states them, read without our own parser.</summary>
    private static (string Algorithm, string Secret) Fields(string keyText)
    {
        var algorithm = Regex.Match(keyText, @"^\s*algorithm ([a-z0-9-]+);$", RegexOptions.Multiline);
        var secret = Regex.Match(keyText, "^\\s*secret \"([A-Za-z0-9+/=]+)\";$", RegexOptions.Multiline);
        Assert.True(algorithm.Success && secret.Success, keyText);
        return (algorithm.Groups[1].Value, secret.Groups[1].Value);
    }

    private static async Task<ProcessResult> DigAxfrWithKeyFile(int port, string keyFile)
    {
        string dig = ProcessRunner.Find("dig")
            ?? throw new InvalidOperationException("dig is not installed (./test.sh installs bind9-dnsutils)");
        return await ProcessRunner.RunAsync(dig, ["@127.0.0.1", "-p", port.ToString(), "-k", keyFile, "+tries=1", "+time=5", Zone, "AXFR"], TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("hmac-sha1", 20)]
    [InlineData("hmac-sha256", 32)]
    [InlineData("hmac-sha384", 48)]
    [InlineData("hmac-sha512", 64)]
    public async Task A_generated_key_file_signs_a_transfer_that_knotd_accepts(string algorithm, int secretOctets)
    {
        var generated = await RdnsProcess.RunAsync("tsig-keygen", "xfr.2.0.192.in-addr.arpa", "--algorithm", algorithm);
        Assert.True(generated.ExitCode == 0, generated.ToString());
        Assert.Equal("", generated.Stderr);
        Assert.StartsWith("key \"xfr.2.0.192.in-addr.arpa\" {\n", generated.Stdout);
        var (alg, secret) = Fields(generated.Stdout);
        Assert.Equal(algorithm, alg);
        Assert.Equal(secretOctets, Convert.FromBase64String(secret).Length);
        var ours = Assert.Single(TsigKeyFile.Parse(generated.Stdout));
        Assert.Equal(secret, Convert.ToBase64String(ours.Secret));

        string keyFile = Path.Combine(Path.GetTempPath(), $"rdns-key-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(keyFile, generated.Stdout);
        try
        {
            await using var knot = await KnotDaemon.StartAsync(Zones, [new KnotKey("xfr.2.0.192.in-addr.arpa.", alg, secret)]);
            var result = await DigAxfrWithKeyFile(knot.Port, keyFile);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(";; XFR size: 4 records", result.Stdout);
            Assert.Matches(@"xfr\.2\.0\.192\.in-addr\.arpa\.\s+0\s+ANY\s+TSIG\s+" + Regex.Escape(algorithm) + @"\.\s.*\sNOERROR\s", result.Stdout);
            Assert.DoesNotContain("Couldn't verify", result.Stdout + result.Stderr);
            Assert.DoesNotContain("failed", result.Stdout + result.Stderr, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task Two_generated_keys_differ_and_knotd_refuses_one_it_was_not_given()
    {
        var first = await RdnsProcess.RunAsync("tsig-keygen", "xfr.example");
        var second = await RdnsProcess.RunAsync("tsig-keygen", "xfr.example");
        Assert.NotEqual(Fields(first.Stdout).Secret, Fields(second.Stdout).Secret);
        Assert.Equal("hmac-sha256", Fields(first.Stdout).Algorithm);

        string keyFile = Path.Combine(Path.GetTempPath(), $"rdns-key-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(keyFile, second.Stdout);
        try
        {
            await using var knot = await KnotDaemon.StartAsync(Zones, [new KnotKey("xfr.example.", "hmac-sha256", Fields(first.Stdout).Secret)]);
            var result = await DigAxfrWithKeyFile(knot.Port, keyFile);

            Assert.DoesNotContain(";; XFR size:", result.Stdout);
            Assert.Contains("BADSIG", result.Stdout + result.Stderr);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Theory]
    [InlineData(new[] { "tsig-keygen", "a..b" }, "rdns: a..b: not a key name: empty label")]
    [InlineData(new[] { "tsig-keygen", "." }, "rdns: .: a key needs a name other than the root")]
    [InlineData(new[] { "tsig-keygen", "k.example", "--algorithm", "hmac-md5" }, "rdns: Argument 'hmac-md5' not recognized. Must be one of:")]
    [InlineData(new[] { "tsig-keygen" }, "rdns: Required argument missing for command: 'tsig-keygen'.")]
    public async Task Bad_input_exits_2_with_one_line_on_stderr(string[] args, string expectedStart)
    {
        var result = await RdnsProcess.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.StartsWith(expectedStart, Assert.Single(result.StderrLines));
    }
}
