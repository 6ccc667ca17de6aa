using Rdns.Protocol.Wire;

namespace Rdns.Server.Pipeline;

/// <summary>
/// Counts every response after it is written: by transport, answer kind, RCODE and opcode, plus
/// drops and truncations. Each UDP worker writes its own stripe without locks or atomics (one
/// writer per stripe); TCP and asynchronous handlers share a stripe through interlocked adds.
/// Readers sum the stripes, so a scrape costs the readers, never the query path.
/// </summary>
public sealed class QueryCounters : IQueryStage
{
    /// <summary>RCODEs 0–23 are counted one by one (extended ones included); higher ones as "other".</summary>
    public const int RcodeSlots = 24;

    private const int Kinds = (int)AnswerKind.Update + 1;
    private const int Opcodes = 16;

    // One stripe: [transport(2)] + [kind] + [rcode] + [opcode] + dropped + truncated, padded so
    // stripes of different workers do not share a cache line.
    private const int TransportAt = 0;
    private const int KindAt = TransportAt + 2;
    private const int RcodeAt = KindAt + Kinds;
    private const int OpcodeAt = RcodeAt + RcodeSlots + 1;
    private const int DroppedAt = OpcodeAt + Opcodes;
    private const int TruncatedAt = DroppedAt + 1;
    private const int Stripe = (TruncatedAt + 1 + 15) / 16 * 16 + 16;

    private readonly long[] _counts;
    private readonly int _workers;

    public QueryCounters(int udpWorkers)
    {
        _workers = Math.Max(1, udpWorkers);
        _counts = new long[(_workers + 1) * Stripe];
    }

    public StageVerdict Admit(ref DnsRequest request) => StageVerdict.Continue;

    public void Complete(ref DnsRequest request)
    {
        int worker = request.Worker;
        bool shared = worker < 0 || worker >= _workers;
        int stripe = (shared ? 0 : worker + 1) * Stripe;
        if (request.Action == ResponseAction.Drop || request.Length == 0)
        {
            Add(stripe + DroppedAt, shared);
            return;
        }
        Add(stripe + TransportAt + (int)request.Source.Transport, shared);
        Add(stripe + KindAt + (int)request.Kind, shared);
        int rcode = (int)request.Rcode;
        Add(stripe + RcodeAt + (rcode < RcodeSlots ? rcode : RcodeSlots), shared);
        Add(stripe + OpcodeAt + (int)request.Header.Opcode, shared);
        if ((request.Response[2] & 0x02) != 0)
            Add(stripe + TruncatedAt, shared);
    }

    private void Add(int index, bool shared)
    {
        if (shared)
            Interlocked.Increment(ref _counts[index]);
        else
            _counts[index]++;
    }

    private long Sum(int offset)
    {
        long total = 0;
        for (int s = 0; s <= _workers; s++)
            total += Volatile.Read(ref _counts[s * Stripe + offset]);
        return total;
    }

    public long Responses(DnsTransport transport) => Sum(TransportAt + (int)transport);

    public long Responses(AnswerKind kind) => Sum(KindAt + (int)kind);

    /// <summary>Responses with this RCODE; <see cref="RcodeSlots"/> counts every higher one.</summary>
    public long Responses(Rcode rcode) => Sum(RcodeAt + Math.Min((int)rcode, RcodeSlots));

    public long Requests(Opcode opcode) => Sum(OpcodeAt + ((int)opcode & 0xF));

    /// <summary>Requests that got no response (dropped by a stage, or nothing to answer).</summary>
    public long Dropped => Sum(DroppedAt);

    /// <summary>Responses sent with TC set.</summary>
    public long Truncated => Sum(TruncatedAt);

    public long Total => Responses(DnsTransport.Udp) + Responses(DnsTransport.Tcp);
}
