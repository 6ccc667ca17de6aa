using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using static Rdns.Protocol.Tests.Tsig.HandMadeTsig;
using static Rdns.Protocol.Tests.Tsig.TsigMessages;

namespace Rdns.Protocol.Tests.Tsig;

/// <summary>
/// RFC 8945 §5.3.1: the messages of one answer stream (AXFR) are chained, each MAC covering the
/// prior MAC, the messages since it and the timers.
/// </summary>
public class TsigStreamTests
{
    private readonly ManualClock _clock = new();
    private readonly TsigKey _key = Key();

    /// <summary>A signed AXFR request, the server's exchange for it and the client's.</summary>
    private (TsigExchange Server, TsigExchange Client) Start()
    {
        var buffer = new byte[4096];
        int length = Query(buffer, id: 7, type: RecordType.AXFR);
        Assert.True(new TsigSigner(_clock).TrySignRequest(buffer, ref length, _key, out var client));
        Assert.Equal(TsigStatus.Verified, new TsigVerifier(new TsigKeyRing(_key), _clock).VerifyRequest(buffer.AsSpan(0, length), FindTsig(buffer.AsSpan(0, length)), out var server));
        return (server, client);
    }

    /// <summary>The server signs <paramref name="count"/> answer messages, a second apart.</summary>
    private List<byte[]> ServeStream(ref TsigExchange server, int count)
    {
        var signer = new TsigSigner(_clock);
        var messages = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var buffer = new byte[4096];
            int length = Answer(buffer, id: 7, sequence: i);
            Assert.True(signer.TrySign(buffer, ref length, ref server));
            Assert.True(server.IsStream);
            messages.Add(buffer[..length]);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        return messages;
    }

    private List<TsigStatus> Receive(ref TsigExchange client, IEnumerable<byte[]> messages)
    {
        var verifier = new TsigVerifier(TsigKeyRing.Empty, _clock);
        var statuses = new List<TsigStatus>();
        foreach (var message in messages)
        {
            Assert.True(TsigVerifier.TryFindTsig(message, out int offset));
            statuses.Add(verifier.VerifyResponse(message, offset, ref client));
        }
        return statuses;
    }

    [Fact]
    public void Every_message_of_a_signed_stream_verifies_in_order()
    {
        var (server, client) = Start();
        var stream = ServeStream(ref server, 5);
        Assert.Equal(Enumerable.Repeat(TsigStatus.Verified, 5), Receive(ref client, stream));
        Assert.All(stream, m => Assert.Equal(32, View(m).Mac.Length));
    }

    [Fact]
    public void A_missing_middle_message_fails_the_next_one()
    {
        var (server, client) = Start();
        var stream = ServeStream(ref server, 5);
        stream.RemoveAt(2);
        Assert.Equal([TsigStatus.Verified, TsigStatus.Verified, TsigStatus.BadSig], Receive(ref client, stream.Take(3)));
    }

    [Fact]
    public void Swapped_messages_fail()
    {
        var (server, client) = Start();
        var stream = ServeStream(ref server, 4);
        (stream[1], stream[2]) = (stream[2], stream[1]);
        Assert.Equal([TsigStatus.Verified, TsigStatus.BadSig], Receive(ref client, stream.Take(2)));
    }

    [Fact]
    public void A_replayed_message_fails()
    {
        var (server, client) = Start();
        var stream = ServeStream(ref server, 3);
        Assert.Equal([TsigStatus.Verified, TsigStatus.Verified, TsigStatus.BadSig], Receive(ref client, [stream[0], stream[1], stream[1]]));
    }

    [Fact]
    public void A_later_message_signed_as_a_first_answer_fails()
    {
        // Only the first message carries the full variables; a later one with them is not part of the chain.
        var (server, client) = Start();
        var stream = ServeStream(ref server, 1);
        var (other, _) = Start();
        var rogue = ServeStream(ref other, 1)[0];
        Assert.Equal([TsigStatus.Verified, TsigStatus.BadSig], Receive(ref client, [stream[0], rogue]));
    }

