using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Server.Transfers;

/// <summary>Older changesets than memory holds, from the store's journal.</summary>
public interface IJournalSource
{
    /// <summary>The changes of <paramref name="zone"/> of <paramref name="view"/> (the same name may be a zone of several views).</summary>
    Task<IReadOnlyList<Changeset>?> GetChangesAsync(string view, DnsName zone, uint fromSerial, CancellationToken cancellationToken);
}

/// <summary>
/// Outgoing zone transfers: AXFR (RFC 5936) and IXFR (RFC 1995) over TCP, streamed in as many
/// messages as the zone needs, and IXFR over UDP when the answer fits in one datagram. Only
/// secondaries on the ACL may transfer; everything else is REFUSED and logged (RFC 5936 §6).
/// </summary>
public sealed partial class ZoneTransferHandler : ITransferHandler
{
    /// <summary>A transfer message may be as large as TCP framing allows (RFC 5936 §2.2).</summary>
    public const int MaxMessage = 65535;

    private readonly TransferAcl _acl;
    private readonly IJournalSource? _journal;
    private readonly ITransferSecurity _security;
    private readonly ILogger _logger;
    private long _sent;
    private long _sentBytes;

    /// <summary>Transfers answered with zone data (AXFR, IXFR, or the SOA alone saying nothing is newer), over TCP and UDP.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Bytes of the DNS messages of those transfers (TCP length prefixes not counted).</summary>
    public long SentBytes => Interlocked.Read(ref _sentBytes);

    public ZoneTransferHandler(TransferAcl acl, IJournalSource? journal, ITransferSecurity? security, ILogger logger)
    {
        _acl = acl;
        _journal = journal;
        _security = security ?? NoTransferSecurity.Instance;
        _logger = logger;
    }

