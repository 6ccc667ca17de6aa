using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using static Rdns.Protocol.Tests.Tsig.TsigMessages;

namespace Rdns.Protocol.Tests.Tsig;

/// <summary>
/// RFC 8945 §5.3 (signing answers, and the unsigned or signed error answers of §5.3.2 and §5.2.3)
/// and §5.4 (the client's checks of an answer).
/// </summary>
public class TsigResponseTests
{
    private readonly ManualClock _clientClock = new();
    private readonly ManualClock _serverClock = new();

    private sealed record Request(byte[] Message, TsigExchange Client);

    private Request SignedQuery(TsigKey key, ushort id = 0x4242)
    {
        var buffer = new byte[65535];
        int length = Query(buffer, id);
        Assert.True(new TsigSigner(_clientClock).TrySignRequest(buffer, ref length, key, out var exchange));
        return new Request(buffer[..length], exchange);
    }

    /// <summary>What a server does: verify, answer (NOTAUTH on a TSIG error), sign the answer.</summary>
    private (TsigStatus Status, byte[] Answer) Serve(byte[] query, TsigKeyRing ring)
    {
        var status = new TsigVerifier(ring, _serverClock).VerifyRequest(query, FindTsig(query), out var exchange);
        var buffer = new byte[65535];
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(query);
        int length = status == TsigStatus.Verified ? Answer(buffer, id) : Answer(buffer, id, rcode: Rcode.NotAuth);
        Assert.True(new TsigSigner(_serverClock).TrySign(buffer, ref length, ref exchange));
        return (status, buffer[..length]);
    }

    private TsigStatus Check(byte[] answer, ref TsigExchange client)
    {
        Assert.True(TsigVerifier.TryFindTsig(answer, out int offset));
        return new TsigVerifier(TsigKeyRing.Empty, _clientClock).VerifyResponse(answer, offset, ref client);
    }

    [Theory]
    [InlineData(TsigAlgorithm.HmacSha1)]
    [InlineData(TsigAlgorithm.HmacSha256)]
    [InlineData(TsigAlgorithm.HmacSha384)]
    [InlineData(TsigAlgorithm.HmacSha512)]
    public void A_signed_answer_to_a_signed_request_verifies_at_the_client(TsigAlgorithm algorithm)
    {
        var key = Key(algorithm);
        var request = SignedQuery(key);
        var (status, answer) = Serve(request.Message, new TsigKeyRing(key));
        Assert.Equal(TsigStatus.Verified, status);
        var client = request.Client;
        Assert.Equal(TsigStatus.Verified, Check(answer, ref client));
        Assert.Equal(TsigError.NoError, client.PeerError);
        Assert.Equal(0x4242, View(answer).OriginalId);
    }

    [Fact]
    public void An_answer_covers_the_request_mac_so_it_does_not_fit_another_request()
    {
        var key = Key();
        var first = SignedQuery(key);
        var second = SignedQuery(key);
        _clientClock.Advance(TimeSpan.FromSeconds(1));
        var third = SignedQuery(key);
        var (_, answerToFirst) = Serve(first.Message, new TsigKeyRing(key));

        // Same ID, same time, same request: the same MAC, so the answer fits; a later request differs.
        var sameAsFirst = second.Client;
        Assert.Equal(TsigStatus.Verified, Check(answerToFirst, ref sameAsFirst));
        var other = third.Client;
        Assert.Equal(TsigStatus.BadSig, Check(answerToFirst, ref other));
    }

    [Fact]
    public void Changing_any_octet_of_an_answer_but_its_id_fails_at_the_client()
    {
        var key = Key();
        var request = SignedQuery(key);
        var (_, answer) = Serve(request.Message, new TsigKeyRing(key));
        for (int i = 2; i < answer.Length; i++)
        {
            var tampered = (byte[])answer.Clone();
            tampered[i] ^= 0x01;
            var client = request.Client;
            var status = TsigVerifier.TryFindTsig(tampered, out int offset) && offset >= 0
                ? new TsigVerifier(TsigKeyRing.Empty, _clientClock).VerifyResponse(tampered, offset, ref client)
                : TsigStatus.FormErr;
            Assert.True(status != TsigStatus.Verified, $"changing octet {i} of {answer.Length} still verified");
        }
    }

