using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Server;

/// <summary>Transport facts the processor needs; it never touches sockets itself.</summary>
public readonly record struct QueryContext(bool OverTcp, System.Net.SocketAddress? Address, System.Net.IPEndPoint? Endpoint = null)
{
    /// <summary>The client's address and port; built on demand so the UDP path allocates nothing.</summary>
    public System.Net.IPEndPoint? Remote =>
        Endpoint ?? (Address is null ? null : (System.Net.IPEndPoint)new System.Net.IPEndPoint(
            Address.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? System.Net.IPAddress.IPv6Any : System.Net.IPAddress.Any, 0).Create(Address));
}

/// <summary>
/// Turns one request into one response, independent of the transport (UDP and TCP loops call it
/// alike). Standard queries are answered from the served zones; other opcodes go to their handlers.
/// Works on caller-owned buffers and does not allocate for ordinary queries.
/// </summary>
public sealed class QueryProcessor
{
    private readonly ServedZones _zones;
    private readonly ServerOptions _options;
    private readonly byte[]? _nsid;

    public QueryProcessor(ServedZones zones, ServerOptions options)
    {
        _zones = zones;
        _options = options;
        _nsid = string.IsNullOrEmpty(options.Nsid) ? null : System.Text.Encoding.UTF8.GetBytes(options.Nsid);
    }

    /// <summary>Answers AXFR/IXFR that arrive over UDP (IXFR may, RFC 1995 §2); set by the host.</summary>
    public ISpecialRequestHandler? Transfers { get; set; }

    /// <summary>Verifies signed queries and signs their answers (RFC 8945); no keys until the host sets its key ring.</summary>
    public Transfers.ITransferSecurity Tsig { get; set; } = new Transfers.TsigTransferSecurity(Protocol.Tsig.TsigKeyRing.Empty);

    /// <summary>Answers NOTIFY (RFC 1996); set by the host.</summary>
    public ISpecialRequestHandler? Notify { get; set; }

    /// <summary>
    /// Processes <paramref name="query"/> into <paramref name="response"/> (at least 512 octets; 65535
    /// for TCP). Returns the response length, or 0 when nothing must be sent (RFC 1035 §7.3: a
    /// message that is itself a response, or too short to carry an ID).
    /// </summary>
    public int Process(ReadOnlySpan<byte> query, Span<byte> response, in QueryContext context)
    {
        if (!DnsHeader.TryRead(query, out var header) || header.IsResponse)
            return 0;

        var request = new ParsedRequest();
        bool wellFormed = ParsedRequest.TryParse(query, header, ref request);

        int maxSize = context.OverTcp ? Math.Min(response.Length, ushort.MaxValue) : UdpLimit(request);
        var w = new DnsMessageWriter(response, maxSize);
        w.Id = header.Id;
        // RD and CD are copied from the query (RFC 1035 §4.1.1, RFC 4035 §3.1.6).
        var copied = (HeaderFlags)header.Flags & (HeaderFlags.RD | HeaderFlags.CD);
        int optReserve = request.Edns.Present ? 11 + (request.WantsNsid && _nsid is not null ? 4 + _nsid.Length : 0) : 0;
        w.Reserve(optReserve);

        if (!wellFormed)
        {
            // RFC 6891 §7: a FORMERR to a query that carried an OPT, even a broken one, carries an
            // OPT too, so the client can tell a format error from a server without EDNS.
            if (request.HasQuestion)
                w.TryWriteQuestion(request.QuestionName(query), request.QType, request.QClass);
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, Rcode.FormErr, request, optReserve);
        }

