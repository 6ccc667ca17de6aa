using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Interop.Tests.Tsig;

/// <summary>
/// BIND's dig as the client of a signed AXFR stream (RFC 8945 §5.3.1): dig checks the TSIG of
/// every message (kdig 3.2 checks only the first), so dig is the judge of our chaining. dig
/// reports a failed message on stdout and carries on, so the tests read its report.
/// </summary>
public class DigTransferTsigTests
{
    private static async Task<ProcessResult> DigAxfr(int port, TsigKey key)
    {
        string dig = ProcessRunner.Find("dig")
            ?? throw new InvalidOperationException("dig is not installed (./test.sh installs bind9-dnsutils)");
        string y = $"{TsigAlgorithms.ToText(key.Algorithm)}:{key.Name}:{Convert.ToBase64String(key.Secret)}";
        return await ProcessRunner.RunAsync(dig,
            ["@127.0.0.1", "-p", port.ToString(), "-y", y, "+tries=1", "+time=5", TsigResponder.Zone.ToString(), "AXFR"],
            TimeSpan.FromSeconds(30));
    }

    private static TsigKey NewKey(TsigAlgorithm algorithm) => TsigKey.Generate(DnsName.Parse("transfer.example."), algorithm);

    [Theory]
    [InlineData(TsigAlgorithm.HmacSha1)]
    [InlineData(TsigAlgorithm.HmacSha256)]
    [InlineData(TsigAlgorithm.HmacSha384)]
    [InlineData(TsigAlgorithm.HmacSha512)]
    public async Task Dig_verifies_every_message_of_our_signed_axfr_stream(TsigAlgorithm algorithm)
    {
        var key = NewKey(algorithm);
        await using var peer = new TsigResponder(new TsigKeyRing(key)) { TransferMessages = 4 };

        var result = await DigAxfr(peer.Port, key);

        Assert.Equal(TsigStatus.Verified, Assert.Single(peer.Requests).Status);
        Assert.True(result.ExitCode == 0, result.ToString());
        // What dig prints when a message fails, as the tests below show.
        Assert.DoesNotContain("Couldn't verify", result.Stdout + result.Stderr);
        Assert.DoesNotContain("could not be validated", result.Stdout + result.Stderr);
        Assert.Contains(";; XFR size: 82 records (messages 4,", result.Stdout);
        Assert.Equal(4, Regex.Matches(result.Stdout, @"\sANY\s+TSIG\s").Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Dig_refuses_a_stream_whose_later_message_has_a_wrong_mac(int damaged)
    {
        var key = NewKey(TsigAlgorithm.HmacSha256);
        await using var peer = new TsigResponder(new TsigKeyRing(key)) { TransferMessages = 4, DamageTransferMessage = damaged };

        var result = await DigAxfr(peer.Port, key);

        Assert.Contains(";; Couldn't verify signature: tsig verify failure", result.Stdout);
        Assert.Contains(";; WARNING -- Some TSIG could not be validated", result.Stdout);
    }

    [Fact]
    public async Task Dig_refuses_a_stream_with_a_middle_message_missing()
    {
        var key = NewKey(TsigAlgorithm.HmacSha256);
        await using var peer = new TsigResponder(new TsigKeyRing(key)) { TransferMessages = 4, DropTransferMessage = 1 };

        var result = await DigAxfr(peer.Port, key);

        Assert.Contains(";; Couldn't verify signature: tsig verify failure", result.Stdout);
        Assert.Contains(";; WARNING -- Some TSIG could not be validated", result.Stdout);
    }
}
