using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Server.Pipeline;

/// <summary>What a transport does after <see cref="DnsPipeline.Process"/>.</summary>
/// <param name="Parsed">
/// The request's parse, for a request that goes on past the call (<see cref="ResponseAction.Stream"/>,
/// <see cref="ResponseAction.Deferred"/>); default for one answered or dropped, so the loop that sends
/// answers does not copy it for each query.
/// </param>
public readonly record struct ProcessResult(int Length, ResponseAction Action, ParsedRequest Parsed, ZoneSet Zones);

/// <summary>
/// The query path, transport-independent: parse once, admission stages (views, ACLs, cookies, rate
/// limiting), the handler of the request's opcode, then the stages after the answer (counters,
/// logs, rate-limit accounting). UDP and TCP loops call <see cref="Process"/> alike on their own
/// buffers; requests that must wait (UPDATE) or stream (AXFR/IXFR over TCP) come back marked so,
/// and the transport hands them to <see cref="ProcessDeferredAsync"/> or <see cref="StreamAsync"/>
/// without parsing them again. Everything is fixed at construction.
/// </summary>
public sealed class DnsPipeline
{
    private readonly ServedZones _zones;
    private readonly IQueryStage[] _stages;
    private readonly bool[] _observers;
    /// <summary>The stages whose admission or completion does something (<see cref="IQueryStage.Admits"/>, <see cref="IQueryStage.Completes"/>), by place: only those are called.</summary>
    private readonly int[] _admitting, _completing;
    private readonly RequestHandlers _handlers;
    /// <summary>The counters among the stages, if any: told the time of a batch timed by its loop (<see cref="BatchAnswered"/>).</summary>
    private readonly QueryCounters? _counters;
    private readonly ResponseEnvelope _envelope;
    private readonly QueryHandler _query;

    public DnsPipeline(ServedZones zones, ServerOptions options, RequestHandlers? handlers = null, IEnumerable<IQueryStage>? stages = null)
    {
        _zones = zones;
        Options = options;
        _handlers = handlers ?? RequestHandlers.None;
        _stages = stages?.ToArray() ?? [];
        _observers = _stages.Select(s => s.ObservesEveryResponse).ToArray();
        _counters = _stages.OfType<QueryCounters>().FirstOrDefault();
        _admitting = Enumerable.Range(0, _stages.Length).Where(i => _stages[i].Admits).ToArray();
        _completing = Enumerable.Range(0, _stages.Length).Where(i => _stages[i].Completes).ToArray();
        _envelope = new ResponseEnvelope(options);
        _query = new QueryHandler(_envelope, _handlers.Tsig, new ChaosAnswers(options));
    }

    public ServerOptions Options { get; }

    /// <summary>The zones served now (before any view chooses its own): what a receive loop prefetches from.</summary>
    internal ZoneSet CurrentZones => _zones.Current;

    public IReadOnlyList<IQueryStage> Stages => _stages;

    /// <summary>
    /// Processes <paramref name="query"/> into <paramref name="response"/> (at least 512 octets;
    /// 65,535 for TCP). A length of 0 with <see cref="ResponseAction.Send"/> or
    /// <see cref="ResponseAction.Drop"/> means nothing is sent (RFC 1035 §7.3: a message that is
    /// itself a response, or too short to carry an ID).
    /// </summary>
    public ProcessResult Process(ReadOnlySpan<byte> query, Span<byte> response, in RequestSource source, int worker = -1) =>
        Process(query, response, source, worker, default);