    /// <summary>TCP: AXFR or IXFR as a stream of messages, from the zones the request was admitted to.</summary>
    public async Task StreamAsync(PendingRequest pending, IResponseStream stream, CancellationToken cancellationToken)
    {
        // Borrowed: a secondary that follows every change asks for a transfer per change, and a
        // fresh 64 KiB buffer and compression tables each time are large objects to zero and collect.
        var scratch = _scratch.Rent();
        try
        {
            await StreamAsync(pending, stream, scratch.Writer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _scratch.Return(scratch);
        }
    }

    private readonly TransferScratch.Pool _scratch = new(MaxMessage);

    private async Task StreamAsync(PendingRequest pending, IResponseStream stream, BulkMessageWriter bulk, CancellationToken cancellationToken)
    {
        var buffer = bulk.Buffer;
        var query = pending.Query;
        var request = pending.Parsed;
        var remote = pending.Source.Client.ToEndPoint();
        var qname = DnsName.FromWire(request.QuestionName(query.Span));
        var session = _security.Begin(query.Span, request);
        if (session.Error is not null)
        {
            Refused(request.QType.ToString(), qname.ToString(), remote.Address.ToString(), session.Error);
            int n = session.WriteError(query.Span, request, buffer);
            await stream.SendAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            return;
        }
        var zone = pending.Zones.Get(qname.Wire);
        var refusal = Check(zone, request, remote.Address, session.KeyName, qname);
        if (refusal is not null)
        {
            int n = WriteHeaderOnly(query.Span, request, buffer, refusal.Value, session);
            await stream.SendAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            return;
        }

        TransferPlan plan;
        string kind = "AXFR";
        // A signed zone goes whole, signatures and NSEC chain made for it: its journal holds the
        // record changes, not the signatures they change (RFC 1995 §4 lets IXFR answer in full).
        if (pending.Zones.SignerOf(zone!) is { } signer
            && !(request.QType == RecordType.IXFR && ClientSerial(query.Span, request) is { } current
                 && (current == zone!.Serial || SerialNumber.GreaterThan(current, zone.Serial))))
        {
            plan = new TransferPlan(TransferRecords.SignedAxfr(zone!, signer));
            kind = request.QType == RecordType.IXFR ? "IXFR (full, signed)" : "AXFR (signed)";
        }
        else if (request.QType == RecordType.IXFR)
        {
            var clientSerial = ClientSerial(query.Span, request);
            if (clientSerial is null)
            {
                int n = WriteHeaderOnly(query.Span, request, buffer, Rcode.FormErr, session);
                await stream.SendAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                return;
            }
            (plan, kind) = await IxfrRecordsAsync(pending.Zones.View, zone!, clientSerial.Value, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            plan = TransferPlan.Axfr(zone!);
        }

        int messages = 0;
        long bytes = 0;
        var writer = new TransferMessages(query, request, bulk, plan, session);
        for (int length; (length = writer.Next()) > 0;)
        {
            await stream.SendAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            messages++;
            bytes += length;
        }
        long count = writer.Records;
        Interlocked.Increment(ref _sent);
        Interlocked.Add(ref _sentBytes, bytes);
        // A line per transfer at Information; its names are not made into strings when it is off
        // (a primary following every change sends a transfer per change and secondary).
        if (_logger.IsEnabled(LogLevel.Information))
            LogTransfer(_logger, kind, zone!.Origin.ToString(), zone.Serial, remote.Address.ToString(), count, messages);
    }

    /// <summary>UDP: IXFR only, answered when it fits; otherwise the current SOA alone tells the client to use TCP (RFC 1995 §2).</summary>
    public int Handle(ref DnsRequest r)
    {
        var query = r.Query;
        var response = r.Response;
        var request = r.Parsed;
        var qname = DnsName.FromWire(request.QuestionName(query));
        var session = _security.Begin(query, request);
        if (session.Error is not null)
            return session.WriteError(query, request, response);
        if (request.QType == RecordType.AXFR)
            return WriteHeaderOnly(query, request, response, Rcode.NotImp, session);
        var zone = r.Zones.Get(qname.Wire);
        var refusal = Check(zone, request, r.Source.Client.IsKnown ? r.Source.Client.ToIPAddress() : IPAddress.None, session.KeyName, qname);
        if (refusal is not null)
            return WriteHeaderOnly(query, request, response, refusal.Value, session);
        var clientSerial = ClientSerial(query, request);
        if (clientSerial is null)
            return WriteHeaderOnly(query, request, response, Rcode.FormErr, session);
        // No more room than any UDP answer has (the client's EDNS size capped by ours), so an
        // IXFR that does not fit falls back to the SOA alone (RFC 1995 §2) rather than fragments.
        int limit = r.ResponseLimit > 0 ? r.ResponseLimit : 512;
        var changes = zone!.ChangesSince(clientSerial.Value);
        // A signed zone's increments are not kept with their signatures: the SOA alone sends the client to TCP.
        if (r.Zones.SignerOf(zone) is null && changes is { Count: > 0 } && !SerialNumber.GreaterThan(clientSerial.Value, zone.Serial))
        {
            int n = TryWriteSingle(query, request, response[..Math.Min(limit, response.Length)], TransferRecords.Ixfr(zone, changes), session);
            if (n > 0)
                return CountSent(n);
        }
        return CountSent(TryWriteSingle(query, request, response[..Math.Min(limit, response.Length)], [new TransferRecord(zone.Apex.Name, RecordType.SOA, zone.Soa.Ttl, zone.Soa.Data[0])], session));
    }

    private int CountSent(int length)
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Add(ref _sentBytes, length);
        return length;
    }

    private Rcode? Check(ZoneSnapshot? zone, in ParsedRequest request, IPAddress source, string? keyName, DnsName qname)
    {
        if (request.QClass is not (RecordClass.IN or RecordClass.ANY))
            return Rcode.Refused;
        if (zone is null)
        {
            // RFC 5936 §2.2.1: a server that is not authoritative for the zone answers NOTAUTH,
            // whoever asks (as Knot does); the ACL guards the zones we have.
            Refused(request.QType.ToString(), qname.ToString(), source.ToString(), "zone not hosted here");
            return Rcode.NotAuth;
        }
        if (zone.Expired)
        {
            // RFC 1034 §4.3.5: an expired copy is not ours to hand on.
            Refused(request.QType.ToString(), qname.ToString(), source.ToString(), "the zone expired here (its primary has not been reached for longer than the SOA EXPIRE)");
            return Rcode.ServFail;
        }
        if (!_acl.Allows(source, keyName))
        {
            Refused(request.QType.ToString(), qname.ToString(), source.ToString(), keyName is null ? "not on the transfer ACL" : $"key {keyName} not allowed for this address");
            return Rcode.Refused;
        }
        return null;
    }

    /// <summary>
    /// Refusals are logged at most once per ten seconds with a count of the rest: a refused IXFR
    /// can come over UDP from a spoofed address, and a flood must not become a flood of log lines.
    /// </summary>
    private void Refused(string kind, string zone, string remote, string reason)
    {
        if (_refusals.TryEnter(out long suppressed))
            LogRefused(_logger, kind, zone, remote, reason, suppressed);
    }

    private readonly Stages.LogThrottle _refusals = new(TimeSpan.FromSeconds(10));

    private async Task<(TransferPlan, string)> IxfrRecordsAsync(string view, ZoneSnapshot zone, uint clientSerial, CancellationToken cancellationToken)
    {
        // RFC 1995 §2: a secondary at or past our serial gets our SOA alone.
        if (clientSerial == zone.Serial || SerialNumber.GreaterThan(clientSerial, zone.Serial))
            return (new TransferPlan([new TransferRecord(zone.Apex.Name, RecordType.SOA, zone.Soa.Ttl, zone.Soa.Data[0])]), "IXFR (current)");
        var changes = zone.ChangesSince(clientSerial);
        if (changes is null && _journal is not null)
        {
            var stored = await _journal.GetChangesAsync(view, zone.Origin, clientSerial, cancellationToken).ConfigureAwait(false);
            // The store may already be ahead of this snapshot; use the chain only up to our serial.
            if (stored is not null)
            {
                var upTo = new List<Changeset>();
                foreach (var c in stored)
                {
                    upTo.Add(c);
                    if (c.ToSerial == zone.Serial)
                        break;
                }
                if (upTo.Count > 0 && upTo[^1].ToSerial == zone.Serial)
                    changes = upTo;
            }
        }
        // RFC 1995 §4: when the increments are not available, the whole zone is sent.
        return changes is null ? (TransferPlan.Axfr(zone), "IXFR (full)") : (new TransferPlan(TransferRecords.Ixfr(zone, changes)), "IXFR");
    }

    /// <summary>The serial of the SOA a secondary sends in the authority section of its IXFR query.</summary>
    private static uint? ClientSerial(ReadOnlySpan<byte> query, in ParsedRequest request)
    {
        if (request.Header.NsCount < 1)
            return null;
        var reader = new DnsMessageReader(query);
        reader.TryReadHeader(out _);
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        if (!reader.TryReadQuestion(name, out _, out _, out _))
            return null;
        for (int i = 0; i < request.Header.AnCount; i++)
        {
            if (!reader.TrySkipRecord())
                return null;
        }
        if (!reader.TryReadRecord(name, out var soa) || soa.Type != RecordType.SOA)
            return null;
        if (!DnsMessage.TryDecompressData(query, soa, out var data) || !Rdata.IsValid(RecordType.SOA, data))
            return null;
        return Rdata.SoaSerial(data);
    }

    private static int TryWriteSingle(ReadOnlySpan<byte> query, in ParsedRequest request, Span<byte> buffer, IEnumerable<TransferRecord> records, ITransferSession session)
    {
        var w = new DnsMessageWriter(buffer, Math.Min(buffer.Length, MaxMessage));
        w.Id = request.Header.Id;
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0);
        w.Reserve(session.SignatureSpace);
        w.TryWriteQuestion(request.QuestionName(query), request.QType, request.QClass);
        foreach (var r in records)
        {
            if (!w.TryWriteRecord(Section.Answer, r.Owner, r.Type, RecordClass.IN, r.Ttl, r.Data))
                return 0;
        }
        return session.Finish(buffer, w.Finish());
    }

