using System.Diagnostics;
using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Server.Pipeline;

/// <summary>
/// Counts every request after its response is written (or dropped): queries by transport and
/// type, responses by transport, answer kind, RCODE and opcode, drops and truncations, a histogram
/// of response sizes and one of processing time (receive to response), and, for the zones named
/// up front, responses per zone and kind. Each UDP worker writes its own stripe without locks or
/// atomics (one writer per stripe); TCP and asynchronous handlers share a stripe through
/// interlocked adds. Readers sum the stripes, so a scrape costs the reader, never the query path,
/// and nothing is allocated per query.
/// </summary>
public sealed class QueryCounters : IQueryStage
{
    /// <summary>RCODEs 0–23 are counted one by one (extended ones included); higher ones as "other".</summary>
    public const int RcodeSlots = 24;

    /// <summary>At most 256 zones counted one by one: per-zone series are on demand, and bounded.</summary>
    public const int MaxZones = 256;

    public const int Kinds = (int)AnswerKind.Update + 1;
    private const int Opcodes = 16;

    // One stripe of longs; offsets fixed at type load. Stripes are padded so that stripes of
    // different workers never share a cache line.
    private static readonly int QueriesAt = 0;
    private static readonly int ResponsesAt = QueriesAt + 2;
    private static readonly int KindAt = ResponsesAt + 2;
    private static readonly int RcodeAt = KindAt + Kinds;
    private static readonly int OpcodeAt = RcodeAt + RcodeSlots + 1;
    private static readonly int TypeAt = OpcodeAt + Opcodes;
    private static readonly int DroppedAt = TypeAt + QueryTypeSlots.Count;
    private static readonly int TruncatedAt = DroppedAt + 1;
    private static readonly int SizeAt = TruncatedAt + 1;
    private static readonly int SizeSumAt = SizeAt + HistogramBuckets.SizeSlots;
    private static readonly int TimeAt = SizeSumAt + HistogramBuckets.SizeSlots;
    private static readonly int TimeSumAt = TimeAt + HistogramBuckets.TimeSlots;
    private static readonly int Stripe = Pad(TimeSumAt + HistogramBuckets.TimeSlots);

    private static readonly long TicksPerMicrosecond = Math.Max(1, Stopwatch.Frequency / 1_000_000);

    private readonly long[] _counts;
    private readonly int _workers;
    private readonly Dictionary<DnsName, int> _zoneSlots;
    private readonly DnsName[] _zones;
    private readonly long[] _zoneCounts;
    private readonly int _zoneStripe;

    public QueryCounters(int udpWorkers, IEnumerable<DnsName>? zones = null)
    {
        _workers = Math.Max(1, udpWorkers);
        _counts = new long[(_workers + 1) * Stripe];
        _zones = (zones ?? []).Select(z => z.ToLower()).Distinct().ToArray();
        if (_zones.Length > MaxZones)
            throw new ArgumentException($"at most {MaxZones} zones can be counted one by one ({_zones.Length} given)", nameof(zones));
        _zoneSlots = _zones.Select((z, i) => (z, i)).ToDictionary(p => p.z, p => p.i);
        _zoneStripe = Pad(_zones.Length * Kinds);
        _zoneCounts = _zones.Length == 0 ? [] : new long[(_workers + 1) * _zoneStripe];
    }

    private static int Pad(int longs) => (longs + 15) / 16 * 16 + 16;

    /// <summary>The zones counted one by one (lower case), in the order given.</summary>
    public IReadOnlyList<DnsName> Zones => _zones;

    /// <summary>Counters see every request, also those a stage before them answered or dropped at admission.</summary>
    public bool ObservesEveryResponse => true;

    public StageVerdict Admit(ref DnsRequest request) => StageVerdict.Continue;

    public bool Admits => false;

    public void Complete(ref DnsRequest request)
    {
        int slot = SlotOf(request.Worker, out bool shared);
        var counts = _counts;
        int stripe = slot * Stripe;
        Add(counts, stripe + QueriesAt + (int)request.Source.Transport, 1, shared);
        if (request.Parsed.HasQuestion)
            Add(counts, stripe + TypeAt + QueryTypeSlots.Of(request.Parsed.QType), 1, shared);
        if (request.Action == ResponseAction.Drop || request.Length == 0)
        {
            Add(counts, stripe + DroppedAt, 1, shared);
            return;
        }
        Add(counts, stripe + ResponsesAt + (int)request.Source.Transport, 1, shared);
        Add(counts, stripe + KindAt + (int)request.Kind, 1, shared);
        int rcode = (int)request.Rcode;
        Add(counts, stripe + RcodeAt + (rcode < RcodeSlots ? rcode : RcodeSlots), 1, shared);
        Add(counts, stripe + OpcodeAt + (int)request.Header.Opcode, 1, shared);
        if ((request.Response[2] & 0x02) != 0)
            Add(counts, stripe + TruncatedAt, 1, shared);
        int size = HistogramBuckets.SizeSlot(request.Length);
        Add(counts, stripe + SizeAt + size, 1, shared);
        Add(counts, stripe + SizeSumAt + size, request.Length, shared);
        if (request.Source.ReceivedAt != 0 && !request.Source.TimedByBatch)
        {
            long micros = Microseconds(Stopwatch.GetTimestamp() - request.Source.ReceivedAt);
            int time = HistogramBuckets.TimeSlot(micros);
            Add(counts, stripe + TimeAt + time, 1, shared);
            Add(counts, stripe + TimeSumAt + time, micros, shared);
        }
        if (_zones.Length != 0 && ZoneSlot(request) is >= 0 and var z)
            Add(_zoneCounts, slot * _zoneStripe + z * Kinds + (int)request.Kind, 1, shared);
    }

