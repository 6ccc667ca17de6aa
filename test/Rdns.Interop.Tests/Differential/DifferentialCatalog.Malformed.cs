using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Differential;

/// <summary>Messages no client should send, built octet by octet.</summary>
public static partial class DifferentialCatalog
{
    // See AcceptedDifference and docs/COMPLIANCE.md for each.
    private const AcceptedDifference Drops = AcceptedDifference.FormErrWhereKnotDrops;
    private const AcceptedDifference SeveralQuestions = AcceptedDifference.FormErrForSeveralQuestions;
    private const AcceptedDifference KeepsOpt = AcceptedDifference.FormErrKeepsOpt;

    private static void Malformed(CaseSet s)
    {
        byte[] Query(RecordType type = RecordType.PTR, EdnsOptions? edns = null, string name = "1.2.0.192.in-addr.arpa.") =>
            DnsMessage.Query(DnsName.Parse(name), type, s.NextId(), edns: edns).ToWire();

        // Header fields.
        s.Raw("QR set: a response is never answered", With(Query(), q => q[2] |= 0x80));
        s.Raw("QR set with an answer section: never answered", With(Query(), q => { q[2] |= 0x80; q[7] = 0; }));
        s.Raw("Opcode IQUERY (1)", Opcode(Query(), 1));
        s.Raw("Opcode STATUS (2)", Opcode(Query(), 2));
        s.Raw("Opcode 3 (unassigned)", Opcode(Query(), 3));
        s.Raw("Opcode 6 (DSO) over UDP", Opcode(Query(), 6));
        s.Raw("Opcode 7 (unassigned)", Opcode(Query(), 7));
        s.Raw("Opcode 15 (unassigned)", Opcode(Query(), 15));
        s.Raw("Opcode 7 with EDNS", Opcode(Query(edns: Edns0), 7));
        s.Raw("Opcode STATUS without a question", Opcode(Header(s.NextId(), 0, 0, 0, 0), 2));
        s.Raw("TC set in a query", With(Query(), q => q[2] |= 0x02));
        s.Raw("AA set in a query", With(Query(), q => q[2] |= 0x04));
        s.Raw("RA set in a query", With(Query(), q => q[3] |= 0x80));
        s.Raw("Z set in a query", With(Query(), q => q[3] |= 0x40));
        s.Raw("RCODE set in a query", With(Query(), q => q[3] |= 0x03));

        // Question count.
        s.Raw("QDCOUNT 0, nothing else", Header(s.NextId(), 0, 0, 0, 0));
        s.Raw("QDCOUNT 0 with EDNS", Concat(Header(s.NextId(), 0, 0, 0, 1), Opt(1232)));
        s.Raw("QDCOUNT 0 with a question present", With(Query(), q => q[5] = 0), Drops);
        s.Raw("QDCOUNT 2 with two questions", TwoQuestions(s.NextId()), SeveralQuestions);
        s.Raw("QDCOUNT 2 with one question", With(Query(), q => q[5] = 2), SeveralQuestions);
        s.Raw("QDCOUNT 65535 with one question", With(Query(), q => { q[4] = 0xFF; q[5] = 0xFF; }), SeveralQuestions);
        s.Raw("QDCOUNT 2 over TCP", TwoQuestions(s.NextId()), Transport.Tcp, SeveralQuestions);

        // Truncated or broken questions.
        var full = Query();
        s.Raw("Header only, 12 octets, QDCOUNT 1", full[..12], Drops);
        s.Raw("11 octets: shorter than a header", full[..11]);
        s.Raw("Question cut inside the name", full[..20], Drops);
        s.Raw("Question cut after the name", full[..^4], Drops);
        s.Raw("Question cut inside QTYPE", full[..^3], Drops);
        s.Raw("Question cut inside QCLASS", full[..^1], Drops);
        s.Raw("Label length past the end", With(Query(), q => q[12] = 60), Drops);
        s.Raw("Label type 01 (extended label)", With(Query(), q => q[12] = 0x41), Drops);
        s.Raw("Label type 10 (reserved)", With(Query(), q => q[12] = 0x81), Drops);
        s.Raw("Question name is a pointer to itself", Concat(Header(s.NextId(), 1, 0, 0, 0), [0xC0, 12, 0, 12, 0, 1]), Drops);
        s.Raw("Question name is a pointer into the header", Concat(Header(s.NextId(), 1, 0, 0, 0), [0xC0, 2, 0, 12, 0, 1]), Drops);
        s.Raw("Question name is a forward pointer", Concat(Header(s.NextId(), 1, 0, 0, 0), [0xC0, 18, 0, 12, 0, 1, 1, (byte)'a', 0]), Drops);
        s.Raw("Question name longer than 255 octets", Concat(Header(s.NextId(), 1, 0, 0, 0), LongName(5), [0, 12, 0, 1]), Drops);
        s.Raw("Question name of exactly 255 octets", Concat(Header(s.NextId(), 1, 0, 0, 0), LongName(4, lastLabel: 61), [0, 12, 0, 1]));
        s.Raw("QTYPE 0", With(Query(), q => { q[^4] = 0; q[^3] = 0; }));
        s.Raw("QCLASS 0", With(Query(), q => { q[^2] = 0; q[^1] = 0; }));

        // Other sections in a query.
        var answer = RecordBytes($"1.{V4}", RecordType.PTR, [2, (byte)'g', (byte)'w', 0]);
        s.Raw("ANCOUNT 1 with a record in the answer section", Concat(Set(Query(), an: 1), answer));
        s.Raw("NSCOUNT 1 with a record in the authority section", Concat(Set(Query(), ns: 1), answer));
        s.Raw("ANCOUNT 1 without the record", Set(Query(), an: 1));
        s.Raw("NSCOUNT 1 without the record", Set(Query(), ns: 1));
        s.Raw("ARCOUNT 1 without the record", Set(Query(), ar: 1));
        s.Raw("ARCOUNT 2 with one OPT", Set(Query(edns: Edns0), ar: 2), KeepsOpt);
        s.Raw("Additional non-OPT record", Concat(Set(Query(), ar: 1), answer));
        s.Raw("Record with RDLENGTH past the end", Concat(Set(Query(), an: 1), answer[..^2]));
        s.Raw("Answer record with a compression pointer to the question", Concat(Set(Query(), an: 1),
            [0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 4, 2, (byte)'g', (byte)'w', 0]));

        // Trailing octets.
        s.Raw("Trailing garbage after the question", Concat(Query(), [0xDE, 0xAD, 0xBE, 0xEF]));
        s.Raw("One trailing zero octet after the question", Concat(Query(), [0]));
        s.Raw("Trailing garbage after OPT", Concat(Query(edns: Edns0), [1, 2, 3]), KeepsOpt);
        s.Raw("Trailing garbage over TCP", Concat(Query(), [0xDE, 0xAD]), Transport.Tcp);

        // Broken EDNS.
        s.Raw("Two OPT records", Concat(Set(Query(edns: Edns0), ar: 2), Opt(1232)), KeepsOpt);
        s.Raw("OPT with a non-root owner", Concat(Set(Query(), ar: 1), RecordBytes("x.", RecordType.OPT, [], cls: 1232)), AcceptedDifference.OptOwnerNotRoot);
        s.Raw("OPT option length past the RDATA", Concat(Set(Query(), ar: 1), Opt(1232, [0xFD, 0xE9, 0, 9, 1, 2])), KeepsOpt);
        s.Raw("OPT with a partial option header", Concat(Set(Query(), ar: 1), Opt(1232, [0xFD, 0xE9, 0])), KeepsOpt);
        s.Raw("OPT RDLENGTH past the end", With(Concat(Set(Query(), ar: 1), Opt(1232)), q => q[^1] = 8));
        s.Raw("OPT in the answer section", Concat(Set(Query(), an: 1), Opt(1232)));

        // TSIG-shaped records.
        var tsig = RecordBytes("key.example.", RecordType.TSIG, TsigData(), cls: 255);
        s.Raw("TSIG that is not the last record", Concat(Set(Query(), ar: 2), tsig, Opt(1232)));
        s.Raw("TSIG with a key the server does not know", Concat(Set(Query(), ar: 1), tsig));
        s.Raw("TSIG with an unknown key after OPT", Concat(Set(Query(edns: Edns0), ar: 2), tsig));
        s.Raw("TSIG with an unknown key for a name outside every zone", Concat(Set(Query(name: "example.com."), ar: 1), tsig));
        s.Raw("TSIG with an unknown key and class CH", With(Concat(Set(Query(), ar: 1), tsig), q => q[39] = 3)); // QCLASS CH
        s.Raw("TSIG with an unknown key and EDNS version 1", Concat(Set(Query(edns: new EdnsOptions(1232, Version: 1)), ar: 2), tsig));
        s.Raw("TSIG with an unknown key for a NXDOMAIN name", Concat(Set(Query(name: "99.2.0.192.in-addr.arpa."), ar: 1), tsig));
        s.Raw("TSIG with an unknown key and an unknown algorithm",
            Concat(Set(Query(), ar: 1), RecordBytes("key.example.", RecordType.TSIG, TsigData(algorithm: "hmac-unknown."), cls: 255)));
        s.Raw("TSIG with an unknown key over TCP", Concat(Set(Query(), ar: 1), tsig), Transport.Tcp);
        s.Raw("TSIG with RDATA cut short", Concat(Set(Query(), ar: 1), RecordBytes("key.example.", RecordType.TSIG, TsigData()[..20], cls: 255)));
    }

