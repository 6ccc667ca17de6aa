using System.Buffers.Binary;
using Rdns.Interop.Tests.Differential;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Fuzz;

/// <summary>A valid query to mutate, with where its fields sit.</summary>
public sealed record SeedQuery(string Title, byte[] Wire, int[] LabelLengthOffsets, int[] RdLengthOffsets, int[] NameOffsets);

/// <summary>
/// Turns valid queries into broken ones: cut at every length, flipped octets, wrong section
/// counts and RDLENGTHs, label lengths past the end, compression pointers to themselves, forward
/// and in loops, names of many labels, and plain garbage. Deterministic for a given seed, so a
/// failure can be replayed.
/// </summary>
public sealed class PacketMutator(int seed)
{
    private readonly Random _random = new(seed);

    public static IReadOnlyList<SeedQuery> Seeds { get; } = BuildSeeds();

    /// <summary>Every seed cut at every length from 0 to one octet short of whole.</summary>
    public static IEnumerable<(string Kind, byte[] Packet)> Truncations()
    {
        foreach (var s in Seeds)
        {
            for (int length = 0; length < s.Wire.Length; length++)
                yield return ("truncation", s.Wire[..length]);
        }
    }

    /// <summary>An endless stream of mutated packets, each mutation kind in turn.</summary>
    public IEnumerable<(string Kind, byte[] Packet)> Mutations()
    {
        var kinds = new (string Name, Func<SeedQuery, byte[]> Mutate)[]
        {
            ("byte flips", FlipBytes),
            ("section counts", WrongCounts),
            ("rdlength", WrongRdLength),
            ("label length past the end", LabelPastEnd),
            ("pointer to itself", s => Pointer(s, PointerKind.Self)),
            ("forward pointer", s => Pointer(s, PointerKind.Forward)),
            ("pointer loop", s => Pointer(s, PointerKind.Loop)),
            ("pointer past the end", s => Pointer(s, PointerKind.PastEnd)),
            ("many labels", ManyLabels),
            ("garbage", _ => Garbage()),
            ("header flags", RandomFlags),
            ("splice", Splice),
            ("insert and delete", InsertDelete),
        };
        while (true)
        {
            foreach (var (name, mutate) in kinds)
            {
                var seed = Seeds[_random.Next(Seeds.Count)];
                var packet = mutate(seed);
                // Half the time keep the ID random too, so replies cannot be told apart by it.
                if (packet.Length >= 2 && _random.Next(2) == 0)
                    BinaryPrimitives.WriteUInt16BigEndian(packet, (ushort)_random.Next(65536));
                yield return (name, packet);
            }
        }
    }

    private byte[] FlipBytes(SeedQuery s)
    {
        var p = (byte[])s.Wire.Clone();
        int flips = 1 + _random.Next(8);
        for (int i = 0; i < flips; i++)
        {
            int at = _random.Next(p.Length);
            p[at] = _random.Next(3) switch
            {
                0 => (byte)(p[at] ^ (1 << _random.Next(8))),
                1 => (byte)_random.Next(256),
                _ => (byte)(_random.Next(2) == 0 ? 0xFF : 0x00),
            };
        }
        return p;
    }

    private static readonly ushort[] InterestingCounts = [0, 1, 2, 3, 127, 128, 255, 256, 32767, 32768, 65534, 65535];

    private ushort Count() => _random.Next(3) == 0 ? (ushort)_random.Next(65536) : InterestingCounts[_random.Next(InterestingCounts.Length)];

