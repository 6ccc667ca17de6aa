using Rdns.Server.Pipeline;
using BenchmarkDotNet.Attributes;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server;
using Rdns.Zones;

namespace Rdns.Bench.Micro;

/// <summary>
/// The steps of answering one UDP query, each alone, then the whole in-process path
/// (<see cref="DnsPipeline.Process"/>) for a hit, a miss and a synthesized default. No socket:
/// these are the costs the server adds on top of receiving and sending.
/// </summary>
[MemoryDiagnoser]
public class QueryPathBenchmarks
{
    private HotPathData _data = null!;
    private static readonly RequestSource Source = RequestSource.Udp(ClientAddress.None);
    private DnsPipeline _processor = null!;
    private readonly byte[] _response = new byte[65535];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _data = new HotPathData();
        _processor = new DnsPipeline(_data.Served, new ServerOptions());
        // Every path must answer as expected, or the numbers measure the wrong thing.
        Expect(_data.Hit, Rcode.NoError, answers: 1);
        Expect(_data.Miss, Rcode.NXDomain, answers: 0);
        Expect(_data.Synthesized, Rcode.NoError, answers: 1);
        Expect(_data.Ipv6Hit, Rcode.NoError, answers: 1);
        foreach (var query in _data.SpreadHits)
            Expect(query, Rcode.NoError, answers: 1);
        if (FindPtr() == 0)
            throw new InvalidOperationException("FindPtr found no PTR");
    }

    /// <summary>Header and question found in the caller's buffer (DnsHeader.TryRead + ParsedRequest.TryParse).</summary>
    [Benchmark]
    public int ParseQuery()
    {
        DnsHeader.TryRead(_data.Hit, out var header);
        var request = new ParsedRequest();
        ParsedRequest.TryParse(_data.Hit, header, ref request);
        return request.QNameLength;
    }

    /// <summary>
    /// The zone (ZoneSet.FindZone among 1,026 zones), then the PTR the way the answer finds it: the
    /// zone's node dictionary first, then the compact address table that holds plain address PTRs.
    /// </summary>
    [Benchmark]
    public int FindPtr()
    {
        var zone = _data.Zones.FindZone(_data.HitName)!;
        if (zone.Find(_data.HitName) is { } node)
            return node.Find(RecordType.PTR)?.Data[0].Length ?? 0;
        Span<byte> target = stackalloc byte[255];
        return zone.FindCompact(_data.HitName, out _, target, out int length) == ZoneSnapshot.CompactMatch.Ptr ? length : 0;
    }

    /// <summary>Question and PTR answer written into a 512-octet message (AuthoritativeAnswer.Write, lookup included).</summary>
    [Benchmark]
    public int WriteAnswer()
    {
        var zone = _data.Zones.FindZone(_data.HitName)!;
        var w = new DnsMessageWriter(_response, 512);
        w.TryWriteQuestion(_data.HitName, RecordType.PTR, RecordClass.IN);
        AuthoritativeAnswer.Write(zone, _data.HitName, RecordType.PTR, ref w, limitSize: true);
        return w.Finish();
    }

    [Benchmark]
    public int ProcessHit() => _processor.Answer(_data.Hit, _response, Source);

    /// <summary>A hit, but each call asks a different PTR of the 250,000 (caches cold, as under real load).</summary>
    [Benchmark]
    public int ProcessHitSpread()
    {
        var query = _data.SpreadHits[_next++ & (HotPathData.SpreadCount - 1)];
        return _processor.Answer(query, _response, Source);
    }

    [Benchmark]
    public int ProcessIpv6Hit() => _processor.Answer(_data.Ipv6Hit, _response, Source);

    [Benchmark]
    public int ProcessMiss() => _processor.Answer(_data.Miss, _response, Source);

    [Benchmark]
    public int ProcessSynthesized() => _processor.Answer(_data.Synthesized, _response, Source);

    private void Expect(byte[] query, Rcode rcode, int answers)
    {
        int length = _processor.Answer(query, _response, Source);
        var reply = DnsMessage.Parse(_response.AsSpan(0, length));
        if (reply.Rcode != (int)rcode || reply.Answers.Count != answers)
            throw new InvalidOperationException($"unexpected answer:\n{reply}");
    }
}
