using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Server.Pipeline;

/// <summary>
/// The CHAOS-class names operators ask a server about itself: <c>version.bind</c> and
/// <c>version.server</c> (the software version), <c>hostname.bind</c> and <c>id.server</c> (which
/// node answered, RFC 4892). Each is answered with a TXT when configured and refused when hidden;
/// any other CHAOS name is refused, since no zone of that class is served.
/// </summary>
internal sealed class ChaosAnswers
{
    private static readonly byte[] VersionBind = DnsName.Parse("version.bind.").ToLowerWire();
    private static readonly byte[] VersionServer = DnsName.Parse("version.server.").ToLowerWire();
    private static readonly byte[] HostnameBind = DnsName.Parse("hostname.bind.").ToLowerWire();
    private static readonly byte[] IdServer = DnsName.Parse("id.server.").ToLowerWire();

    private readonly byte[]? _version;
    private readonly byte[]? _identity;

    public ChaosAnswers(ServerOptions options)
    {
        _version = string.IsNullOrEmpty(options.Version) ? null : Rdata.Txt(Clip(options.Version));
        _identity = string.IsNullOrEmpty(options.Identity) ? null : Rdata.Txt(Clip(options.Identity));
    }

    /// <summary>A TXT character-string holds at most 255 octets (RFC 1035 §3.3).</summary>
    private static string Clip(string text) => text.Length > 255 ? text[..255] : text;

    public int Answer(ref DnsRequest request, ResponseEnvelope envelope)
    {
        var qname = request.QuestionName;
        byte[]? text = null;
        if (WireName.EqualsIgnoreCase(qname, VersionBind) || WireName.EqualsIgnoreCase(qname, VersionServer))
            text = _version;
        else if (WireName.EqualsIgnoreCase(qname, HostnameBind) || WireName.EqualsIgnoreCase(qname, IdServer))
            text = _identity;
        if (text is null)
        {
            request.ExtendedError = ExtendedErrors.NotAuthoritative;
            return envelope.HeaderOnly(ref request, Rcode.Refused, AnswerKind.Refused);
        }
        var w = envelope.Begin(ref request);
        w.TryWriteQuestion(qname, request.Parsed.QType, request.Parsed.QClass);
        if (request.Parsed.QType is RecordType.TXT or RecordType.ANY)
            w.TryWriteRecord(Section.Answer, qname, RecordType.TXT, RecordClass.CH, 0, text);
        request.Kind = request.Parsed.QType is RecordType.TXT or RecordType.ANY ? AnswerKind.Positive : AnswerKind.NoData;
        return envelope.Finish(ref request, ref w, ResponseEnvelope.Copied(request) | HeaderFlags.AA, Rcode.NoError);
    }
}
