using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Tsig;

/// <summary>
/// Our client side against a real server: knotd must accept requests we sign, and our verifier
/// must accept knotd's signed answers, a single one and every message of an AXFR stream, and
/// read its BADSIG and BADKEY answers.
/// </summary>
public class KnotTsigClientTests
{
    private const string Zone = "10.in-addr.arpa.";
    private const int Ptrs = 6000;

    private static readonly DnsName KeyName = DnsName.Parse("transfer.example.");

    /// <summary>Large enough that knotd sends the AXFR in several messages.</summary>
    private static string ZoneText()
    {
        var text = new StringBuilder($"$ORIGIN {Zone}\n@ 3600 IN SOA ns.example. hostmaster.example. 1 3600 600 86400 300\n@ 3600 IN NS ns.example.\n");
        for (int i = 0; i < Ptrs; i++)
            text.Append($"{i % 250}.{i / 250}.0 3600 IN PTR host-{i}.customers.example.\n");
        return text.ToString();
    }

    private static Task<KnotDaemon> StartKnot(params TsigKey[] keys) =>
        KnotDaemon.StartAsync(new Dictionary<string, string> { [Zone] = ZoneText() },
            keys.Select(k => new KnotKey(k.Name.ToString(), TsigAlgorithms.ToText(k.Algorithm), Convert.ToBase64String(k.Secret))).ToList());

    private static byte[] SignedQuery(TsigKey key, RecordType type, out TsigExchange exchange)
    {
        var buffer = new byte[512];
        var w = new DnsMessageWriter(buffer, buffer.Length) { Id = (ushort)Random.Shared.Next(65536) };
        w.TryWriteQuestion(DnsName.Parse(Zone).Wire, type, RecordClass.IN);
        int length = w.Finish();
        Assert.True(new TsigSigner().TrySignRequest(buffer, ref length, key, out exchange));
        return buffer[..length];
    }

    /// <summary>Sends the request over TCP and reads answers until the closing SOA of a transfer, or one answer otherwise.</summary>
    private static async Task<List<byte[]>> AskOverTcp(int port, byte[] request, bool transfer)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var framed = new byte[request.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)request.Length);
        request.CopyTo(framed, 2);
        await stream.WriteAsync(framed);
        var answers = new List<byte[]>();
        int soas = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var prefix = new byte[2];
            await stream.ReadExactlyAsync(prefix, timeout.Token);
            var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            await stream.ReadExactlyAsync(answer, timeout.Token);
            answers.Add(answer);
            var parsed = DnsMessage.Parse(answer);
            soas += parsed.Answers.Count(r => r.Type == RecordType.SOA);
            if (!transfer || soas >= 2 || parsed.Rcode != 0)
                return answers;
        }
    }

    private static List<TsigStatus> VerifyAll(IEnumerable<byte[]> answers, ref TsigExchange exchange)
    {
        var verifier = new TsigVerifier(TsigKeyRing.Empty);
        var statuses = new List<TsigStatus>();
        foreach (var answer in answers)
        {
            Assert.True(TsigVerifier.TryFindTsig(answer, out int offset));
            statuses.Add(verifier.VerifyResponse(answer, offset, ref exchange));
        }
        return statuses;
    }

    [Theory]
    [InlineData(TsigAlgorithm.HmacSha1)]
    [InlineData(TsigAlgorithm.HmacSha256)]
    [InlineData(TsigAlgorithm.HmacSha384)]
    [InlineData(TsigAlgorithm.HmacSha512)]
    public async Task Knotd_accepts_our_signed_axfr_request_and_we_verify_every_message_of_its_stream(TsigAlgorithm algorithm)
    {
        var key = TsigKey.Generate(KeyName, algorithm);
        await using var knot = await StartKnot(key);

        var request = SignedQuery(key, RecordType.AXFR, out var exchange);
        var answers = await AskOverTcp(knot.Port, request, transfer: true);

        Assert.True(answers.Count >= 2, $"knotd sent the zone in {answers.Count} message(s); the test needs a stream");
        Assert.Equal(Ptrs + 3, answers.Sum(a => DnsMessage.Parse(a).Answers.Count));
        var statuses = VerifyAll(answers, ref exchange);
        Assert.Equal(TsigStatus.Verified, statuses[0]);
        Assert.Equal(TsigStatus.Verified, statuses[^1]);
        Assert.All(statuses, s => Assert.True(s is TsigStatus.Verified or TsigStatus.Unsigned, string.Join(", ", statuses)));
    }

    [Fact]
    public async Task A_missing_middle_message_of_knotds_stream_fails_our_verifier()
    {
        var key = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        await using var knot = await StartKnot(key);

        var request = SignedQuery(key, RecordType.AXFR, out var exchange);
        var answers = await AskOverTcp(knot.Port, request, transfer: true);
        Assert.True(answers.Count >= 3, $"knotd sent the zone in {answers.Count} message(s); the test needs three or more");
        answers.RemoveAt(1);

        var statuses = VerifyAll(answers, ref exchange);
        Assert.Equal(TsigStatus.Verified, statuses[0]);
        Assert.Contains(TsigStatus.BadSig, statuses);
    }

    [Fact]
    public async Task Knotd_answers_our_signed_query_over_udp_with_a_signed_answer_we_verify()
    {
        var key = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        await using var knot = await StartKnot(key);

        var request = SignedQuery(key, RecordType.SOA, out var exchange);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(request, new IPEndPoint(IPAddress.Loopback, knot.Port));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = (await udp.ReceiveAsync(timeout.Token)).Buffer;

        Assert.Equal(0, DnsMessage.Parse(answer).Rcode);
        Assert.Equal(TsigStatus.Verified, Assert.Single(VerifyAll([answer], ref exchange)));
    }

    [Fact]
    public async Task Knotd_answers_a_wrong_secret_with_badsig_and_an_unknown_key_with_badkey()
    {
        var known = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        await using var knot = await StartKnot(known);

        var wrongSecret = TsigKey.Generate(KeyName, TsigAlgorithm.HmacSha256);
        var badSig = await AskOverTcp(knot.Port, SignedQuery(wrongSecret, RecordType.SOA, out var first), transfer: false);
        Assert.Equal((int)Rcode.NotAuth, DnsMessage.Parse(badSig[0]).Rcode);
        Assert.Equal(TsigStatus.BadSig, Assert.Single(VerifyAll(badSig, ref first)));
        Assert.Equal(TsigError.BadSig, first.PeerError);

        var stranger = TsigKey.Generate(DnsName.Parse("stranger.example."), TsigAlgorithm.HmacSha256);
        var badKey = await AskOverTcp(knot.Port, SignedQuery(stranger, RecordType.SOA, out var second), transfer: false);
        Assert.Equal(TsigStatus.BadKey, Assert.Single(VerifyAll(badKey, ref second)));
        Assert.Equal(TsigError.BadKey, second.PeerError);
    }
}
