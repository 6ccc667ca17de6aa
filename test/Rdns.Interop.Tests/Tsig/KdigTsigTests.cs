using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Tsig;

/// <summary>
/// Knot's kdig as the TSIG peer: its signed queries must verify with our verifier, and it must
/// accept our signed answers, single and as an AXFR stream, and read our error answers.
/// </summary>
public class KdigTsigTests
{
    private static readonly DnsName KeyName = DnsName.Parse("transfer.example.");

    private static async Task<ProcessResult> Kdig(int port, TsigKey key, string type, params string[] extra)
    {
        string kdig = ProcessRunner.Find("kdig")
            ?? throw new InvalidOperationException("kdig is not installed (./test.sh installs knot-dnsutils)");
        string y = $"{TsigAlgorithms.ToText(key.Algorithm)}:{key.Name}:{Convert.ToBase64String(key.Secret)}";
        return await ProcessRunner.RunAsync(kdig,
            ["@127.0.0.1", "-p", port.ToString(), "-y", y, "+retry=0", "+time=5", .. extra, TsigResponder.Zone.ToString(), type],
            TimeSpan.FromSeconds(30));
    }

    /// <summary>kdig's TSIG line: owner, TTL, class, type, algorithm, time, fudge, MAC size, [MAC], original ID, error, other length.</summary>
    private static Match TsigLine(ProcessResult result)
    {
        var match = Regex.Match(result.Stdout,
            @"^(?<owner>\S+)\s+0\s+ANY\s+TSIG\s+(?<alg>\S+)\s+(?<time>\d+)\s+(?<fudge>\d+)\s+(?<size>\d+)\s+(?:(?<mac>[A-Za-z0-9+/=]+)\s+)?(?<id>\d+)\s+(?<error>[A-Z]+)\s+(?<other>\d+)",
            RegexOptions.Multiline);
        Assert.True(match.Success, $"no TSIG record in kdig's output:\n{result}");
        return match;
    }

    private static void AssertKdigAccepted(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("WARNING", result.Stdout + result.Stderr);
        Assert.DoesNotContain(";; ERROR", result.Stdout + result.Stderr);
    }

    [Theory]
    [InlineData(TsigAlgorithm.HmacSha1)]
    [InlineData(TsigAlgorithm.HmacSha256)]
    [InlineData(TsigAlgorithm.HmacSha384)]
    [InlineData(TsigAlgorithm.HmacSha512)]
    public async Task A_query_signed_by_kdig_verifies_and_kdig_verifies_our_signed_answer(TsigAlgorithm algorithm)
    {
        var key = TsigKey.Generate(KeyName, algorithm);
        await using var peer = new TsigResponder(new TsigKeyRing(key));

        var result = await Kdig(peer.Port, key, "SOA");

        var (_, status) = Assert.Single(peer.Requests);
        Assert.Equal(TsigStatus.Verified, status);
        AssertKdigAccepted(result);
        Assert.Contains("status: NOERROR", result.Stdout);
        Assert.Contains(";; TSIG PSEUDOSECTION:", result.Stdout);
        var tsig = TsigLine(result);
        Assert.Equal("transfer.example.", tsig.Groups["owner"].Value);
        Assert.Equal(TsigAlgorithms.ToText(algorithm) + ".", tsig.Groups["alg"].Value);
        Assert.Equal(key.MacSize.ToString(), tsig.Groups["size"].Value);
        Assert.Equal("NOERROR", tsig.Groups["error"].Value);
    }

    [Fact]
    public async Task Kdig_notices_a_damaged_mac_in_our_answer()
    {
        // The control for the test above: kdig does check what we send.
        var key = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        await using var peer = new TsigResponder(new TsigKeyRing(key)) { DamageMac = true };

        var result = await Kdig(peer.Port, key, "SOA");

        Assert.Contains("(failed to verify TSIG)", result.Stderr);
    }

    [Fact]
    public async Task A_query_signed_with_another_secret_fails_our_verifier_and_kdig_reads_the_unsigned_badsig_answer()
    {
        var ours = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        var theirs = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        await using var peer = new TsigResponder(new TsigKeyRing(ours));

        var result = await Kdig(peer.Port, theirs, "SOA");

        var (_, status) = Assert.Single(peer.Requests);
        Assert.Equal(TsigStatus.BadSig, status);
        Assert.Contains("status: BADSIG", result.Stdout);
        var tsig = TsigLine(result);
        Assert.Equal("0", tsig.Groups["size"].Value);
        Assert.Equal("BADSIG", tsig.Groups["error"].Value);
    }

    [Fact]
    public async Task A_key_we_do_not_know_gets_badkey()
    {
        var known = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        var stranger = TsigKey.Generate(DnsName.Parse("stranger.example."), TsigAlgorithm.HmacSha512);
        await using var peer = new TsigResponder(new TsigKeyRing(known));

        var result = await Kdig(peer.Port, stranger, "SOA");

        var (_, status) = Assert.Single(peer.Requests);
        Assert.Equal(TsigStatus.BadKey, status);
        Assert.Contains("status: BADKEY", result.Stdout);
        var tsig = TsigLine(result);
        Assert.Equal("stranger.example.", tsig.Groups["owner"].Value);
        Assert.Equal("hmac-sha512.", tsig.Groups["alg"].Value);
        Assert.Equal("BADKEY", tsig.Groups["error"].Value);
    }

    [Fact]
    public async Task A_clock_an_hour_off_gets_a_signed_badtime_answer_that_kdig_verifies()
    {
        var key = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        var serverClock = new SkewedClock(TimeSpan.FromHours(1));
        await using var peer = new TsigResponder(new TsigKeyRing(key), serverClock);
        await using var damaged = new TsigResponder(new TsigKeyRing(key), serverClock) { DamageMac = true };

        var result = await Kdig(peer.Port, key, "SOA");
        var control = await Kdig(damaged.Port, key, "SOA");

        var (_, status) = Assert.Single(peer.Requests);
        Assert.Equal(TsigStatus.BadTime, status);
        Assert.Contains("status: BADTIME", result.Stdout);
        var tsig = TsigLine(result);
        Assert.Equal(key.MacSize.ToString(), tsig.Groups["size"].Value);
        Assert.Equal("BADTIME", tsig.Groups["error"].Value);
        Assert.Equal("6", tsig.Groups["other"].Value);
        // kdig checks the MAC first and then reports the TSIG error as its verdict; a wrong MAC
        // would be reported as such, as the damaged control shows.
        Assert.Contains("(TSIG out of time window)", result.Stderr);
        Assert.DoesNotContain("failed to verify TSIG", result.Stderr);
        Assert.Contains("(failed to verify TSIG)", control.Stderr);
    }
}
