using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Server.Pipeline;

/// <summary>
/// One request on its way through the pipeline: the message and the caller-owned response buffer,
/// where it came from, what parsing found, what admission chose (the zone set a view serves),
/// and the outcome the handler wrote (rcode, kind, length). Lives on the stack of the transport's
/// loop; stages and handlers take it by reference, so nothing is allocated per query.
/// </summary>
public ref struct DnsRequest
{
    /// <summary>Room for EDNS options stages add to the response (a server cookie is 4 + 8 + 32 octets at most, RFC 7873 §4).</summary>
    public const int StageOptionSpace = 64;

    /// <summary>
    /// A request of <paramref name="query"/>, answered into <paramref name="response"/>; the caller
    /// then points <see cref="SourceRef"/> at where it came from. No parameter is a reference, so
    /// the compiler builds the request in the caller's variable rather than in a copy it then
    /// moves there (about 300 octets per query).
    /// </summary>
    internal DnsRequest(ReadOnlySpan<byte> query, Span<byte> response, Span<byte> stageOptions)
    {
        Query = query;
        Response = response;
        _stageOptions = stageOptions;
        ExtendedError = -1;
        Zones = ZoneSet.Empty;
        View = Addressing.ViewName.Public;
    }

    private readonly Span<byte> _stageOptions;

    public readonly ReadOnlySpan<byte> Query;

    public readonly Span<byte> Response;

    /// <summary>Who sent the request and how: the caller's, referred to rather than copied (80 octets per query).</summary>
    public readonly ref readonly RequestSource Source => ref SourceRef;

    /// <summary>Set by whoever builds the request, right after it is built: the <see cref="RequestSource"/> it refers to, which outlives it.</summary>
    internal ref readonly RequestSource SourceRef;

    /// <summary>The request's header, question, EDNS and TSIG position (parsed once).</summary>
    public ParsedRequest Parsed;

    /// <summary>False when the message is malformed: it gets FORMERR.</summary>
    public bool WellFormed;

    /// <summary>The zones this request is answered from: the served set, or a view's (chosen in admission).</summary>
    public ZoneSet Zones;

    /// <summary>The name of the view admission chose (the public one unless a view's rules matched).</summary>
    public string View;

    /// <summary>The zone that answered, when one did and it is a snapshot (see <see cref="ZoneName"/>).</summary>
    public ZoneSnapshot? Zone;

    /// <summary>When a zone kept as a row answered (no <see cref="Zone"/>): how many octets at the end of the question's name are its origin.</summary>
    public int ZoneNameLength;

    /// <summary>The answering zone's name (wire form), whether it is a snapshot or a row; empty when no zone answered.</summary>
    public readonly ReadOnlySpan<byte> ZoneName =>
        Zone is { } zone ? zone.Origin.Wire : ZoneNameLength > 0 ? QuestionName[^ZoneNameLength..] : default;

    public Rcode Rcode;

    public AnswerKind Kind;

    /// <summary>Length of the response written into <see cref="Response"/>.</summary>
    public int Length;

    public ResponseAction Action;

    /// <summary>An Extended DNS Error info-code to add to the response's OPT (RFC 8914), or -1.</summary>
    public int ExtendedError;

    /// <summary>
    /// The client sent a valid server cookie (RFC 7873 §5.2.3): a stage proved it is not spoofed,
    /// so rate limiting leaves it alone.
    /// </summary>
    public bool ValidCookie;

    /// <summary>The query carried a client cookie (RFC 7873): a client that will retry with a server cookie when told BADCOOKIE.</summary>
    public bool HasClientCookie;

    /// <summary>
    /// The most octets a response to this request may have: over UDP the client's EDNS size
    /// capped by ours (RFC 6891 §6.2.5), 512 without EDNS; over TCP the buffer. Handlers that write
    /// their own responses (transfers) keep within it, so nothing goes out as fragments.
    /// </summary>
    public int ResponseLimit;

    /// <summary>The worker (UDP receive loop) this request runs on; -1 for TCP and in-process callers.</summary>
    public int Worker;

    /// <summary>What the receive loop's prefetch found for this query (its zone, key and entry), so the answer does not look them up again; default: nothing.</summary>
    public PrefetchedQuery Prefetched;

    private int _stageOptionLength;

    /// <summary>Set by the pipeline, so a stage can replace the response with a header-only one.</summary>
    internal ResponseEnvelope? Envelope;

    /// <summary>
    /// Replaces whatever was written with header, question and OPT carrying <paramref name="rcode"/>
    /// (and the options stages added): BADCOOKIE instead of a rate-limited answer, say.
    /// </summary>
    public void RespondWith(Rcode rcode, AnswerKind kind)
    {
        if (Envelope is null)
            throw new InvalidOperationException("no envelope: the request did not come through a pipeline");
        Envelope.HeaderOnly(ref this, rcode, kind);
        Action = ResponseAction.Send;
    }

    public readonly bool OverTcp => Source.Transport == DnsTransport.Tcp;

    public readonly DnsHeader Header => Parsed.Header;

    public readonly ReadOnlySpan<byte> QuestionName => Parsed.QuestionName(Query);

    /// <summary>EDNS options stages added, written into the response's OPT in order.</summary>
    public readonly ReadOnlySpan<byte> StageOptions => _stageOptions[.._stageOptionLength];

    /// <summary>Adds an EDNS option (code, data) to the response; false when it does not fit the room stages have.</summary>
    public bool TryAddOption(ushort code, scoped ReadOnlySpan<byte> data)
    {
        if (_stageOptionLength + 4 + data.Length > _stageOptions.Length)
            return false;
        var into = _stageOptions[_stageOptionLength..];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(into, code);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(into[2..], (ushort)data.Length);
        data.CopyTo(into[4..]);
        _stageOptionLength += 4 + data.Length;
        return true;
    }

    /// <summary>
    /// Cuts the written response down to header and question with TC set: the "slip" of response
    /// rate limiting, which tells a real client to retry over TCP while giving a spoofer nothing to
    /// amplify (the same size as the query's header and question).
    /// </summary>
    public void Slip()
    {
        if (Length < DnsHeader.Size)
            return;
        int question = Parsed.HasQuestion && Parsed.QuestionEnd <= Length ? Parsed.QuestionEnd : DnsHeader.Size;
        Response[2] |= 0x02;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(Response[4..], (ushort)(question > DnsHeader.Size ? 1 : 0));
        Response[6..12].Clear();
        Length = question;
    }

    /// <summary>The response as written (empty until a handler wrote one).</summary>
    public readonly Span<byte> Written => Response[..Length];
}
