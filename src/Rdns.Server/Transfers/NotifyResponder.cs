using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;

namespace Rdns.Server.Transfers;

/// <summary>
/// Incoming NOTIFY (RFC 1996): acknowledged only from listed peers (by address, and by TSIG key
/// when one is named) or, in secondary mode, from the primaries the <see cref="INotifyReceiver"/>
/// follows; everyone else is REFUSED and logged. A primary has nothing to refresh, so an accepted
/// NOTIFY is simply acknowledged (§4.7); a secondary wakes the zone's refresh (§3.7) and answers
/// NOTAUTH for a zone it does not follow.
/// </summary>
public sealed partial class NotifyResponder(TransferAcl acl, ITransferSecurity security, ILogger logger, INotifyReceiver? receiver = null) : IRequestHandler
{
    public int Handle(ref DnsRequest r)
    {
        var query = r.Query;
        var response = r.Response;
        var request = r.Parsed;
        var session = security.Begin(query, request);
        var remote = r.Source.Client.IsKnown ? r.Source.Client.ToEndPoint() : null;
        if (session.Error is not null)
        {
            Refused(remote?.ToString() ?? "?", session.Error);
            return session.WriteError(query, request, response);
        }
        Rcode rcode = Rcode.NoError;
        if (!request.HasQuestion || request.QType != RecordType.SOA)
            rcode = Rcode.FormErr;
        else if (remote is not null && receiver is not null && receiver.Accepts(remote.Address, session.KeyName))
        {
            var zone = DnsName.FromWire(request.QuestionName(query));
            if (!receiver.Notified(zone, AnnouncedSerial(query, zone)))
                rcode = Rcode.NotAuth;
        }
        else if (remote is null || !acl.Allows(remote.Address, session.KeyName))
        {
            rcode = Rcode.Refused;
            Refused(remote?.ToString() ?? "?", "not an allowed peer");
        }
        var w = new DnsMessageWriter(response, Math.Min(response.Length, 512));
        w.Id = request.Header.Id;
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR | (rcode == Rcode.NoError ? HeaderFlags.AA : 0), Opcode.Notify, (int)rcode);
        w.Reserve(session.SignatureSpace);
        if (request.HasQuestion)
            w.TryWriteQuestion(request.QuestionName(query), request.QType, request.QClass);
        if (rcode == Rcode.NoError)
            LogAccepted(logger, DnsName.FromWire(request.QuestionName(query)).ToString(), remote!.ToString());
        return session.Finish(response, w.Finish());
    }

    /// <summary>RFC 1996 §3.7: the SOA a NOTIFY may carry in its answer section is only a hint of the new serial.</summary>
    private static uint? AnnouncedSerial(ReadOnlySpan<byte> query, DnsName zone)
    {
        if (!DnsMessage.TryParse(query, out var message, out _))
            return null;
        foreach (var r in message.Answers)
        {
            if (r.Type == RecordType.SOA && r.Owner.Equals(zone) && Protocol.Records.Rdata.IsValid(RecordType.SOA, r.Data))
                return Protocol.Records.Rdata.SoaSerial(r.Data);
        }
        return null;
    }

    /// <summary>NOTIFY over UDP can be spoofed: refusals are logged at most once per ten seconds, with a count.</summary>
    private void Refused(string remote, string reason)
    {
        if (_refusals.TryEnter(out long suppressed))
            LogRefused(logger, remote, reason, suppressed);
    }

    private readonly Stages.LogThrottle _refusals = new(TimeSpan.FromSeconds(10));

    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "NOTIFY from {Remote} refused: {Reason} ({Suppressed} more refusals since the last line)")]
    private static partial void LogRefused(ILogger logger, string remote, string reason, long suppressed);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "NOTIFY for {Zone} from {Remote} acknowledged")]
    private static partial void LogAccepted(ILogger logger, string zone, string remote);
}
