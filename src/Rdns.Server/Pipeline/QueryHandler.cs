using Rdns.Protocol.Wire;
using Rdns.Server.Transfers;
using Rdns.Zones;
using Rdns.Zones.Dnssec;

namespace Rdns.Server.Pipeline;

/// <summary>
/// Standard queries (opcode QUERY, not a transfer): the answer of RFC 1034 §4.3.2 from the zone
/// set admission chose, written straight into the response. Signed queries are verified and their
/// answers signed (RFC 8945 §5.2). Allocates nothing for unsigned queries.
/// </summary>
internal sealed class QueryHandler(ResponseEnvelope envelope, ITransferSecurity tsig, ChaosAnswers chaos) : IRequestHandler
{
    public int Handle(ref DnsRequest request)
    {
        if (!request.Parsed.HasQuestion)
            return envelope.HeaderOnly(ref request, Rcode.FormErr, AnswerKind.Error);

        // RFC 6891 §6.1.3: versions above 0 get BADVERS, answered with version 0.
        if (request.Parsed.Edns.Present && request.Parsed.Edns.Version > 0)
            return envelope.HeaderOnly(ref request, Rcode.BadVers, AnswerKind.Error);

        var qtype = request.Parsed.QType;
        // TYPE 0 is reserved and can never be data (RFC 6895 §3.1): not a kind of query we support.
        if (qtype == 0)
            return envelope.HeaderOnly(ref request, Rcode.NotImp, AnswerKind.Error);
        // Meta-types are not questions a zone can answer (transfers have their own handler).
        if (qtype is RecordType.TSIG or RecordType.TKEY or RecordType.OPT)
            return envelope.HeaderOnly(ref request, Rcode.FormErr, AnswerKind.Error);
        // RFC 9824 §3.5: NXNAME only ever appears in an NSEC bitmap; asking for it is a format error.
        if (qtype == RecordType.NXNAME)
        {
            request.ExtendedError = ExtendedErrors.InvalidQueryType;
            return envelope.HeaderOnly(ref request, Rcode.FormErr, AnswerKind.Error);
        }

        if (request.Parsed.QClass == RecordClass.CH)
            return chaos.Answer(ref request, envelope);

        // Only class IN is served; QCLASS ANY (RFC 1035 §3.2.5) matches it.
        if (request.Parsed.QClass is not (RecordClass.IN or RecordClass.ANY))
        {
            request.ExtendedError = ExtendedErrors.NotAuthoritative;
            return envelope.HeaderOnly(ref request, Rcode.Refused, AnswerKind.Refused);
        }

        var qname = request.QuestionName;
        // A small zone kept as a row (SmallZones) is answered from its row: no snapshot is made.
        var zone = request.Zones.FindAnswering(qname, qtype, out var row, request.Prefetched);
        if (zone is null && !row.Found)
        {
            request.ExtendedError = ExtendedErrors.NotAuthoritative;
            return envelope.HeaderOnly(ref request, Rcode.Refused, AnswerKind.Refused);
        }
        request.Zone = zone;
        request.ZoneNameLength = row.Found ? row.OriginLength(qname) : 0;
        // RFC 1034 §4.3.5: a secondary whose copy expired is no longer authoritative for it.
        if (zone is { Expired: true })
            return envelope.HeaderOnly(ref request, Rcode.ServFail, AnswerKind.Error);
        if (request.Parsed.WantsExpire && request.Parsed.Edns.Present)
        {
            // RFC 7314 §2: a primary answers with the SOA EXPIRE of the zone.
            Span<byte> expire = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(expire, zone is null ? row.SoaExpire : Protocol.Records.Rdata.SoaExpire(zone.Soa.Data[0]));
            request.TryAddOption(EdnsOptionCodes.Expire, expire);
        }

        // RFC 8945 §5.2: a signed query is verified and its answer signed (secondaries sign their
        // SOA refresh queries); an unknown key (any key, when none are configured) gets NOTAUTH and
        // an unsigned TSIG with error BADKEY (§5.3.2).
        if (request.Parsed.TsigOffset >= 0)
            return AnswerSigned(ref request, zone, row);

        var w = envelope.Begin(ref request);
        w.TryWriteQuestion(qname, qtype, request.Parsed.QClass);
        var outcome = zone is null
            ? row.Write(request.Zones.Defaults, qname, qtype, ref w, limitSize: !request.OverTcp)
            : AuthoritativeAnswer.Write(zone, request.Zones.Defaults, qname, qtype, ref w, limitSize: !request.OverTcp, Signing(request, zone), request.Prefetched);
        return Finish(ref request, ref w, outcome);
    }

    /// <summary>The zone's signer when the query set DO (RFC 3225) and the zone is signed; none otherwise.</summary>
    private static AnswerSigning Signing(in DnsRequest request, ZoneSnapshot zone) =>
        request.Parsed.Edns.DnssecOk ? new AnswerSigning(request.Zones.SignerOf(zone), request.Parsed.Edns.CompactOk) : default;

    private int AnswerSigned(ref DnsRequest request, ZoneSnapshot? zone, SmallZoneMatch row)
    {
        var session = tsig.Begin(request.Query, request.Parsed);
        var w = envelope.Begin(ref request);
        w.TryWriteQuestion(request.QuestionName, request.Parsed.QType, request.Parsed.QClass);
        if (session.Error is not null)
        {
            // Header, question and OPT as for any answer; the session appends its error TSIG
            // (none for a malformed TSIG, which is a plain FORMERR).
            request.Kind = AnswerKind.Error;
            int written = envelope.Finish(ref request, ref w, ResponseEnvelope.Copied(request), session.ErrorRcode);
            request.Length = session.ErrorRcode == Rcode.FormErr ? written : session.Finish(request.Response, written);
            return request.Length;
        }
        w.Reserve(session.SignatureSpace);
        var outcome = zone is null
            ? row.Write(request.Zones.Defaults, request.QuestionName, request.Parsed.QType, ref w, limitSize: !request.OverTcp)
            : AuthoritativeAnswer.Write(zone, request.Zones.Defaults, request.QuestionName, request.Parsed.QType, ref w, limitSize: !request.OverTcp, Signing(request, zone));
        int length = Finish(ref request, ref w, outcome);
        request.Length = session.Finish(request.Response, length);
        return request.Length;
    }

    private int Finish(scoped ref DnsRequest request, scoped ref DnsMessageWriter w, AnswerOutcome outcome)
    {
        var flags = ResponseEnvelope.Copied(request);
        if (outcome.Authoritative)
            flags |= HeaderFlags.AA;
        if (outcome.Truncated)
            flags |= HeaderFlags.TC;
        request.Kind = outcome.State switch
        {
            AnswerState.Hit => outcome.Synthesized ? AnswerKind.DefaultName : AnswerKind.Positive,
            AnswerState.NoData => AnswerKind.NoData,
            AnswerState.NxDomain => AnswerKind.NxDomain,
            AnswerState.YxDomain => AnswerKind.Error,
            _ => AnswerKind.Referral,
        };
        return envelope.Finish(ref request, ref w, flags, outcome.Rcode);
    }
}