    [Fact]
    public void An_answer_without_tsig_to_a_signed_request_is_refused()
    {
        var request = SignedQuery(Key());
        var buffer = new byte[512];
        int length = Answer(buffer, 0x4242);
        var client = request.Client;
        Assert.Equal(TsigStatus.MissingSignature, new TsigVerifier(TsigKeyRing.Empty, _clientClock).VerifyResponse(buffer.AsSpan(0, length), -1, ref client));
    }

    [Fact]
    public void An_answer_signed_with_another_key_is_badkey_at_the_client()
    {
        var ours = Key(name: "ours.example.");
        var theirs = Key(name: "theirs.example.");
        var request = SignedQuery(ours);
        var (_, answer) = Serve(SignedQuery(theirs).Message, new TsigKeyRing(theirs));
        var client = request.Client;
        Assert.Equal(TsigStatus.BadKey, Check(answer, ref client));
    }

    [Fact]
    public void A_wrong_secret_gets_an_unsigned_badsig_answer_with_rcode_notauth()
    {
        var request = SignedQuery(Key(fill: 1));
        var (status, answer) = Serve(request.Message, new TsigKeyRing(Key(fill: 2)));
        Assert.Equal(TsigStatus.BadSig, status);
        Assert.Equal((int)Rcode.NotAuth, RcodeOf(answer));
        var tsig = View(answer);
        Assert.Equal(TsigError.BadSig, tsig.Error);
        Assert.Empty(tsig.Mac);
        Assert.Equal("transfer.example.", tsig.KeyName.ToString());
        Assert.Equal(1, ArCount(answer));

        var client = request.Client;
        Assert.Equal(TsigStatus.BadSig, Check(answer, ref client));
        Assert.Equal(TsigError.BadSig, client.PeerError);
    }

    [Fact]
    public void An_unknown_key_gets_an_unsigned_badkey_answer_repeating_its_name_and_algorithm()
    {
        var stranger = Key(TsigAlgorithm.HmacSha512, name: "Stranger.Example.");
        var request = SignedQuery(stranger);
        var (status, answer) = Serve(request.Message, new TsigKeyRing(Key()));
        Assert.Equal(TsigStatus.BadKey, status);
        Assert.Equal((int)Rcode.NotAuth, RcodeOf(answer));
        var tsig = View(answer);
        Assert.Equal(TsigError.BadKey, tsig.Error);
        Assert.Empty(tsig.Mac);
        Assert.Equal("Stranger.Example.", tsig.KeyName.ToString());
        Assert.Equal("hmac-sha512.", tsig.Algorithm.ToString());

        var client = request.Client;
        Assert.Equal(TsigStatus.BadKey, Check(answer, ref client));
        Assert.Equal(TsigError.BadKey, client.PeerError);
    }

    [Fact]
    public void A_clock_outside_the_window_gets_a_signed_badtime_answer_with_the_servers_time()
    {
        var key = Key();
        _serverClock.Advance(TimeSpan.FromMinutes(10));
        var request = SignedQuery(key);
        var (status, answer) = Serve(request.Message, new TsigKeyRing(key));
        Assert.Equal(TsigStatus.BadTime, status);
        Assert.Equal((int)Rcode.NotAuth, RcodeOf(answer));
        var tsig = View(answer);
        Assert.Equal(TsigError.BadTime, tsig.Error);
        Assert.Equal(32, tsig.Mac.Length);
        // §5.2.3: the client's Time Signed, the server's clock in Other Data (48 bits).
        Assert.Equal((ulong)_clientClock.Now.ToUnixTimeSeconds(), tsig.TimeSigned);
        Assert.Equal(6, tsig.OtherData.Length);

        var client = request.Client;
        Assert.Equal(TsigStatus.BadTime, Check(answer, ref client));
        Assert.Equal(TsigError.BadTime, client.PeerError);
        Assert.Equal((ulong)_serverClock.Now.ToUnixTimeSeconds(), client.PeerClock);

        var forged = (byte[])answer.Clone();
        forged[^1] ^= 1; // the server's clock in Other Data is covered by the MAC
        var again = request.Client;
        Assert.Equal(TsigStatus.BadSig, Check(forged, ref again));
    }