    private static int WriteHeaderOnly(ReadOnlySpan<byte> query, in ParsedRequest request, Span<byte> buffer, Rcode rcode, ITransferSession session)
    {
        var w = new DnsMessageWriter(buffer, Math.Min(buffer.Length, MaxMessage));
        w.Id = request.Header.Id;
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR, request.Header.Opcode, (int)rcode);
        w.Reserve(session.SignatureSpace);
        w.TryWriteQuestion(request.QuestionName(query), request.QType, request.QClass);
        return session.Finish(buffer, w.Finish());
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "{Kind} of {Zone} from {Remote} refused: {Reason} ({Suppressed} more refusals since the last line)")]
    private static partial void LogRefused(ILogger logger, string kind, string zone, string remote, string reason, long suppressed);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "{Kind} of {Zone} serial {Serial} to {Remote}: {Records} records in {Messages} messages")]
    private static partial void LogTransfer(ILogger logger, string kind, string zone, uint serial, string remote, long records, int messages);
}

/// <summary>The TSIG side of a transfer: verify the request, sign every response message.</summary>
public interface ITransferSecurity
{
    ITransferSession Begin(ReadOnlySpan<byte> query, in ParsedRequest request);
}

public interface ITransferSession
{
    /// <summary>Why the request's TSIG was not accepted (the response is then <see cref="WriteError"/>), or null.</summary>
    string? Error { get; }

