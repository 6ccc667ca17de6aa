using System.Text;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Server.Stages;
using Rdns.Server.Transfers;
using Rdns.Zones;
using Rdns.Zones.Writes;

using Rdns.Zones.Updates;

namespace Rdns.Server.Update;

/// <summary>
/// DNS UPDATE (RFC 2136) over UDP and TCP. In order: the TSIG signature (RFC 8945: a bad one is
/// NOTAUTH with its TSIG error), the zone section (FORMERR, or NOTAUTH for a zone not ours,
/// §3.1), the requester's right to update the zone at all (REFUSED, §3.3, as BIND's allow-update),
/// then, at commit time on the zone as it is then: prerequisites (§3.2), the per-record policy
/// (§3.3), the prescan (§3.4.1) and the updates (§3.4.2). One message is one atomic, durable
/// changeset with one new serial; the answer goes out only after the commit is durable. Every
/// accepted update is audited in its own transaction, every refused one through
/// <see cref="IUpdateAuditLog"/>. An UPDATE a view matched (by its client, listener or key) changes
/// that view's zone through that view's writer (<see cref="IViewWriters"/>), under the same key policies.
/// </summary>
public sealed partial class UpdateHandler(IZoneWriter writer, ITransferSecurity tsig, IUpdateAuthorizer authorizer, IUpdateAuditLog audit, ILogger logger,
    IViewWriters? views = null)
    : IDeferredRequestHandler
{
    /// <summary>Audit details are cut here: a 64 KiB UPDATE must not make a 64 KiB audit row.</summary>
    private const int MaxDetail = 2000;

    private readonly LogThrottle _refusals = new(TimeSpan.FromSeconds(10));

    public async Task<int> HandleAsync(PendingRequest request, CancellationToken cancellationToken)
    {
        var parsed = request.Parsed;
        var session = tsig.Begin(request.Query.Span, parsed);
        var client = request.Source.Client.IsKnown ? request.Source.Client.ToIPAddress() : null;
        string remote = client?.ToString() ?? "(local)";
        if (session.Error is not null)
        {
            Refuse("tsig:?", ZoneText(request), remote, session.Error, session.ErrorRcode, "");
            return session.WriteError(request.Query.Span, parsed, request.Response.Span);
        }
        string actor = session.KeyName is null ? "unsigned" : $"tsig:{session.KeyName}";
        if (!UpdateMessage.TryParse(request.Query.Span, out var update, out var formError))
        {
            Refuse(actor, ZoneText(request), remote, formError, Rcode.FormErr, "");
            return Respond(request, session, Rcode.FormErr);
        }
        string asked = Describe(update.Updates);
        var view = request.Zones.View;
        var zone = request.Zones.Get(update.Zone);
        var target = Addressing.ViewName.IsPublic(view) ? writer : views?.ForView(view);
        if (zone is null || update.ZoneClass != RecordClass.IN || target is null)
        {
            // §3.1.2: not a zone we are authoritative for (in the view that matched the request).
            Refuse(actor, update.Zone.ToString(), remote, $"zone {update.Zone} is not hosted here{InView(view)}", Rcode.NotAuth, asked);
            return Respond(request, session, Rcode.NotAuth);
        }
        var origin = zone.Origin;

        var authorization = await authorizer.AuthorizeAsync(new UpdateRequester(session.KeyName, client) { View = view }, origin, cancellationToken).ConfigureAwait(false);
        if (authorization.Permission is not { } permission)
        {
            Refuse(actor, origin.ToString(), remote, (authorization.Refusal ?? "not allowed") + InView(view), Rcode.Refused, asked);
            return Respond(request, session, Rcode.Refused);
        }

        // What can be judged without the zone is judged now; the outcome is applied at commit
        // time in the RFC's order (prerequisites first), so the RCODE is the one RFC 2136 gives.
        var prescan = UpdateProcessor.Prescan(origin, update.ZoneClass, update.Updates);
        var denied = prescan.IsOk ? FirstDenied(permission, origin, update.Updates) : null;
        UpdateContentVerdict? content = null;
        if (prescan.IsOk && denied is null && permission.Content is { } check)
            content = await check.CheckAsync(origin, update.Updates, cancellationToken).ConfigureAwait(false);

        var write = new ZoneWrite(
            [new ZoneEdit(origin, []) { Decide = snapshot => Decide(snapshot, update, permission, prescan, denied, content) }],
            new WriteAudit(permission.Actor, "dns.update", origin + InView(view), asked, remote) { Describe = DescribeChanges })
        {
            AuditAlways = true,
            Attachment = content?.Attachment,
        };
        Rcode rcode;
        try
        {
            await target.WriteAsync(write, cancellationToken).ConfigureAwait(false);
            LogAccepted(logger, origin.ToString(), permission.Actor, remote);
            rcode = Rcode.NoError;
        }
        catch (WriteException e)
        {
            rcode = e.DnsRcode;
            Refuse(permission.Actor, origin.ToString(), remote, e.Message, rcode, asked);
        }
        catch (ZoneDataException e)
        {
            // A rule of zone data the RFC does not cover (a type a reverse zone does not take, a
            // DNAME with names below it): refused, nothing written.
            rcode = Rcode.Refused;
            Refuse(permission.Actor, origin.ToString(), remote, e.Message, rcode, asked);
        }
        return Respond(request, session, rcode);
    }

    private static IReadOnlyList<RecordEdit> Decide(ZoneSnapshot zone, UpdateMessage update, UpdatePermission permission,
        UpdateOutcome prescan, string? denied, UpdateContentVerdict? content)
    {
        var prerequisites = UpdateProcessor.CheckPrerequisites(zone, update.ZoneClass, update.Prerequisites);
        if (!prerequisites.IsOk)
            throw Failure(prerequisites.Rcode, prerequisites.Reason!);
        if (denied is not null)
            throw Failure(Rcode.Refused, denied);
        // A delete of every RRset at a name is allowed only when the key may touch each type the
        // name holds now (BIND's rule; Kea removes a lease's records this way).
        foreach (var (owner, type) in UpdateProcessor.Touched(zone, update.Updates))
        {
            if (!permission.Allows(zone.Origin, owner, type))
                throw Failure(Rcode.Refused, $"{permission.Actor} may not change {owner} {RecordTypeText.ToText(type)}");
        }
        if (!prescan.IsOk)
            throw Failure(prescan.Rcode, prescan.Reason!);
        if (content?.Refusal is { } refusal)
            throw Failure(Rcode.Refused, refusal);
        return UpdateProcessor.Apply(zone, update.ZoneClass, update.Updates);
    }

    private static string InView(string view) => Addressing.ViewName.IsPublic(view) ? "" : $" (view {view})";

    private static WriteException Failure(Rcode rcode, string reason) =>
        new(WriteError.Refused, "update_refused", reason) { Rcode = rcode };

    /// <summary>The first update a rule set does not allow (deletes of a whole name are judged at commit time).</summary>
    private static string? FirstDenied(UpdatePermission permission, DnsName zone, IReadOnlyList<UpdateRecord> updates)
    {
        foreach (var rr in updates)
        {
            if (rr.Class == RecordClass.ANY && rr.Type == RecordType.ANY)
                continue;
            if (!permission.Allows(zone, rr.Owner, rr.Type))
                return $"{permission.Actor} may not change {rr.Owner} {RecordTypeText.ToText(rr.Type)}";
        }
        return null;
    }

    /// <summary>RFC 2136 §3.8: the answer echoes the zone section; an OPT when the request had one; signed as the request was.</summary>
    private static int Respond(PendingRequest request, ITransferSession session, Rcode rcode)
    {
        var buffer = request.Response.Span;
        var parsed = request.Parsed;
        const int optSize = 11;
        bool edns = parsed.Edns.Present;
        var w = new DnsMessageWriter(buffer, Math.Min(buffer.Length, request.ResponseLimit));
        w.Id = parsed.Header.Id;
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR, Opcode.Update, (int)rcode & 0xF);
        w.Reserve(session.SignatureSpace + (edns ? optSize : 0));
        if (parsed.HasQuestion)
            w.TryWriteQuestion(parsed.QuestionName(request.Query.Span), parsed.QType, parsed.QClass);
        if (edns)
        {
            w.Release(optSize);
            w.TryWriteOpt(EdnsInfo.DefaultPayloadSize, 0, 0, false);
        }
        return session.Finish(buffer, w.Finish());
    }

    private void Refuse(string actor, string zone, string remote, string reason, Rcode rcode, string asked)
    {
        string detail = $"{RcodeText(rcode)}: {reason}" + (asked.Length == 0 ? "" : $"; asked: {asked}");
        audit.Refused(new WriteAudit(actor, "dns.update.refused", zone, Cut(detail), remote));
        // UDP requests can be spoofed: at most one line per ten seconds, with a count of the rest.
        if (_refusals.TryEnter(out long suppressed))
            LogRefused(logger, zone, actor, remote, RcodeText(rcode), reason, suppressed);
    }

    private static string ZoneText(PendingRequest request) =>
        request.Parsed.HasQuestion ? DnsName.FromWire(request.Parsed.QuestionName(request.Query.Span)).ToString() : "?";

    public static string RcodeText(Rcode rcode) => rcode switch
    {
        Rcode.NoError => "NOERROR",
        Rcode.FormErr => "FORMERR",
        Rcode.ServFail => "SERVFAIL",
        Rcode.NXDomain => "NXDOMAIN",
        Rcode.NotImp => "NOTIMP",
        Rcode.Refused => "REFUSED",
        Rcode.YXDomain => "YXDOMAIN",
        Rcode.YXRRSet => "YXRRSET",
        Rcode.NXRRSet => "NXRRSET",
        Rcode.NotAuth => "NOTAUTH",
        Rcode.NotZone => "NOTZONE",
        _ => ((int)rcode).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Describe(IReadOnlyList<UpdateRecord> updates)
    {
        var sb = new StringBuilder();
        foreach (var rr in updates)
        {
            if (sb.Length > 0)
                sb.Append("; ");
            sb.Append(rr);
            if (sb.Length > MaxDetail)
                break;
        }
        return Cut(sb.ToString());
    }

    /// <summary>The audit detail of an accepted update: what it removed and added, the SOA aside.</summary>
    private static string? DescribeChanges(IReadOnlyList<Changeset> changes)
    {
        var sb = new StringBuilder();
        foreach (var change in changes)
        {
            sb.Append("serial ").Append(change.FromSerial).Append(" -> ").Append(change.ToSerial);
            foreach (var r in change.Removed.Where(r => r.Type != RecordType.SOA))
                sb.Append("; -").Append(r.Owner).Append(' ').Append(RecordTypeText.ToText(r.Type)).Append(' ').Append(Rdata.ToText(r.Type, r.Data));
            foreach (var r in change.Added.Where(r => r.Type != RecordType.SOA))
                sb.Append("; +").Append(r.Owner).Append(' ').Append(r.Ttl).Append(' ').Append(RecordTypeText.ToText(r.Type)).Append(' ').Append(Rdata.ToText(r.Type, r.Data));
            if (sb.Length > MaxDetail)
                break;
        }
        return sb.Length == 0 ? "no change" : Cut(sb.ToString());
    }

    private static string Cut(string text) => text.Length <= MaxDetail ? text : text[..MaxDetail] + " …";

    [LoggerMessage(EventId = 440, Level = LogLevel.Warning, Message = "UPDATE of {Zone} by {Actor} from {Remote} refused, {Rcode}: {Reason} ({Suppressed} more refusals since the last line)")]
    private static partial void LogRefused(ILogger logger, string zone, string actor, string remote, string rcode, string reason, long suppressed);

    [LoggerMessage(EventId = 441, Level = LogLevel.Debug, Message = "UPDATE of {Zone} by {Actor} from {Remote} applied")]
    private static partial void LogAccepted(ILogger logger, string zone, string actor, string remote);
}