    [Fact]
    public void The_client_checks_the_time_of_an_answer_too()
    {
        var key = Key();
        var request = SignedQuery(key);
        var (_, answer) = Serve(request.Message, new TsigKeyRing(key));
        _clientClock.Advance(TimeSpan.FromSeconds(TsigSigner.DefaultFudge + 1));
        var client = request.Client;
        Assert.Equal(TsigStatus.BadTime, Check(answer, ref client));
        Assert.Equal(TsigError.NoError, client.PeerError);
    }

    [Fact]
    public void An_error_answer_must_have_rcode_notauth()
    {
        var request = SignedQuery(Key(fill: 1));
        new TsigVerifier(new TsigKeyRing(Key(fill: 2)), _serverClock).VerifyRequest(request.Message, FindTsig(request.Message), out var exchange);
        var buffer = new byte[512];
        int length = Answer(buffer, 0x4242);
        Assert.Throws<InvalidOperationException>(() => new TsigSigner(_serverClock).TrySign(buffer, ref length, ref exchange));
    }

    [Fact]
    public void The_answer_to_a_truncated_request_mac_covers_the_truncated_mac()
    {
        // RFC 8945 §5.2.2.1 rule 4: "the request MAC used ... for a reply is the truncated request MAC".
        var key = Key();
        var request = SignedQuery(key);
        var truncated = WithMacSize(request.Message, 16);
        var (status, answer) = Serve(truncated, new TsigKeyRing(key));
        Assert.Equal(TsigStatus.Verified, status);

        var withFullMac = request.Client;
        Assert.Equal(TsigStatus.BadSig, Check(answer, ref withFullMac));
        var withTruncatedMac = request.Client;
        withTruncatedMac.SetMac(View(truncated).Mac);
        Assert.Equal(TsigStatus.Verified, Check(answer, ref withTruncatedMac));
    }

    [Fact]
    public void A_truncated_answer_mac_verifies_when_long_enough()
    {
        var key = Key(TsigAlgorithm.HmacSha512);
        var request = SignedQuery(key);
        var (_, answer) = Serve(request.Message, new TsigKeyRing(key));
        var atMinimum = request.Client;
        Assert.Equal(TsigStatus.Verified, Check(WithMacSize(answer, 32), ref atMinimum));
        var tooShort = request.Client;
        Assert.Equal(TsigStatus.FormErr, Check(WithMacSize(answer, 31), ref tooShort));
    }

    [Fact]
    public void Reserving_max_record_length_leaves_room_for_every_kind_of_answer()
    {
        var key = Key();
        foreach (var (clientSkew, secret) in new[] { (0, 0x5A), (0, 0x01), (3600, 0x5A) })
        {
            var clock = new ManualClock(ManualClock.Start.AddSeconds(clientSkew));
            var buffer = new byte[512];
            int length = Query(buffer);
            new TsigSigner(clock).TrySignRequest(buffer, ref length, Key(fill: (byte)secret), out _);
            var query = buffer[..length];
            new TsigVerifier(new TsigKeyRing(key), _serverClock).VerifyRequest(query, FindTsig(query), out var exchange);
            var answer = new byte[512];
            int answerLength = Answer(answer, rcode: exchange.Error == TsigError.NoError ? Rcode.NoError : Rcode.NotAuth);
            var exact = answer.AsSpan(0, answerLength + exchange.MaxRecordLength).ToArray();
            Assert.True(new TsigSigner(_serverClock).TrySign(exact, ref answerLength, ref exchange), $"{exchange.Error} answer did not fit");
        }
        var unknown = SignedQuery(Key(name: "x.example.")).Message;
        new TsigVerifier(new TsigKeyRing(key), _serverClock).VerifyRequest(unknown, FindTsig(unknown), out var badKey);
        Assert.Equal(TsigError.BadKey, badKey.Error);
        var a = new byte[512];
        int n = Answer(a, rcode: Rcode.NotAuth);
        var fit = a.AsSpan(0, n + badKey.MaxRecordLength).ToArray();
        Assert.True(new TsigSigner(_serverClock).TrySign(fit, ref n, ref badKey));
        Assert.Equal(fit.Length, n);
    }
}