    private byte[] WrongCounts(SeedQuery s)
    {
        var p = (byte[])s.Wire.Clone();
        int fields = 1 + _random.Next(4);
        for (int i = 0; i < fields; i++)
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4 + 2 * _random.Next(4)), Count());
        return p;
    }

    private byte[] WrongRdLength(SeedQuery s)
    {
        if (s.RdLengthOffsets.Length == 0)
            return WrongCounts(s);
        var p = (byte[])s.Wire.Clone();
        int at = s.RdLengthOffsets[_random.Next(s.RdLengthOffsets.Length)];
        int current = BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(at));
        ushort value = _random.Next(4) switch
        {
            0 => (ushort)(current + 1 + _random.Next(8)),
            1 => (ushort)Math.Max(0, current - 1 - _random.Next(8)),
            2 => 0xFFFF,
            _ => (ushort)_random.Next(65536),
        };
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(at), value);
        return p;
    }

    private byte[] LabelPastEnd(SeedQuery s)
    {
        var p = (byte[])s.Wire.Clone();
        int at = s.LabelLengthOffsets[_random.Next(s.LabelLengthOffsets.Length)];
        p[at] = (byte)(_random.Next(2) == 0 ? 63 : Math.Min(63, p.Length - at + _random.Next(8)));
        if (_random.Next(2) == 0)
            p = p[..Math.Min(p.Length, at + 1 + _random.Next(4))];
        return p;
    }

    private enum PointerKind
    {
        Self,
        Forward,
        Loop,
        PastEnd,
    }

    private byte[] Pointer(SeedQuery s, PointerKind kind)
    {
        var p = (byte[])s.Wire.Clone();
        int at = s.NameOffsets[_random.Next(s.NameOffsets.Length)];
        int target = kind switch
        {
            PointerKind.Self => at,
            PointerKind.Forward => Math.Min(0x3FFF, at + 2 + _random.Next(Math.Max(1, p.Length - at))),
            PointerKind.PastEnd => p.Length + _random.Next(0x3FFF - p.Length),
            _ => at + 2,
        };
        p[at] = (byte)(0xC0 | (target >> 8));
        p[at + 1] = (byte)target;
        if (kind == PointerKind.Loop && at + 3 < p.Length)
        {
            // Two pointers that point at each other.
            p[at + 2] = (byte)(0xC0 | (at >> 8));
            p[at + 3] = (byte)at;
        }
        return p;
    }

    private byte[] ManyLabels(SeedQuery s)
    {
        // A question name of many one-octet labels: 127 fit in 255 octets, more do not.
        int labels = _random.Next(4) switch { 0 => 127, 1 => 128, 2 => 200 + _random.Next(300), _ => 1 + _random.Next(127) };
        var name = new List<byte>();
        for (int i = 0; i < labels; i++)
        {
            name.Add(1);
            name.Add((byte)('a' + _random.Next(26)));
        }
        if (_random.Next(4) != 0)
            name.Add(0); // sometimes the name never ends
        var header = s.Wire[..12];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        return [.. header, .. name, 0, 12, 0, 1];
    }

    private byte[] Garbage()
    {
        var p = new byte[_random.Next(4) == 0 ? _random.Next(12) : _random.Next(600)];
        _random.NextBytes(p);
        if (p.Length > 2 && _random.Next(2) == 0)
            p[2] &= 0x7F; // QR clear, so it is read as a query
        return p;
    }

    private byte[] RandomFlags(SeedQuery s)
    {
        var p = (byte[])s.Wire.Clone();
        p[2] = (byte)_random.Next(256);
        p[3] = (byte)_random.Next(256);
        return p;
    }

    private byte[] Splice(SeedQuery s)
    {
        var other = Seeds[_random.Next(Seeds.Count)].Wire;
        int cut = 12 + _random.Next(Math.Max(1, s.Wire.Length - 12));
        int from = _random.Next(other.Length);
        return [.. s.Wire[..Math.Min(cut, s.Wire.Length)], .. other[from..]];
    }

    private byte[] InsertDelete(SeedQuery s)
    {
        var p = new List<byte>(s.Wire);
        int edits = 1 + _random.Next(4);
        for (int i = 0; i < edits && p.Count > 0; i++)
        {
            int at = _random.Next(p.Count);
            if (_random.Next(2) == 0)
                p.Insert(at, (byte)_random.Next(256));
            else
                p.RemoveAt(at);
        }
        return [.. p];
    }

    private static List<SeedQuery> BuildSeeds()
    {
        var seeds = new List<SeedQuery>();
        var names = new[]
        {
            "1.2.0.192.in-addr.arpa.", "250.2.0.192.in-addr.arpa.", "129.2.0.192.in-addr.arpa.", "30.2.0.192.in-addr.arpa.",
            "1.100.51.198.in-addr.arpa.", "x.y.7.51.198.in-addr.arpa.", "Host.Wild.Example.Test.",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "example.test.", "example.com.",
        };
        var types = new[] { RecordType.PTR, RecordType.A, RecordType.AAAA, RecordType.SOA, RecordType.NS, RecordType.ANY, RecordType.TXT, RecordType.DS, RecordType.CNAME };
        ushort id = 1;
        foreach (string name in names)
        {
            foreach (var type in types)
            {
                var plain = DnsMessage.Query(DnsName.Parse(name), type, id++);
                seeds.Add(Seed($"{name} {type}", plain));
                if (type is RecordType.PTR or RecordType.ANY or RecordType.SOA)
                {
                    var withOpt = DnsMessage.Query(DnsName.Parse(name), type, id++, edns: new EdnsOptions(1232, DnssecOk: true,
                        Options: [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0xFD, 0xE9, 0, 2, 0xAB, 0xCD]));
                    seeds.Add(Seed($"{name} {type} EDNS", withOpt));
                    var signed = DnsMessage.Query(DnsName.Parse(name), type, id++, edns: new EdnsOptions());
                    signed.Tsig = new ResourceRecord(DnsName.Parse("key.example."), RecordType.TSIG, RecordClass.ANY, 0, DifferentialCatalog.TsigData());
                    seeds.Add(Seed($"{name} {type} TSIG", signed));
                }
            }
        }
        // A query that carries records in the answer and authority sections, as an UPDATE or a
        // NOTIFY would.
        var busy = DnsMessage.Query(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA, id++, edns: new EdnsOptions());
        busy.Answers.Add(new ResourceRecord(DnsName.Parse("2.0.192.in-addr.arpa."), RecordType.SOA, 3600,
            Rdata.Soa(DnsName.Parse("ns1.example.net."), DnsName.Parse("hostmaster.example.net."), 5, 7200, 3600, 1209600, 300)));
        busy.Authority.Add(new ResourceRecord(DnsName.Parse("1.2.0.192.in-addr.arpa."), RecordType.PTR, 60, Rdata.Ptr(DnsName.Parse("gw.example.net."))));
        seeds.Add(Seed("records in answer and authority", busy));
        return seeds;
    }

    private static SeedQuery Seed(string title, DnsMessage message)
    {
        var wire = message.ToWire();
        var labels = new List<int>();
        var nameStarts = new List<int> { 12 };
        int pos = 12;
        while (wire[pos] != 0)
        {
            labels.Add(pos);
            pos += 1 + wire[pos];
        }
        var rdLengths = new List<int>();
        var reader = new DnsMessageReader(wire);
        reader.TryReadHeader(out var header);
        Span<byte> buffer = stackalloc byte[DnsName.MaxLength];
        reader.TryReadQuestion(buffer, out _, out _, out _);
        for (int i = 0; i < header.AnCount + header.NsCount + header.ArCount; i++)
        {
            nameStarts.Add(reader.Position);
            if (!reader.TryReadRecord(buffer, out var record))
                throw new InvalidOperationException($"seed {title} does not parse");
            rdLengths.Add(record.DataOffset - 2);
        }
        return new SeedQuery(title, wire, [.. labels], [.. rdLengths], [.. nameStarts]);
    }
}
