using System.Net;
using Rdns.Protocol.Wire;
using Rdns.Server;
using Rdns.Server.Pipeline;
using static Rdns.Fuzz.FuzzTargets;

namespace Rdns.Fuzz;

/// <summary>
/// The query processor on any bytes, over UDP and TCP. The first input octet picks the
/// transport (bit 0: TCP) and the source (bit 1: the listed secondary, else a stranger); the rest
/// is the request. Beyond "nothing escapes", every response must be one a client can use:
/// within the transport's size limit, parseable by our own reader, with the request's ID and
/// opcode, QR set, and FORMERR for every request the parser calls malformed.
/// </summary>
internal sealed class PacketTarget : IFuzzTarget
{
    private static readonly IPAddress Secondary = IPAddress.Parse("192.0.2.53");
    private static readonly IPAddress Stranger = IPAddress.Parse("203.0.113.9");

    private readonly QueryProcessorAdapter _adapter = new(FuzzZones.Build(), new FixedClock(FuzzZones.Now), Secondary);
    private readonly byte[] _response = new byte[65535];
    private readonly Collector _stream = new();
    private readonly SocketAddress _secondaryUdp = new IPEndPoint(Secondary, 5300).Serialize();
    private readonly SocketAddress _strangerUdp = new IPEndPoint(Stranger, 5300).Serialize();
    private readonly IPEndPoint _secondaryTcp = new(Secondary, 5300);
    private readonly IPEndPoint _strangerTcp = new(Stranger, 5300);

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        bool tcp = (input[0] & 1) != 0;
        bool fromSecondary = (input[0] & 2) != 0;
        var query = input[1..];

        bool hasHeader = DnsHeader.TryRead(query, out var header);
        var request = new ParsedRequest();
        bool wellFormed = hasHeader && ParsedRequest.TryParse(query, header, ref request);

        var source = tcp
            ? RequestSource.Tcp(ClientAddress.From(fromSecondary ? _secondaryTcp : _strangerTcp))
            : RequestSource.Udp(ClientAddress.From(fromSecondary ? _secondaryUdp : _strangerUdp));
        var result = _adapter.Pipeline.Process(query, _response, source);
        // What the TCP listener does with a zone transfer: the pipeline's stream.
        if (result.Action == ResponseAction.Stream)
        {
            Check(tcp && wellFormed, "a stream outside TCP, or for a malformed request");
            _stream.Messages = 0;
            _stream.Query = header;
            _adapter.Pipeline.StreamAsync(new PendingRequest(query.ToArray(), new byte[65535], result.Parsed, source, result.Zones), _stream, CancellationToken.None)
                .GetAwaiter().GetResult();
            Check(_stream.Messages > 0, "a zone transfer request got no message at all");
            return;
        }
        int n = result.Length;
        if (n == 0)
        {
            // RFC 1035 §7.3: only responses and fragments shorter than a header go unanswered.
            Check(!hasHeader || header.IsResponse, "a query got no response");
            return;
        }
        Check(hasHeader && !header.IsResponse, "a response or a fragment was answered");
        int limit = tcp ? ushort.MaxValue : UdpLimit(request, wellFormed);
        Check(n <= limit, $"a {(tcp ? "TCP" : "UDP")} response of {n} octets is over its limit of {limit}");
        var answer = CheckResponse(_response.AsSpan(0, n), header);
        if (!wellFormed)
            Check((answer.Rcode & 0xF) == (int)Rcode.FormErr, $"a malformed request got RCODE {answer.Rcode}, not FORMERR");
    }

    /// <summary>RFC 1035 §4.2.1 and RFC 6891 §6.2.5: 512 without EDNS, else the client's size within 512 and ours.</summary>
    private int UdpLimit(in ParsedRequest request, bool wellFormed)
    {
        if (!request.Edns.Present)
            return 512;
        return Math.Min(Math.Max((int)request.Edns.PayloadSize, 512), wellFormed ? _adapter.Options.MaxUdpPayload : ushort.MaxValue);
    }

    /// <summary>Parses a response with our own reader and checks what it must echo of the request.</summary>
    internal static DnsMessage CheckResponse(ReadOnlySpan<byte> response, in DnsHeader query)
    {
        Check(DnsMessage.TryParse(response, out var answer, out var error), $"the response does not parse: {error}");
        Check(answer.Id == query.Id, $"ID {answer.Id} is not the request's {query.Id}");
        Check(answer.Has(HeaderFlags.QR), "QR is not set in a response");
        Check(answer.Opcode == query.Opcode, $"opcode {answer.Opcode} is not the request's {query.Opcode}");
        Check(answer.Questions.Count <= 1, "more than one question in a response");
        return answer;
    }

    /// <summary>Stands in for the TCP connection of a zone transfer; checks every message as it is sent.</summary>
    private sealed class Collector : IResponseStream
    {
        public int Messages;
        public DnsHeader Query;

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            Messages++;
            Check(message.Length is > DnsHeader.Size and <= ushort.MaxValue, $"a transfer message of {message.Length} octets");
            CheckResponse(message.Span, Query);
            return ValueTask.CompletedTask;
        }
    }
}