    [Fact]
    public void A_first_message_without_tsig_is_refused()
    {
        var (_, client) = Start();
        var buffer = new byte[4096];
        int length = Answer(buffer, id: 7);
        Assert.Equal(TsigStatus.MissingSignature, new TsigVerifier(TsigKeyRing.Empty, _clock).VerifyResponse(buffer.AsSpan(0, length), -1, ref client));
    }

    /// <summary>
    /// A stream as an older server may send it: signed first message, then <paramref name="unsigned"/>
    /// messages without TSIG, then a signed one whose MAC covers all of them (built by hand).
    /// </summary>
    private List<byte[]> StreamWithUnsignedMessages(ref TsigExchange server, int unsigned, int tamperWith = -1)
    {
        var first = ServeStream(ref server, 1)[0];
        var prior = View(first).Mac;
        var messages = new List<byte[]> { first };
        var covered = new List<byte>(Prior(prior));
        for (int i = 1; i <= unsigned; i++)
        {
            var buffer = new byte[4096];
            var message = buffer[..Answer(buffer, id: 7, sequence: i)];
            covered.AddRange(message);
            if (i == tamperWith)
                message[^1] ^= 1;
            messages.Add(message);
        }
        var lastBuffer = new byte[4096];
        var last = lastBuffer[..Answer(lastBuffer, id: 7, sequence: unsigned + 1)];
        ulong time = (ulong)_clock.Now.ToUnixTimeSeconds();
        covered.AddRange(last);
        covered.AddRange(Timers(time, 300));
        messages.Add(Append(last, _key, time, 300, Hmac(_key, covered.ToArray())));
        return messages;
    }

    [Fact]
    public void Unsigned_messages_between_signed_ones_are_covered_by_the_next_mac()
    {
        var (server, client) = Start();
        var stream = StreamWithUnsignedMessages(ref server, 2);
        Assert.Equal([TsigStatus.Verified, TsigStatus.Unsigned, TsigStatus.Unsigned, TsigStatus.Verified], Receive(ref client, stream));
        Assert.Equal(0, client.UnsignedMessages);
    }

    [Fact]
    public void A_changed_unsigned_message_fails_the_next_signed_one()
    {
        var (server, client) = Start();
        var stream = StreamWithUnsignedMessages(ref server, 2, tamperWith: 1);
        Assert.Equal([TsigStatus.Verified, TsigStatus.Unsigned, TsigStatus.Unsigned, TsigStatus.BadSig], Receive(ref client, stream));
    }

    [Fact]
    public void Ninety_nine_unsigned_messages_pass_and_the_hundredth_ends_the_stream()
    {
        var (server, client) = Start();
        var stream = StreamWithUnsignedMessages(ref server, 99);
        var statuses = Receive(ref client, stream);
        Assert.Equal(TsigStatus.Verified, statuses[^1]);
        Assert.Equal(99, statuses.Count(s => s == TsigStatus.Unsigned));

        var (server2, client2) = Start();
        var tooMany = StreamWithUnsignedMessages(ref server2, 100);
        var statuses2 = Receive(ref client2, tooMany.Take(101));
        Assert.Equal(TsigStatus.MissingSignature, statuses2[^1]);
    }

    [Fact]
    public void A_stream_message_outside_the_time_window_is_badtime()
    {
        var (server, client) = Start();
        var stream = ServeStream(ref server, 2);
        var verifier = new TsigVerifier(TsigKeyRing.Empty, _clock);
        Assert.Equal(TsigStatus.Verified, verifier.VerifyResponse(stream[0], FindTsig(stream[0]), ref client));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(TsigStatus.BadTime, verifier.VerifyResponse(stream[1], FindTsig(stream[1]), ref client));
    }
}
