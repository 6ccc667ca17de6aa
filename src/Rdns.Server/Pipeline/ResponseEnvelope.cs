using System.Buffers.Binary;
using Rdns.Protocol.Wire;

namespace Rdns.Server.Pipeline;

/// <summary>
/// What every response the pipeline writes itself shares: the ID, RD and CD copied from the query,
/// the size limit of the transport, and an OPT record when the query had one, carrying NSID when
/// asked, the options stages added and an Extended DNS Error when one was set. Room for the OPT is
/// reserved before anything else is written, so it always fits.
/// </summary>
internal sealed class ResponseEnvelope
{
    /// <summary>OPT's fixed part: root owner (1), type, class, TTL, RDLENGTH (10).</summary>
    private const int OptFixed = 11;

    /// <summary>An EDE option without extra text: code, length, info-code (RFC 8914 §2).</summary>
    private const int EdeSize = 6;

    private readonly ServerOptions _options;
    private readonly byte[]? _nsid;

    public ResponseEnvelope(ServerOptions options)
    {
        _options = options;
        _nsid = string.IsNullOrEmpty(options.Nsid) ? null : System.Text.Encoding.UTF8.GetBytes(options.Nsid);
    }

    /// <summary>
    /// The UDP response limit: 512 without EDNS (RFC 1035 §4.2.1); with EDNS the client's size,
    /// at least 512 (RFC 6891 §6.2.5), capped by ours. TCP: the buffer, at most 65,535.
    /// </summary>
    public int Limit(in DnsRequest request)
    {
        if (request.OverTcp)
            return Math.Min(request.Response.Length, ushort.MaxValue);
        if (!request.Parsed.Edns.Present)
            return Math.Min(request.Response.Length, 512);
        int size = Math.Max(request.Parsed.Edns.PayloadSize, (ushort)EdnsInfo.MinimumPayloadSize);
        return Math.Min(request.Response.Length, Math.Min(size, _options.MaxUdpPayload));
    }

    /// <summary>Octets the OPT of this response needs.</summary>
    public int OptSpace(in DnsRequest request) =>
        !request.Parsed.Edns.Present ? 0
            : OptFixed + (request.Parsed.WantsNsid && _nsid is not null ? 4 + _nsid.Length : 0) + request.StageOptions.Length + EdeSize
              + (Keepalive(request) ? KeepaliveSize : 0);

    /// <summary>edns-tcp-keepalive with its timeout: code, length, two octets (RFC 7828 §3.1).</summary>
    private const int KeepaliveSize = 6;

    /// <summary>RFC 7828 §3.2.2: only over TCP, and only to a query that carried the option (over UDP it is ignored).</summary>
    private static bool Keepalive(in DnsRequest request) =>
        request.OverTcp && request.Parsed.WantsKeepalive && request.Source.KeepaliveUnits > 0;

    /// <summary>A writer over the response with ID set and the OPT's room reserved.</summary>
    public DnsMessageWriter Begin(scoped ref DnsRequest request)
    {
        var w = new DnsMessageWriter(request.Response, Limit(request));
        w.Id = request.Header.Id;
        w.Reserve(OptSpace(request));
        return w;
    }

    /// <summary>RD and CD as the query had them (RFC 1035 §4.1.1, RFC 4035 §3.1.6), with QR.</summary>
    public static HeaderFlags Copied(in DnsRequest request) =>
        ((HeaderFlags)request.Header.Flags & (HeaderFlags.RD | HeaderFlags.CD)) | HeaderFlags.QR;

    /// <summary>Writes the header and the OPT, and records the outcome on the request; returns the length.</summary>
    public int Finish(scoped ref DnsRequest request, scoped ref DnsMessageWriter w, HeaderFlags flags, Rcode rcode)
    {
        WriteHeaderAndOpt(ref request, ref w, flags, rcode);
        request.Rcode = rcode;
        request.Length = w.Finish();
        return request.Length;
    }

    /// <summary>Header and OPT only; for callers that finish the message themselves (TSIG signs it afterwards).</summary>
    public void WriteHeaderAndOpt(scoped ref DnsRequest request, scoped ref DnsMessageWriter w, HeaderFlags flags, Rcode rcode)
    {
        int code = (int)rcode;
        w.Flags = DnsHeader.MakeFlags(flags, request.Header.Opcode, code & 0xF);
        if (!request.Parsed.Edns.Present)
            return;
        w.Release(OptSpace(request));
        int nsidLength = request.Parsed.WantsNsid && _nsid is not null ? 4 + _nsid.Length : 0;
        var stage = request.StageOptions;
        Span<byte> options = stackalloc byte[nsidLength + stage.Length + EdeSize + KeepaliveSize];
        int length = 0;
        if (nsidLength > 0)
        {
            // RFC 5001 §2.3: NSID in the response only when the query asked for it.
            BinaryPrimitives.WriteUInt16BigEndian(options, EdnsOptionCodes.Nsid);
            BinaryPrimitives.WriteUInt16BigEndian(options[2..], (ushort)_nsid!.Length);
            _nsid.CopyTo(options[4..]);
            length = nsidLength;
        }
        stage.CopyTo(options[length..]);
        length += stage.Length;
        if (Keepalive(request))
        {
            BinaryPrimitives.WriteUInt16BigEndian(options[length..], EdnsOptionCodes.TcpKeepalive);
            BinaryPrimitives.WriteUInt16BigEndian(options[(length + 2)..], 2);
            BinaryPrimitives.WriteUInt16BigEndian(options[(length + 4)..], request.Source.KeepaliveUnits);
            length += KeepaliveSize;
        }
        if (request.ExtendedError >= 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(options[length..], EdnsOptionCodes.ExtendedError);
            BinaryPrimitives.WriteUInt16BigEndian(options[(length + 2)..], 2);
            BinaryPrimitives.WriteUInt16BigEndian(options[(length + 4)..], (ushort)request.ExtendedError);
            length += EdeSize;
        }
        // DO is copied (RFC 3225 §3); so is Compact Answers OK with it, saying we understood it (RFC 9824 §4).
        var edns = request.Parsed.Edns;
        w.TryWriteOpt(_options.MaxUdpPayload, (byte)(code >> 4), 0, edns.DnssecOk, options[..length], edns.DnssecOk && edns.CompactOk);
    }

    /// <summary>A response of header, question (when there was one) and OPT: errors and refusals.</summary>
    public int HeaderOnly(ref DnsRequest request, Rcode rcode, AnswerKind kind, HeaderFlags? flags = null)
    {
        var w = Begin(ref request);
        if (request.Parsed.HasQuestion)
            w.TryWriteQuestion(request.QuestionName, request.Parsed.QType, request.Parsed.QClass);
        request.Kind = kind;
        return Finish(ref request, ref w, flags ?? Copied(request), rcode);
    }
}

/// <summary>EDNS option codes we act on (IANA "DNS EDNS0 Option Codes").</summary>
public static class EdnsOptionCodes
{
    public const ushort Nsid = 3;
    public const ushort Expire = 9;
    public const ushort Cookie = 10;
    public const ushort TcpKeepalive = 11;
    public const ushort ExtendedError = 15;
}

/// <summary>Extended DNS Error info-codes we send (RFC 8914 §4).</summary>
public static class ExtendedErrors
{
    public const int Other = 0;
    public const int Prohibited = 18;
    public const int NotAuthoritative = 20;
    public const int NotSupported = 21;

    /// <summary>A query for a type that is never a question, such as NXNAME (RFC 9824 §3.5).</summary>
    public const int InvalidQueryType = 30;
}