    /// <summary>With <see cref="Error"/>: NOTAUTH (the TSIG record then carries the error) or FORMERR (no TSIG).</summary>
    Rcode ErrorRcode { get; }

    /// <summary>The key that signed the request, lowercase with a trailing dot; null when unsigned.</summary>
    string? KeyName { get; }

    /// <summary>Octets to keep free in each message for the signature.</summary>
    int SignatureSpace { get; }

    /// <summary>Signs a finished message of <paramref name="length"/> octets in place; returns the new length.</summary>
    int Finish(Span<byte> message, int length);

    int WriteError(ReadOnlySpan<byte> query, in ParsedRequest request, Span<byte> buffer);
}

/// <summary>No TSIG configured: unsigned requests pass; signed ones cannot be verified and are refused.</summary>
public sealed class NoTransferSecurity : ITransferSecurity, ITransferSession
{
    public static readonly NoTransferSecurity Instance = new();

    public string? Error { get; private init; }

    public Rcode ErrorRcode => Error is null ? Rcode.NoError : Rcode.NotAuth;

    public string? KeyName => null;

    public int SignatureSpace => 0;

    public ITransferSession Begin(ReadOnlySpan<byte> query, in ParsedRequest request) =>
        request.TsigOffset >= 0 ? new NoTransferSecurity { Error = "signed with TSIG, but no keys are configured" } : Instance;

    public int Finish(Span<byte> message, int length) => length;

    public int WriteError(ReadOnlySpan<byte> query, in ParsedRequest request, Span<byte> buffer)
    {
        var w = new DnsMessageWriter(buffer, Math.Min(buffer.Length, 512));
        w.Id = request.Header.Id;
        w.Flags = DnsHeader.MakeFlags(HeaderFlags.QR, request.Header.Opcode, (int)Rcode.NotAuth);
        if (request.HasQuestion)
            w.TryWriteQuestion(request.QuestionName(query), request.QType, request.QClass);
        return w.Finish();
    }
}