    /// <summary>
    /// Processing time of <paramref name="count"/> responses answered together (a UDP batch whose
    /// requests were <see cref="RequestSource.TimedByBatch"/>): each took <paramref name="elapsed"/>
    /// ticks from the batch's receipt until its answers were ready to send.
    /// </summary>
    public void AddTimes(int worker, long elapsed, int count)
    {
        if (count <= 0)
            return;
        int stripe = SlotOf(worker, out bool shared) * Stripe;
        long micros = Microseconds(elapsed);
        int time = HistogramBuckets.TimeSlot(micros);
        Add(_counts, stripe + TimeAt + time, count, shared);
        Add(_counts, stripe + TimeSumAt + time, micros * count, shared);
    }

    /// <summary>A worker's stripe of the counters, its own (not <paramref name="shared"/>, plain adds) or, for any other caller, the shared one (atomic adds).</summary>
    private int SlotOf(int worker, out bool shared)
    {
        shared = worker < 0 || worker >= _workers;
        return shared ? 0 : worker + 1;
    }

    /// <summary>Stopwatch ticks as microseconds: nanosecond ticks (Linux, macOS) divided by a constant, a multiply rather than a division.</summary>
    private static long Microseconds(long ticks) => TicksPerMicrosecond == 1000 ? ticks / 1000 : ticks / TicksPerMicrosecond;

    /// <summary>The counted zone that answered, or -1; a zone kept as a row is found by its name in the question, without allocating.</summary>
    private int ZoneSlot(in DnsRequest request)
    {
        if (request.Zone is { } zone)
            return _zoneSlots.TryGetValue(zone.Origin, out int z) ? z : -1;
        var name = request.ZoneName;
        if (name.IsEmpty)
            return -1;
        for (int i = 0; i < _zones.Length; i++)
        {
            if (WireName.EqualsIgnoreCase(_zones[i].Wire, name))
                return i;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(long[] counts, int index, long value, bool shared)
    {
        if (shared)
            Interlocked.Add(ref counts[index], value);
        else
            counts[index] += value;
    }

    private long Sum(int offset)
    {
        long total = 0;
        for (int s = 0; s <= _workers; s++)
            total += Volatile.Read(ref _counts[s * Stripe + offset]);
        return total;
    }

    /// <summary>Requests that arrived over <paramref name="transport"/>, answered or not.</summary>
    public long Queries(DnsTransport transport) => Sum(QueriesAt + (int)transport);

    /// <summary>Requests whose question had this type (types without a slot of their own: <see cref="QueryTypeSlots.Other"/>).</summary>
    public long Queries(RecordType type) => Sum(TypeAt + QueryTypeSlots.Of(type));

    /// <summary>Requests by slot of <see cref="QueryTypeSlots"/>.</summary>
    public long QueriesOfTypeSlot(int slot) => Sum(TypeAt + slot);

    public long Responses(DnsTransport transport) => Sum(ResponsesAt + (int)transport);

    public long Responses(AnswerKind kind) => Sum(KindAt + (int)kind);

    /// <summary>Responses with this RCODE; <see cref="RcodeSlots"/> counts every higher one.</summary>
    public long Responses(Rcode rcode) => Sum(RcodeAt + Math.Min((int)rcode, RcodeSlots));

    public long Requests(Opcode opcode) => Sum(OpcodeAt + ((int)opcode & 0xF));

    /// <summary>Requests that got no response (dropped by a stage, or nothing to answer).</summary>
    public long Dropped => Sum(DroppedAt);

    /// <summary>Responses sent with TC set.</summary>
    public long Truncated => Sum(TruncatedAt);

    public long Total => Responses(DnsTransport.Udp) + Responses(DnsTransport.Tcp);

    /// <summary>Responses of <paramref name="kind"/> from <paramref name="zone"/>, one of <see cref="Zones"/> (0 for others).</summary>
    public long Responses(DnsName zone, AnswerKind kind)
    {
        if (!_zoneSlots.TryGetValue(zone.ToLower(), out int z))
            return 0;
        long total = 0;
        for (int s = 0; s <= _workers; s++)
            total += Volatile.Read(ref _zoneCounts[s * _zoneStripe + z * Kinds + (int)kind]);
        return total;
    }

    /// <summary>Sizes of the responses sent, in octets.</summary>
    public HistogramSnapshot ResponseSizes() => Read(HistogramBuckets.SizeBounds, SizeAt, SizeSumAt, HistogramBuckets.SizeSlots);

    /// <summary>Time from receiving a request to its response being ready, in microseconds.</summary>
    public HistogramSnapshot ProcessingTimes() => Read(HistogramBuckets.TimeBoundsMicroseconds, TimeAt, TimeSumAt, HistogramBuckets.TimeSlots);

    private HistogramSnapshot Read(IReadOnlyList<double> bounds, int countsAt, int sumsAt, int slots)
    {
        var counts = new long[slots];
        var sums = new long[slots];
        for (int i = 0; i < slots; i++)
        {
            counts[i] = Sum(countsAt + i);
            sums[i] = Sum(sumsAt + i);
        }
        return new HistogramSnapshot(bounds, counts, sums);
    }
}
