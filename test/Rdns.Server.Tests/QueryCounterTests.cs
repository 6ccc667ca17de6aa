using System.Diagnostics;
using System.Net;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>What the counters stage records beyond kinds and RCODEs: types, sizes, times, zones, and answers it did not make.</summary>
public sealed class QueryCounterTests
{
    private static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");
    private static readonly DnsName Hit = DnsName.Parse("1.2.0.192.in-addr.arpa.");
    private static readonly RequestSource From = RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 4000)));

    private static ServedZones Zones()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build(),
            ZoneBuilder.Standard("3.0.192.in-addr.arpa.").Ptr("1", "three.example.net.").Build()]));
        return zones;
    }

    [Fact]
    public void Queries_are_counted_by_type_with_unknown_types_in_one_slot()
    {
        var counters = new QueryCounters(1);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters]);
        var response = new byte[4096];
        foreach (var type in new[] { RecordType.PTR, RecordType.PTR, RecordType.SOA, (RecordType)65, (RecordType)4242, (RecordType)999 })
            pipeline.Process(DnsMessage.Query(Hit, type).ToWire(), response, From, 0);
        Assert.Equal(2, counters.Queries(RecordType.PTR));
        Assert.Equal(1, counters.Queries(RecordType.SOA));
        Assert.Equal(1, counters.Queries((RecordType)65));
        Assert.Equal("HTTPS", QueryTypeSlots.Name(QueryTypeSlots.Of((RecordType)65)));
        Assert.Equal(2, counters.QueriesOfTypeSlot(QueryTypeSlots.Other));
        Assert.Equal(6, counters.Queries(DnsTransport.Udp));
    }

    [Fact]
    public void Response_sizes_land_in_the_bucket_of_their_size_with_exact_sums()
    {
        var counters = new QueryCounters(1);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters]);
        var response = new byte[4096];
        int total = 0;
        for (int i = 0; i < 5; i++)
            total += pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, From, 0).Length;
        var sizes = counters.ResponseSizes();
        Assert.Equal(5, sizes.Count);
        Assert.Equal(total, sizes.Sum);
        int size = total / 5;
        Assert.Equal(5, sizes.Counts[HistogramBuckets.SizeSlot(size)]);
        Assert.True(size <= HistogramBuckets.SizeBounds[HistogramBuckets.SizeSlot(size)] && (HistogramBuckets.SizeSlot(size) == 0 || size > HistogramBuckets.SizeBounds[HistogramBuckets.SizeSlot(size) - 1]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(32768, 15)]
    [InlineData(32769, 16)]
    [InlineData(long.MaxValue, 16)]
    public void Processing_time_buckets_are_powers_of_two_microseconds(long micros, int slot) =>
        Assert.Equal(slot, HistogramBuckets.TimeSlot(micros));

    [Theory]
    [InlineData(12, 0)]
    [InlineData(64, 0)]
    [InlineData(65, 1)]
    [InlineData(512, 3)]
    [InlineData(513, 4)]
    [InlineData(1232, 5)]
    [InlineData(65535, 10)]
    public void Size_buckets_are_powers_of_two_octets(int octets, int slot) =>
        Assert.Equal(slot, HistogramBuckets.SizeSlot(octets));

    [Fact]
    public void Processing_time_is_measured_from_the_receive_timestamp()
    {
        var counters = new QueryCounters(1);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters]);
        var response = new byte[4096];
        // Received "3 ms ago": the time recorded is at least 3,000 µs, at most the 4,096 µs bucket
        // plus what this machine takes.
        var source = From with { ReceivedAt = Stopwatch.GetTimestamp() - Stopwatch.Frequency * 3 / 1000 };
        pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, source, 0);
        // Unknown receive time (in-process callers): no time recorded.
        pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, From, 0);
        var times = counters.ProcessingTimes();
        Assert.Equal(1, times.Count);
        Assert.True(times.Sum >= 3000, $"sum {times.Sum} µs");
        Assert.Equal(1, times.Counts[HistogramBuckets.TimeSlot(times.Sum)]);
    }

    [Fact]
    public void A_batch_timed_by_its_loop_counts_one_time_for_each_answer_it_sent()
    {
        var counters = new QueryCounters(2);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters]);
        var response = new byte[4096];
        long receivedAt = Stopwatch.GetTimestamp() - Stopwatch.Frequency * 3 / 1000;
        // Requests of a batch timed by the loop: the stage records no time of its own.
        var source = From with { ReceivedAt = receivedAt, TimedByBatch = true };
        for (int i = 0; i < 5; i++)
            pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, source, 1);
        Assert.Equal(0, counters.ProcessingTimes().Count);
        Assert.Equal(5, counters.Total);
        // The loop, once its answers are ready: five of the same time, at least the 3 ms since receipt.
        pipeline.BatchAnswered(1, receivedAt, 5);
        pipeline.BatchAnswered(1, receivedAt, 0);
        var times = counters.ProcessingTimes();
        Assert.Equal(5, times.Count);
        int slot = Array.FindIndex(times.Counts, c => c != 0);
        Assert.Equal(5, times.Counts[slot]);
        Assert.True(times.Sums[slot] >= 5 * 3000 && times.Sums[slot] % 5 == 0, $"sum {times.Sums[slot]} µs");
        Assert.True(slot >= HistogramBuckets.TimeSlot(3000));
        // From a worker outside the striped ones, too (the shared stripe).
        counters.AddTimes(-1, Stopwatch.Frequency / 1_000_000 * 2, 2);
        Assert.Equal(7, counters.ProcessingTimes().Count);
        Assert.Equal(2, counters.ProcessingTimes().Counts[HistogramBuckets.TimeSlot(2)]);
    }

    [Fact]
    public void Zones_named_up_front_are_counted_one_by_one_and_no_others()
    {
        var counters = new QueryCounters(1, [DnsName.Parse("2.0.192.IN-ADDR.ARPA.")]);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters]);
        var response = new byte[4096];
        pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, From, 0);
        pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, From, 0);
        pipeline.Process(DnsMessage.Query(DnsName.Parse("9.2.0.192.in-addr.arpa."), RecordType.PTR).ToWire(), response, From, 0);
        pipeline.Process(DnsMessage.Query(DnsName.Parse("1.3.0.192.in-addr.arpa."), RecordType.PTR).ToWire(), response, From, 0);
        Assert.Equal(2, counters.Responses(Zone, AnswerKind.Positive));
        Assert.Equal(1, counters.Responses(Zone, AnswerKind.NxDomain));
        Assert.Equal(0, counters.Responses(DnsName.Parse("3.0.192.in-addr.arpa."), AnswerKind.Positive));
        Assert.Equal(3, counters.Responses(AnswerKind.Positive));
        Assert.Throws<ArgumentException>(() => new QueryCounters(1, Enumerable.Range(0, QueryCounters.MaxZones + 1).Select(i => DnsName.Parse($"{i}.example."))));
    }

    /// <summary>Refuses everything at admission, as an ACL would.</summary>
    private sealed class Refuser : IQueryStage
    {
        public StageVerdict Admit(ref DnsRequest request)
        {
            request.Rcode = Rcode.Refused;
            return StageVerdict.Respond;
        }

        public void Complete(ref DnsRequest request)
        {
        }
    }

    [Fact]
    public void Counters_after_a_stage_that_answered_at_admission_still_count_it()
    {
        var counters = new QueryCounters(1);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [new Refuser(), counters]);
        var response = new byte[4096];
        pipeline.Process(DnsMessage.Query(Hit, RecordType.PTR).ToWire(), response, From, 0);
        Assert.Equal(1, counters.Responses(Rcode.Refused));
        Assert.Equal(1, counters.Responses(AnswerKind.Refused));
        Assert.Equal(1, counters.Queries(RecordType.PTR));
    }

    [Fact]
    public void Counting_types_sizes_times_and_zones_allocates_nothing()
    {
        var counters = new QueryCounters(1, [Zone]);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [counters]);
        var hit = DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var response = new byte[4096];
        long processed = 0;
        SteadyState.AssertAllocatesNothing(() =>
        {
            pipeline.Process(hit, response, From with { ReceivedAt = Stopwatch.GetTimestamp() }, 0);
            processed++;
        });
        Assert.Equal(processed, counters.Responses(Zone, AnswerKind.Positive));
    }
}
