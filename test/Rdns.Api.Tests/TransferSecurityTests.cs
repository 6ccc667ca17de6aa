using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests;

/// <summary>
/// Zone transfers are only for listed secondaries with their key: unsigned, wrongly signed,
/// clock-skewed and unlisted requests are each refused; the listed one gets a signed stream.
/// </summary>
public sealed class TransferSecurityTests : IAsyncLifetime
{
    private readonly TsigKey _key = TsigKey.Generate(DnsName.Parse("transfer-key."), TsigAlgorithm.HmacSha256);
    private ApiHost _api = null!;
    private string _folder = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-xfr-").FullName;
        var keyFile = Path.Combine(_folder, "keys.conf");
        await File.WriteAllTextAsync(keyFile, _key.ToBindText());
        // The listed secondary is 127.0.0.1 with the key; nothing listens on its NOTIFY port.
        _api = await ApiHost.StartAsync(configure: s =>
        {
            s.TsigKeys = keyFile;
            s.Secondaries = ["127.0.0.1:9@transfer-key"];
        });
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
        for (int i = 1; i <= 3; i++)
            await _api.Send(HttpMethod.Put, $"/v1/ptr/192.0.2.{i}", ApiHost.Json(new { ptrdname = $"host{i}.example.net" }), HttpStatusCode.OK);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    /// <summary>Sends a (possibly signed) transfer request over TCP from <paramref name="source"/>; returns every message.</summary>
    private async Task<List<byte[]>> TransferAsync(RecordType type, TsigKey? key, TimeProvider? clock = null, string source = "127.0.0.1", uint? ixfrSerial = null) =>
        (await SignedTransferAsync(type, key, clock, source, ixfrSerial)).Messages;

