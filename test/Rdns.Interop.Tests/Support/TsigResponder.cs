using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;
using Rdns.Server;

namespace Rdns.Interop.Tests.Support;

/// <summary>
/// A tiny authoritative peer on 127.0.0.1 (UDP and TCP on one port) that checks the TSIG of every
/// request with our verifier and answers as a server must: a signed SOA answer, a signed AXFR
/// stream of several messages, or the RFC 8945 error answer. Built only on our reader, writer,
/// signer and verifier, so real clients such as kdig judge exactly what the library produces.
/// </summary>
public sealed class TsigResponder : IAsyncDisposable
{
    public static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    private readonly TsigVerifier _verifier;
    private readonly TsigSigner _signer;
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    public TsigResponder(TsigKeyRing keys, TimeProvider? clock = null)
    {
        _verifier = new TsigVerifier(keys, clock);
        _signer = new TsigSigner(clock);
        _tcp = new TcpListener(IPAddress.Loopback, 0);
        _tcp.Start();
        Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(ServeTcpAsync);
    }

    public int Port { get; }

    /// <summary>Every request received, raw, with what our verifier said about its TSIG.</summary>
    public ConcurrentQueue<(byte[] Request, TsigStatus? Status)> Requests { get; } = new();

    /// <summary>Messages of an AXFR answer (each signed, §5.3.1).</summary>
    public int TransferMessages { get; init; } = 3;

    /// <summary>A message of the AXFR stream that is signed but not sent, to show that the chain breaks.</summary>
    public int? DropTransferMessage { get; init; }

    /// <summary>Flips a bit of every answer's MAC after signing, to show that the client checks it.</summary>
    public bool DamageMac { get; init; }

    /// <summary>Flips a bit of the MAC of this message of an AXFR stream only.</summary>
    public int? DamageTransferMessage { get; init; }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        var remote = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, remote, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            foreach (var answer in Answer(buffer.AsSpan(0, received.ReceivedBytes).ToArray(), overTcp: false))
                await _udp.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint);
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var prefix = new byte[2];
                    while (true)
                    {
                        try
                        {
                            await stream.ReadExactlyAsync(prefix, _stop.Token);
                        }
                        catch (Exception)
                        {
                            return;
                        }
                        var request = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                        await stream.ReadExactlyAsync(request, _stop.Token);
                        foreach (var answer in Answer(request, overTcp: true))
                        {
                            var framed = new byte[answer.Length + 2];
                            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                            answer.CopyTo(framed, 2);
                            await stream.WriteAsync(framed, _stop.Token);
                        }
                    }
                }
            });
        }
    }

    /// <summary>What a server does with one request, the way Rdns.Server will: parse, verify, answer, sign.</summary>
    private List<byte[]> Answer(byte[] request, bool overTcp)
    {
        var parsed = new ParsedRequest();
        if (!DnsHeader.TryRead(request, out var header) || !ParsedRequest.TryParse(request, header, ref parsed) || !parsed.HasQuestion)
        {
            Requests.Enqueue((request, null));
            return [];
        }
        var exchange = default(TsigExchange);
        TsigStatus? status = null;
        if (parsed.TsigOffset >= 0)
        {
            status = _verifier.VerifyRequest(request, parsed.TsigOffset, out exchange);
            if (status == TsigStatus.FormErr)
                exchange = default;
        }
        Requests.Enqueue((request, status));

        var rcode = status switch
        {
            null or TsigStatus.Verified => Rcode.NoError,
            TsigStatus.FormErr => Rcode.FormErr,
            _ => Rcode.NotAuth,
        };
        bool transfer = parsed.QType == RecordType.AXFR && overTcp && rcode == Rcode.NoError;
        int count = transfer ? TransferMessages : 1;
        var answers = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var buffer = new byte[65535];
            var w = new DnsMessageWriter(buffer, overTcp ? 65535 : 512)
            {
                Id = header.Id,
                Flags = DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, header.Opcode, (int)rcode),
            };
            w.Reserve(exchange.MaxRecordLength);
            w.TryWriteQuestion(parsed.QuestionName(request), parsed.QType, parsed.QClass);
            if (rcode == Rcode.NoError)
                WriteRecords(ref w, transfer ? i : -1, last: i == count - 1);
            w.Release(exchange.MaxRecordLength);
            int length = w.Finish();
            if (exchange.KeyName is not null && !_signer.TrySign(buffer, ref length, ref exchange))
                throw new InvalidOperationException("the reserved room did not hold the TSIG record");
            if ((DamageMac || DamageTransferMessage == i) && exchange.Key is not null)
                buffer[FirstMacOctet(buffer.AsSpan(0, length))] ^= 0x01;
            if (i != DropTransferMessage)
                answers.Add(buffer[..length]);
        }
        return answers;
    }

    private static int FirstMacOctet(ReadOnlySpan<byte> message)
    {
        if (!TsigVerifier.TryFindTsig(message, out int tsig) || tsig < 0)
            throw new InvalidOperationException("no TSIG record to damage");
        int rdata = WireName.Skip(message, tsig) + 10;
        return WireName.Skip(message, rdata) + 10;
    }

    private static readonly byte[] Soa = Rdata.Soa(DnsName.Parse("ns.example."), DnsName.Parse("hostmaster.example."), 7, 3600, 600, 86400, 300);

    /// <summary>The SOA for a query; for AXFR message <paramref name="part"/>, the SOA first and last and PTRs between.</summary>
    private static void WriteRecords(ref DnsMessageWriter w, int part, bool last)
    {
        if (part <= 0)
            w.TryWriteRecord(Section.Answer, Zone.Wire, RecordType.SOA, RecordClass.IN, 3600, Soa);
        if (part < 0)
            return;
        for (int i = 1; i <= 20; i++)
        {
            int host = part * 20 + i;
            w.TryWriteRecord(Section.Answer, Zone.Prepend(host.ToString(System.Globalization.CultureInfo.InvariantCulture)).Wire,
                RecordType.PTR, RecordClass.IN, 3600, Rdata.Ptr(DnsName.Parse($"host{host}.example.")));
        }
        if (last)
            w.TryWriteRecord(Section.Answer, Zone.Wire, RecordType.SOA, RecordClass.IN, 3600, Soa);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _tcp.Stop();
        _udp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop);
        _stop.Dispose();
    }
}

/// <summary>The real clock moved by a fixed amount, to put a peer outside the TSIG time window.</summary>
public sealed class SkewedClock(TimeSpan skew) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
}