    private static byte[] With(byte[] message, Action<byte[]> change)
    {
        var copy = (byte[])message.Clone();
        change(copy);
        return copy;
    }

    private static byte[] Opcode(byte[] message, int opcode) => With(message, q => q[2] = (byte)((q[2] & 0x87) | (opcode << 3)));

    private static byte[] Set(byte[] message, int? an = null, int? ns = null, int? ar = null) => With(message, q =>
    {
        if (an is int a)
            BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(6), (ushort)a);
        if (ns is int n)
            BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(8), (ushort)n);
        if (ar is int r)
            BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(10), (ushort)r);
    });

    private static byte[] Header(ushort id, int qd, int an, int ns, int ar)
    {
        var h = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(h, id);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)qd);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), (ushort)an);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(8), (ushort)ns);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(10), (ushort)ar);
        return h;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] TwoQuestions(ushort id)
    {
        var q1 = DnsName.Parse($"1.{V4}").Wire.ToArray();
        var q2 = DnsName.Parse($"2.{V4}").Wire.ToArray();
        return Concat(Header(id, 2, 0, 0, 0), q1, [0, 12, 0, 1], q2, [0, 12, 0, 1]);
    }

    /// <summary>Labels of 63 octets; <paramref name="labels"/> × 64 + 1 octets in all, unless the last is shorter.</summary>
    private static byte[] LongName(int labels, int lastLabel = 63)
    {
        var name = new List<byte>();
        for (int i = 0; i < labels; i++)
        {
            int length = i == labels - 1 ? lastLabel : 63;
            name.Add((byte)length);
            name.AddRange(Enumerable.Repeat((byte)'a', length));
        }
        name.Add(0);
        return [.. name];
    }

    private static byte[] RecordBytes(string owner, RecordType type, byte[] data, ushort cls = 1, uint ttl = 60)
    {
        var name = DnsName.Parse(owner).Wire.ToArray();
        var fixedPart = new byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(2), cls);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart.AsSpan(4), ttl);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(8), (ushort)data.Length);
        return Concat(name, fixedPart, data);
    }

    private static byte[] Opt(ushort payload, byte[]? options = null) =>
        RecordBytes(".", RecordType.OPT, options ?? [], cls: payload, ttl: 0);

    /// <summary>TSIG RDATA (RFC 8945 §4.2): hmac-sha256, a time, fudge 300, a 32-octet MAC, error 0.</summary>
    public static byte[] TsigData(ushort originalId = 0x1234, string algorithm = "hmac-sha256.")
    {
        var algorithmName = DnsName.Parse(algorithm).Wire.ToArray();
        var rest = new byte[6 + 2 + 2 + 32 + 2 + 2 + 2];
        BinaryPrimitives.WriteUInt32BigEndian(rest.AsSpan(2), (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt16BigEndian(rest.AsSpan(6), 300);
        BinaryPrimitives.WriteUInt16BigEndian(rest.AsSpan(8), 32);
        BinaryPrimitives.WriteUInt16BigEndian(rest.AsSpan(42), originalId);
        return Concat(algorithmName, rest);
    }
}