    /// <summary>As above, with what a receive loop's prefetch found for the query (<see cref="PrefetchedQuery"/>; used only where it holds).</summary>
    public ProcessResult Process(ReadOnlySpan<byte> query, Span<byte> response, in RequestSource source, int worker, in PrefetchedQuery prefetched)
    {
        if (!DnsHeader.TryRead(query, out var header) || header.IsResponse)
            return new ProcessResult(0, ResponseAction.Drop, default, ZoneSet.Empty);
        Span<byte> stageOptions = stackalloc byte[DnsRequest.StageOptionSpace];
        // Built in place and then filled in: an object initializer, or a constructor with a
        // parameter passed by reference, builds a temporary and copies the whole request (its parse
        // included) into the local, through the write-barrier helper.
        var request = new DnsRequest(query, response, stageOptions);
        request.SourceRef = ref source;
        request.Zones = _zones.Current;
        request.Worker = worker;
        request.Envelope = _envelope;
        request.Prefetched = prefetched;
        request.WellFormed = ParsedRequest.TryParse(query, header, ref request.Parsed);
        request.ResponseLimit = _envelope.Limit(request);
        Run(ref request);
        return request.Action is ResponseAction.Stream or ResponseAction.Deferred
            ? new ProcessResult(request.Length, request.Action, request.Parsed, request.Zones)
            : new ProcessResult(request.Action == ResponseAction.Drop ? 0 : request.Length, request.Action, default, request.Zones);
    }

    /// <summary>
    /// A receive loop's batch of requests <see cref="RequestSource.TimedByBatch"/>, received at
    /// <paramref name="receivedAt"/>: <paramref name="answered"/> of them have answers ready to
    /// send now. One clock reading for the batch, where each request would take its own.
    /// </summary>
    public void BatchAnswered(int worker, long receivedAt, int answered)
    {
        if (_counters is { } counters && answered > 0)
            counters.AddTimes(worker, System.Diagnostics.Stopwatch.GetTimestamp() - receivedAt, answered);
    }

    /// <summary>Convenience for callers that only want the response length (tests, in-process use).</summary>
    public int Answer(ReadOnlySpan<byte> query, Span<byte> response, in RequestSource source) =>
        Process(query, response, source).Length;

    private void Run(ref DnsRequest request)
    {
        foreach (int i in _admitting)
        {
            var verdict = _stages[i].Admit(ref request);
            if (verdict == StageVerdict.Continue)
                continue;
            if (verdict == StageVerdict.Drop)
            {
                request.Action = ResponseAction.Drop;
                request.Length = 0;
            }
            else
            {
                var kind = request.Rcode == Rcode.Refused ? AnswerKind.Refused : AnswerKind.Error;
                _envelope.HeaderOnly(ref request, request.Rcode, kind);
            }
            Complete(ref request, i + 1);
            return;
        }
        Dispatch(ref request);
        if (request.Action is ResponseAction.Send or ResponseAction.Drop)
            Complete(ref request, _stages.Length);
    }

    /// <summary>
    /// The stages after the answer: those that ran admission, then observers further on (counters,
    /// query logs), which see every request whoever answered it.
    /// </summary>
    private void Complete(ref DnsRequest request, int stages)
    {
        foreach (int i in _completing)
        {
            if (i < stages || _observers[i])
                _stages[i].Complete(ref request);
        }
    }

    /// <summary>The opcode (and for QUERY the type) picks the handler (RFC 1035 §4.1.1, RFC 1996, RFC 2136, RFC 5936).</summary>
    private void Dispatch(ref DnsRequest request)
    {
        if (!request.WellFormed)
        {
            // RFC 6891 §7: a FORMERR to a query that carried an OPT, even a broken one, carries an
            // OPT too, so the client can tell a format error from a server without EDNS.
            _envelope.HeaderOnly(ref request, Rcode.FormErr, AnswerKind.Error);
            return;
        }
        switch (request.Header.Opcode)
        {
            case Opcode.Query:
                if (request.Parsed.HasQuestion && request.Parsed.QType is RecordType.AXFR or RecordType.IXFR)
                {
                    Transfer(ref request);
                    return;
                }
                _query.Handle(ref request);
                return;
            case Opcode.Notify when _handlers.Notify is { } notify:
                request.Kind = AnswerKind.Notify;
                Handled(ref request, notify.Handle(ref request));
                return;
            case Opcode.Update when _handlers.Update is not null:
                request.Kind = AnswerKind.Update;
                request.Action = ResponseAction.Deferred;
                return;
            default:
                // An opcode we do not know: its flags mean nothing to us, so only RD is copied
                // (as Knot and BIND do), never CD, whose meaning belongs to QUERY (RFC 4035).
                request.ExtendedError = ExtendedErrors.NotSupported;
                _envelope.HeaderOnly(ref request, Rcode.NotImp, AnswerKind.Error, (HeaderFlags)request.Header.Flags & HeaderFlags.RD | HeaderFlags.QR);
                return;
        }
    }