    private async Task<(List<byte[]> Messages, TsigExchange Exchange)> SignedTransferAsync(RecordType type, TsigKey? key, TimeProvider? clock = null, string source = "127.0.0.1", uint? ixfrSerial = null)
    {
        var query = DnsMessage.Query(Zone, type, id: 4321);
        if (ixfrSerial is { } serial)
            query.Authority.Add(new ResourceRecord(Zone, RecordType.SOA, 0, Rdata.Soa(Zone, Zone, serial, 0, 0, 0, 0)));
        var wire = new byte[4096];
        var body = query.ToWire();
        body.CopyTo(wire, 0);
        int length = body.Length;
        TsigExchange exchange = default;
        if (key is not null)
            Assert.True(new TsigSigner(clock).TrySignRequest(wire, ref length, key, out exchange));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        await socket.ConnectAsync(_api.DnsEndpoint);
        var framed = new byte[length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)length);
        wire.AsSpan(0, length).CopyTo(framed.AsSpan(2));
        await socket.SendAsync(framed);
        var messages = new List<byte[]>();
        int soaSeen = 0;
        while (true)
        {
            var len = new byte[2];
            if (!await ReadAsync(socket, len))
                break;
            var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
            Assert.True(await ReadAsync(socket, message));
            messages.Add(message);
            var parsed = DnsMessage.Parse(message);
            soaSeen += parsed.Answers.Count(r => r.Type == RecordType.SOA);
            if (parsed.Rcode != 0 || parsed.Answers.Count == 0 || (type == RecordType.AXFR ? soaSeen >= 2 : soaSeen >= 2 || IsSingleSoa(parsed)))
                break;
        }
        return (messages, exchange);
    }

    private static bool IsSingleSoa(DnsMessage m) => m.Answers.Count == 1 && m.Answers[0].Type == RecordType.SOA;

    private static async Task<bool> ReadAsync(Socket socket, byte[] buffer)
    {
        int read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    private static (int Rcode, TsigError? Error) Outcome(byte[] message)
    {
        var m = DnsMessage.Parse(message);
        if (m.Tsig is null)
            return (m.Rcode, null);
        // TSIG RDATA: algorithm name, time (6), fudge (2), MAC size (2) + MAC, original id (2), error (2), ...
        var data = m.Tsig.Data;
        int pos = 0;
        while (data[pos] != 0)
            pos += 1 + data[pos];
        pos += 1 + 6 + 2;
        int macSize = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(pos));
        pos += 2 + macSize + 2;
        return (m.Rcode, (TsigError)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(pos)));
    }

    [Fact]
    public async Task The_listed_secondary_with_its_key_gets_a_signed_axfr()
    {
        var (messages, exchange) = await SignedTransferAsync(RecordType.AXFR, _key);
        var verifier = new TsigVerifier(new TsigKeyRing(_key));
        foreach (var m in messages)
        {
            Assert.True(TsigVerifier.TryFindTsig(m, out int offset));
            Assert.Equal(TsigStatus.Verified, verifier.VerifyResponse(m, offset, ref exchange));
        }
        var records = messages.SelectMany(m => DnsMessage.Parse(m).Answers).ToList();
        Assert.Equal(RecordType.SOA, records[0].Type);
        Assert.Equal(RecordType.SOA, records[^1].Type);
        Assert.Contains(records, r => r.Type == RecordType.PTR && Rdata.ReadName(r.Data).ToString() == "host3.example.net.");
    }

    [Fact]
    public async Task Ixfr_sends_only_the_changes_and_a_current_secondary_gets_the_soa_alone()
    {
        uint current = Rdata.SoaSerial(_api.Dns("2.0.192.in-addr.arpa.", RecordType.SOA).Answers[0].Data);
        var increments = (await TransferAsync(RecordType.IXFR, _key, ixfrSerial: current - 2)).SelectMany(m => DnsMessage.Parse(m).Answers).ToList();
        // SOA(new), [SOA(old) removed SOA(new) added] x2, SOA(new).
        Assert.Equal(RecordType.SOA, increments[0].Type);
        Assert.Equal(current, Rdata.SoaSerial(increments[0].Data));
        Assert.Equal(current - 2, Rdata.SoaSerial(increments[1].Data));
        Assert.Contains(increments, r => r.Type == RecordType.PTR && Rdata.ReadName(r.Data).ToString() == "host3.example.net.");
        Assert.DoesNotContain(increments, r => r.Type == RecordType.PTR && Rdata.ReadName(r.Data).ToString() == "host1.example.net.");
        var same = (await TransferAsync(RecordType.IXFR, _key, ixfrSerial: current)).SelectMany(m => DnsMessage.Parse(m).Answers).ToList();
        Assert.Equal(RecordType.SOA, Assert.Single(same).Type);
    }

    [Fact]
    public async Task Without_a_key_the_transfer_is_refused()
    {
        var reply = Assert.Single(await TransferAsync(RecordType.AXFR, key: null));
        Assert.Equal((int)Rcode.Refused, Outcome(reply).Rcode);
        Assert.Empty(DnsMessage.Parse(reply).Answers);
    }

    [Fact]
    public async Task With_a_wrong_secret_it_is_badsig_and_with_an_unknown_key_badkey()
    {
        var impostor = TsigKey.Generate(DnsName.Parse("transfer-key."), TsigAlgorithm.HmacSha256);
        var badSig = Outcome(Assert.Single(await TransferAsync(RecordType.AXFR, impostor)));
        Assert.Equal(((int)Rcode.NotAuth, TsigError.BadSig), (badSig.Rcode, badSig.Error));
        var stranger = TsigKey.Generate(DnsName.Parse("someone-else."), TsigAlgorithm.HmacSha256);
        var badKey = Outcome(Assert.Single(await TransferAsync(RecordType.AXFR, stranger)));
        Assert.Equal(((int)Rcode.NotAuth, TsigError.BadKey), (badKey.Rcode, badKey.Error));
    }

    [Fact]
    public async Task With_a_skewed_clock_it_is_badtime()
    {
        var skewed = new SkewedClock(TimeSpan.FromMinutes(10));
        var reply = Outcome(Assert.Single(await TransferAsync(RecordType.AXFR, _key, skewed)));
        Assert.Equal(((int)Rcode.NotAuth, TsigError.BadTime), (reply.Rcode, reply.Error));
    }

    [Fact]
    public async Task From_an_unlisted_address_it_is_refused_even_with_the_key()
    {
        var reply = Assert.Single(await TransferAsync(RecordType.AXFR, _key, source: "127.0.0.2"));
        Assert.Equal((int)Rcode.Refused, Outcome(reply).Rcode);
        Assert.Empty(DnsMessage.Parse(reply).Answers);
    }

    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }
}