        if (header.Opcode != Opcode.Query)
        {
            if (Notify is not null && header.Opcode == Opcode.Notify)
                return Notify.Handle(query, response, in request, in context);
            if (request.HasQuestion)
                w.TryWriteQuestion(request.QuestionName(query), request.QType, request.QClass);
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, Rcode.NotImp, request, optReserve);
        }

        if (!request.HasQuestion)
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, Rcode.FormErr, request, optReserve);

        var qname = request.QuestionName(query);
        w.TryWriteQuestion(qname, request.QType, request.QClass);

        // RFC 6891 §6.1.3: versions above 0 get BADVERS, answered with version 0.
        if (request.Edns.Present && request.Edns.Version > 0)
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, Rcode.BadVers, request, optReserve);

        // TYPE 0 is reserved and can never be data (RFC 6895 §3.1): not a kind of query we support.
        if (request.QType == 0)
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, Rcode.NotImp, request, optReserve);

        if (request.QType is RecordType.AXFR or RecordType.IXFR or RecordType.TSIG or RecordType.TKEY or RecordType.OPT)
        {
            // Over UDP the handler gets no more room than any UDP answer: the client's EDNS size
            // capped by ours (RFC 6891 §6.2.5), so an IXFR never goes out as fragments.
            if (request.QType is RecordType.AXFR or RecordType.IXFR && Transfers is not null)
                return Transfers.Handle(query, context.OverTcp ? response : response[..Math.Min(response.Length, maxSize)], in request, in context);
            // Meta-types are not questions a zone can answer; transfers over UDP are not offered.
            var rcode = request.QType is RecordType.AXFR ? (context.OverTcp ? Rcode.Refused : Rcode.NotImp) : Rcode.FormErr;
            if (request.QType == RecordType.IXFR)
                rcode = Rcode.Refused;
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, rcode, request, optReserve);
        }

        // Only class IN is served; QCLASS ANY (RFC 1035 §3.2.5) matches it.
        if (request.QClass is not (RecordClass.IN or RecordClass.ANY))
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, Rcode.Refused, request, optReserve);

        var zones = _zones.Current;
        var zone = zones.FindZone(qname, request.QType);
        if (zone is null)
            return Finish(ref w, copied | HeaderFlags.QR, header.Opcode, Rcode.Refused, request, optReserve);

        // RFC 8945 §5.2: a signed query is verified and its answer signed (secondaries sign their
        // SOA refresh queries); an unknown key (any key, when none are configured) gets NOTAUTH and
        // an unsigned TSIG with error BADKEY (§5.3.2). Transfers and NOTIFY have their own handlers.
        if (request.TsigOffset >= 0)
            return AnswerSigned(query, response, zone, zones, qname, in request, in context, ref w, copied, optReserve);

        var outcome = AuthoritativeAnswer.Write(zone, zones.Defaults, qname, request.QType, ref w, limitSize: !context.OverTcp);
        var flags = copied | HeaderFlags.QR;
        if (outcome.Authoritative)
            flags |= HeaderFlags.AA;
        if (outcome.Truncated)
            flags |= HeaderFlags.TC;
        return Finish(ref w, flags, header.Opcode, outcome.Rcode, request, optReserve);
    }

    private int AnswerSigned(ReadOnlySpan<byte> query, Span<byte> response, ZoneSnapshot zone, ZoneSet zones, ReadOnlySpan<byte> qname,
        in ParsedRequest request, in QueryContext context, ref DnsMessageWriter w, HeaderFlags copied, int optReserve)
    {
        var session = Tsig.Begin(query, request);
        if (session.Error is not null)
        {
            // Header, question and OPT as for any answer; the session appends its error TSIG
            // (none for a malformed TSIG, which is a plain FORMERR).
            int written = Finish(ref w, copied | HeaderFlags.QR, request.Header.Opcode, session.ErrorRcode, request, optReserve);
            return session.ErrorRcode == Rcode.FormErr ? written : session.Finish(response, written);
        }
        w.Reserve(session.SignatureSpace);
        var outcome = AuthoritativeAnswer.Write(zone, zones.Defaults, qname, request.QType, ref w, limitSize: !context.OverTcp);
        var flags = copied | HeaderFlags.QR;
        if (outcome.Authoritative)
            flags |= HeaderFlags.AA;
        if (outcome.Truncated)
            flags |= HeaderFlags.TC;
        int length = Finish(ref w, flags, request.Header.Opcode, outcome.Rcode, request, optReserve);
        return session.Finish(response, length);
    }

    /// <summary>
    /// The UDP response limit: 512 without EDNS (RFC 1035 §4.2.1); with EDNS the client's size,
    /// at least 512 (RFC 6891 §6.2.5), capped by ours.
    /// </summary>
    private int UdpLimit(in ParsedRequest request)
    {
        if (!request.Edns.Present)
            return 512;
        int size = Math.Max(request.Edns.PayloadSize, (ushort)EdnsInfo.MinimumPayloadSize);
        return Math.Min(size, _options.MaxUdpPayload);
    }

    private int Finish(ref DnsMessageWriter w, HeaderFlags flags, Opcode opcode, Rcode rcode, in ParsedRequest request, int optReserve)
    {
        WriteHeaderAndOpt(ref w, flags, opcode, rcode, request, optReserve);
        return w.Finish();
    }

    private void WriteHeaderAndOpt(ref DnsMessageWriter w, HeaderFlags flags, Opcode opcode, Rcode rcode, in ParsedRequest request, int optReserve)
    {
        int code = (int)rcode;
        w.Flags = DnsHeader.MakeFlags(flags, opcode, code & 0xF);
        if (request.Edns.Present)
        {
            w.Release(optReserve);
            Span<byte> options = stackalloc byte[4 + (_nsid?.Length ?? 0)];
            int optLength = 0;
            if (request.WantsNsid && _nsid is not null)
            {
                // RFC 5001 §2.3: NSID in the response only when the query asked for it.
                BinaryPrimitives.WriteUInt16BigEndian(options, EdnsOptionCodes.Nsid);
                BinaryPrimitives.WriteUInt16BigEndian(options[2..], (ushort)_nsid.Length);
                _nsid.CopyTo(options[4..]);
                optLength = 4 + _nsid.Length;
            }
            w.TryWriteOpt(_options.MaxUdpPayload, (byte)(code >> 4), 0, request.Edns.DnssecOk, options[..optLength]);
        }
    }
}

/// <summary>EDNS option codes we act on (IANA "DNS EDNS0 Option Codes").</summary>
public static class EdnsOptionCodes
{
    public const ushort Nsid = 3;
    public const ushort Cookie = 10;
}