    private void Transfer(ref DnsRequest request)
    {
        request.Kind = AnswerKind.Transfer;
        if (_handlers.Transfers is not { } transfers)
        {
            // Transfers are not offered: AXFR over UDP is not a thing (RFC 5936 §4.2), IXFR is refused.
            var rcode = request.Parsed.QType == RecordType.AXFR && !request.OverTcp ? Rcode.NotImp : Rcode.Refused;
            _envelope.HeaderOnly(ref request, rcode, rcode == Rcode.Refused ? AnswerKind.Refused : AnswerKind.Error);
            return;
        }
        if (request.OverTcp)
        {
            request.Action = ResponseAction.Stream;
            return;
        }
        Handled(ref request, transfers.Handle(ref request));
    }

    /// <summary>Records what a handler that wrote its own response produced (its RCODE from the header).</summary>
    private static void Handled(ref DnsRequest request, int length)
    {
        if (request.Action != ResponseAction.Send)
            return;
        request.Length = length;
        if (length >= DnsHeader.Size)
            request.Rcode = (Rcode)(request.Response[3] & 0xF);
        else
            request.Action = ResponseAction.Drop;
    }

    /// <summary>
    /// Runs a request <see cref="Process"/> marked <see cref="ResponseAction.Deferred"/>, then the
    /// stages after the answer. Returns the response length (0: send nothing).
    /// </summary>
    public async Task<int> ProcessDeferredAsync(PendingRequest pending, CancellationToken cancellationToken)
    {
        int length = 0;
        if (pending.Header.Opcode == Opcode.Update && _handlers.Update is { } update)
            length = await update.HandleAsync(pending, cancellationToken).ConfigureAwait(false);
        return Completed(pending, length, AnswerKind.Update);
    }

    /// <summary>Streams a transfer <see cref="Process"/> marked <see cref="ResponseAction.Stream"/>, then runs the stages after the answer.</summary>
    public async Task StreamAsync(PendingRequest pending, IResponseStream stream, CancellationToken cancellationToken)
    {
        if (_handlers.Transfers is { } transfers)
            await transfers.StreamAsync(pending, stream, cancellationToken).ConfigureAwait(false);
        Completed(pending, 0, AnswerKind.Transfer);
    }

    private int Completed(PendingRequest pending, int length, AnswerKind kind)
    {
        if (_stages.Length == 0)
            return length;
        Span<byte> stageOptions = stackalloc byte[DnsRequest.StageOptionSpace];
        var request = new DnsRequest(pending.Query.Span, pending.Response.Span, stageOptions)
        {
            Parsed = pending.Parsed,
            WellFormed = true,
            Zones = pending.Zones,
            Kind = kind,
            Length = length,
            Action = length > 0 ? ResponseAction.Send : ResponseAction.Drop,
            Worker = -1,
            Envelope = _envelope,
        };
        // A local, alive as long as the request that refers to it.
        var source = pending.Source;
        request.SourceRef = ref source;
        if (length >= DnsHeader.Size)
            request.Rcode = (Rcode)(request.Response[3] & 0xF);
        Complete(ref request, _stages.Length);
        return request.Action == ResponseAction.Drop ? 0 : request.Length;
    }

    /// <summary>The UDP response limit for a pending request: 512, or what EDNS offered within ours.</summary>
    public int UdpLimit(in ParsedRequest parsed) =>
        !parsed.Edns.Present ? 512 : Math.Min(Math.Max(parsed.Edns.PayloadSize, (ushort)EdnsInfo.MinimumPayloadSize), Options.MaxUdpPayload);
}
