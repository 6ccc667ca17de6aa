using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using static Rdns.Protocol.Tests.Tsig.HandMadeTsig;
using static Rdns.Protocol.Tests.Tsig.TsigMessages;

namespace Rdns.Protocol.Tests.Tsig;

/// <summary>
/// The signer's MACs equal MACs computed by hand from the digest components RFC 8945 lists:
/// request (§4.3.2, §4.3.3), first answer (§4.3.1), later messages of a stream (§5.3.1) and a
/// BADTIME answer (§5.2.3).
/// </summary>
public class TsigKnownAnswerTests
{
    private static readonly ulong Now = (ulong)ManualClock.Start.ToUnixTimeSeconds();
    private readonly ManualClock _clock = new();

    [Theory]
    [InlineData(TsigAlgorithm.HmacSha1)]
    [InlineData(TsigAlgorithm.HmacSha256)]
    [InlineData(TsigAlgorithm.HmacSha384)]
    [InlineData(TsigAlgorithm.HmacSha512)]
    public void Request_answer_and_stream_macs_match_the_rfc_digest_components(TsigAlgorithm algorithm)
    {
        var key = Key(algorithm, name: "Mixed.Case.Key.");
        var signer = new TsigSigner(_clock, fudge: 120);

        var buffer = new byte[4096];
        int length = Query(buffer);
        var query = buffer[..length];
        Assert.True(signer.TrySignRequest(buffer, ref length, key, out var exchange));
        var requestMac = Hmac(key, [.. query, .. Variables(key, Now, 120)]);
        Assert.Equal(requestMac, View(buffer.AsSpan(0, length)).Mac);
        Assert.Equal(Append(query, key, Now, 120, requestMac), buffer[..length]);

        // The first answer covers the request MAC.
        var server = exchange;
        length = Answer(buffer, sequence: 0);
        var first = buffer[..length];
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(signer.TrySign(buffer, ref length, ref server));
        var firstMac = Hmac(key, [.. Prior(requestMac), .. first, .. Variables(key, Now + 1, 120)]);
        Assert.Equal(Append(first, key, Now + 1, 120, firstMac), buffer[..length]);

        // A later message covers the prior MAC, itself and the timers only.
        length = Answer(buffer, sequence: 1);
        var second = buffer[..length];
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(signer.TrySign(buffer, ref length, ref server));
        var secondMac = Hmac(key, [.. Prior(firstMac), .. second, .. Timers(Now + 2, 120)]);
        Assert.Equal(Append(second, key, Now + 2, 120, secondMac), buffer[..length]);
    }

    [Fact]
    public void Badtime_answer_mac_covers_the_error_and_the_servers_time_in_other_data()
    {
        var key = Key();
        var clientClock = new ManualClock(ManualClock.Start.AddHours(-1));
        var buffer = new byte[4096];
        int length = Query(buffer);
        new TsigSigner(clientClock).TrySignRequest(buffer, ref length, key, out _);
        var query = buffer[..length];
        var requestMac = View(query).Mac;
        Assert.Equal(TsigStatus.BadTime, new TsigVerifier(new TsigKeyRing(key), _clock).VerifyRequest(query, FindTsig(query), out var exchange));

        length = Answer(buffer, rcode: Rcode.NotAuth);
        var answer = buffer[..length];
        Assert.True(new TsigSigner(_clock).TrySign(buffer, ref length, ref exchange));
        ulong clientTime = Now - 3600;
        var mac = Hmac(key, [.. Prior(requestMac), .. answer, .. Variables(key, clientTime, 300, TsigError.BadTime, U48(Now))]);
        Assert.Equal(Append(answer, key, clientTime, 300, mac, TsigError.BadTime, U48(Now)), buffer[..length]);
    }
}
