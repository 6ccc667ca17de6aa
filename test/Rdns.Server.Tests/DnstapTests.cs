using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Dnstap;
using Rdns.Server.Pipeline;
using Rdns.Zones;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>dnstap frames as a collector receives them: the Frame Streams handshake, the protocol buffers, drops when nobody reads.</summary>
public sealed class DnstapTests : IDisposable
{
    private static readonly DnsName Hit = DnsName.Parse("1.2.0.192.in-addr.arpa.");
    private static readonly RequestSource From = RequestSource.Udp(ClientAddress.From(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 4000)),
        new ListenerInfo(0, new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53)));
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-dnstap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ServedZones Zones()
    {
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([ZoneBuilder.Standard("2.0.192.in-addr.arpa.").Ptr("1", "one.example.net.").Build()]));
        return zones;
    }

    /// <summary>A Frame Streams reader, as fstrm_capture is: accepts one writer and collects its data frames.</summary>
    private sealed class Collector : IDisposable
    {
        private readonly Socket _listener;

        public Collector(string path)
        {
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(path));
            _listener.Listen();
            Done = Task.Run(Serve);
        }

        public List<string> Controls { get; } = [];

        public List<byte[]> Frames { get; } = [];

        public Task Done { get; }

        private void Serve()
        {
            using var s = _listener.Accept();
            while (true)
            {
                uint length = ReadUInt32(s);
                if (length != 0)
                {
                    var frame = new byte[length];
                    Read(s, frame);
                    Frames.Add(frame);
                    continue;
                }
                var control = new byte[ReadUInt32(s)];
                Read(s, control);
                uint type = BinaryPrimitives.ReadUInt32BigEndian(control);
                string content = control.Length > 12 ? Encoding.ASCII.GetString(control, 12, (int)BinaryPrimitives.ReadUInt32BigEndian(control.AsSpan(8))) : "";
                Controls.Add($"{type}:{content}");
                if (type == 4) // READY: ACCEPT with the content type
                    s.Send(Control(1, content));
                if (type == 3) // STOP: FINISH
                {
                    s.Send(Control(5, ""));
                    return;
                }
            }
        }

        private static byte[] Control(uint type, string content)
        {
            var bytes = Encoding.ASCII.GetBytes(content);
            int length = 4 + (bytes.Length > 0 ? 8 + bytes.Length : 0);
            var frame = new byte[8 + length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)length);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), type);
            if (bytes.Length > 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), 1);
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(16), (uint)bytes.Length);
                bytes.CopyTo(frame, 20);
            }
            return frame;
        }

        private static uint ReadUInt32(Socket s)
        {
            var b = new byte[4];
            Read(s, b);
            return BinaryPrimitives.ReadUInt32BigEndian(b);
        }

        private static void Read(Socket s, Span<byte> into)
        {
            while (!into.IsEmpty)
            {
                int n = s.Receive(into);
                if (n == 0)
                    throw new EndOfStreamException();
                into = into[n..];
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Fields of one protocol buffer: number to raw value (varints as numbers, the rest as bytes).</summary>
    private static Dictionary<int, object> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new Dictionary<int, object>();
        int pos = 0;
        while (pos < message.Length)
        {
            ulong tag = Varint(message, ref pos);
            int field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    fields[field] = Varint(message, ref pos);
                    break;
                case 2:
                    int length = (int)Varint(message, ref pos);
                    fields[field] = message.Slice(pos, length).ToArray();
                    pos += length;
                    break;
                case 5:
                    fields[field] = BinaryPrimitives.ReadUInt32LittleEndian(message[pos..]);
                    pos += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {tag & 7}");
            }
        }
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
    }

    [Fact]
    public async Task Every_query_and_response_reaches_the_collector_after_the_frame_streams_handshake()
    {
        var path = Path.Combine(_dir, "tap.sock");
        using var collector = new Collector(path);
        var stage = new DnstapStage(new DnstapOptions { Socket = path, Identity = "ns1" }, 1, "Rdns test");
        stage.Writer.Start(NullLogger.Instance);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [stage]);
        var sent = new List<(byte[] Query, byte[] Response)>();
        for (ushort id = 1; id <= 10; id++)
        {
            var query = DnsMessage.Query(Hit, RecordType.PTR, id: id).ToWire();
            var response = new byte[512];
            int n = pipeline.Process(query, response, From with { ReceivedAt = System.Diagnostics.Stopwatch.GetTimestamp() }, 0).Length;
            sent.Add((query, response[..n]));
        }
        for (int i = 0; i < 100 && stage.Writer.Written < 10; i++)
            await Task.Delay(50);
        stage.Dispose();
        await collector.Done.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["4:protobuf:dnstap.Dnstap", "2:protobuf:dnstap.Dnstap", "3:"], collector.Controls);
        Assert.Equal(20, collector.Frames.Count);
        for (int i = 0; i < 10; i++)
        {
            var query = Fields(collector.Frames[2 * i]);
            var response = Fields(collector.Frames[2 * i + 1]);
            Assert.Equal("ns1", Encoding.UTF8.GetString((byte[])query[1]));
            Assert.Equal(1UL, query[15]); // Dnstap.Type MESSAGE
            var q = Fields((byte[])query[14]);
            var r = Fields((byte[])response[14]);
            Assert.Equal(1UL, q[1]); // AUTH_QUERY
            Assert.Equal(2UL, r[1]); // AUTH_RESPONSE
            Assert.Equal(1UL, q[2]); // INET
            Assert.Equal(1UL, q[3]); // UDP
            Assert.Equal(new byte[] { 198, 51, 100, 7 }, q[4]);
            Assert.Equal(new byte[] { 192, 0, 2, 53 }, q[5]);
            Assert.Equal(4000UL, q[6]);
            Assert.Equal(53UL, q[7]);
            Assert.Equal(sent[i].Query, q[10]);
            Assert.Equal(sent[i].Response, r[14]);
            Assert.Equal(DnsName.Parse("2.0.192.in-addr.arpa.").Wire.ToArray(), q[11]);
            var at = DateTimeOffset.FromUnixTimeSeconds((long)(ulong)q[8]);
            Assert.True(Math.Abs((DateTimeOffset.UtcNow - at).TotalMinutes) < 1, $"query time {at}");
            Assert.True((ulong)r[12] >= (ulong)q[8]);
        }
        Assert.Equal(10, stage.Logged);
        Assert.Equal(0, stage.Dropped);
    }

    [Fact]
    public void Without_a_reader_frames_are_dropped_and_counted_and_queries_answered()
    {
        // No writer draining: the queue (16 requests) fills, and the rest are dropped at once.
        var stage = new DnstapStage(new DnstapOptions { Socket = Path.Combine(_dir, "nobody.sock"), QueueSize = 16 }, 1, "Rdns test");
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [stage]);
        var query = DnsMessage.Query(Hit, RecordType.PTR).ToWire();
        var response = new byte[512];
        for (int i = 0; i < 100; i++)
            Assert.True(pipeline.Process(query, response, From, 0).Length > 12);
        Assert.Equal(16, stage.Logged);
        Assert.Equal(84, stage.Dropped);
    }

    [Fact]
    public void Sampling_logs_one_query_in_n()
    {
        var stage = new DnstapStage(new DnstapOptions { Socket = Path.Combine(_dir, "nobody.sock"), Sample = 10, QueueSize = 1024 }, 1, "Rdns test");
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [stage]);
        var query = DnsMessage.Query(Hit, RecordType.PTR).ToWire();
        var response = new byte[512];
        for (int i = 0; i < 100; i++)
            pipeline.Process(query, response, From, 0);
        Assert.Equal(10, stage.Logged);
    }

    [Fact]
    public async Task Logging_queries_allocates_nothing_on_the_query_path()
    {
        var path = Path.Combine(_dir, "alloc.sock");
        using var collector = new Collector(path);
        var stage = new DnstapStage(new DnstapOptions { Socket = path }, 1, "Rdns test");
        stage.Writer.Start(NullLogger.Instance);
        var pipeline = new DnsPipeline(Zones(), new ServerOptions(), stages: [stage, new QueryCounters(1)]);
        var query = DnsMessage.Query(Hit, RecordType.PTR, edns: new EdnsOptions()).ToWire();
        var response = new byte[4096];
        SteadyState.AssertAllocatesNothing(() =>
            pipeline.Process(query, response, From with { ReceivedAt = System.Diagnostics.Stopwatch.GetTimestamp() }, 0));
        stage.Dispose();
        await collector.Done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(stage.Logged, stage.Writer.Written + stage.Writer.Discarded);
    }
}
