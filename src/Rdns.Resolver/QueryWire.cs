using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Resolver;

/// <summary>Writes a stub query and decides whether a reply belongs to it.</summary>
internal static class QueryWire
{
    /// <summary>Header, the longest name, type and class, an OPT record without options, and the TCP length prefix.</summary>
    public const int MaxFramedQuery = 2 + DnsHeader.Size + DnsName.MaxLength + 4 + 11;

    /// <summary>
    /// Writes the query at offset 2 of <paramref name="destination"/> with its RFC 1035 §4.2.2
    /// length in the first two octets, so the same bytes serve UDP (from offset 2) and TCP (from 0).
    /// RD is set: the servers asked are recursive resolvers (RFC 1035 §4.1.1).
    /// </summary>
    /// <returns>The length of the message without the prefix.</returns>
    public static int Write(Span<byte> destination, ushort id, DnsName name, RecordType type, ushort ednsPayloadSize)
    {
        var writer = new DnsMessageWriter(destination[2..], MaxFramedQuery - 2)
        {
            Id = id,
            Flags = DnsHeader.MakeFlags(HeaderFlags.RD, Opcode.Query, 0),
        };
        if (!writer.TryWriteQuestion(name.Wire, type, RecordClass.IN) ||
            (ednsPayloadSize > 0 && !writer.TryWriteOpt(ednsPayloadSize, 0, 0, dnssecOk: false)))
            throw new InvalidOperationException("a single-question query always fits; the size constant is wrong");
        int length = writer.Finish();
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
        return length;
    }

    /// <summary>
    /// True when <paramref name="reply"/> answers our query (RFC 5452 §9.1): same ID, QR set, opcode
    /// QUERY, and the one question is ours (name ignoring case, type, class IN). The source address
    /// is checked by the kernel: our UDP socket is connected to the server, so it receives nothing
    /// else. A FORMERR or NOTIMP reply may carry no question at all (servers that cannot parse ours
    /// do not echo it), and is accepted with ID alone so that the EDNS fallback can work.
    /// Anything that is not a reply to us is ignored, not an error: it may be a stale or forged
    /// datagram, and the real reply may still come.
    /// </summary>
    public static bool IsReplyTo(ReadOnlySpan<byte> reply, ushort id, DnsName name, RecordType type)
    {
        var reader = new DnsMessageReader(reply);
        if (!reader.TryReadHeader(out var header) || header.Id != id || !header.IsResponse || header.Opcode != Opcode.Query)
            return false;
        if (header.QdCount == 0)
            return header.Rcode is (int)Rcode.FormErr or (int)Rcode.NotImp;
        if (header.QdCount != 1)
            return false;
        Span<byte> question = stackalloc byte[DnsName.MaxLength];
        return reader.TryReadQuestion(question, out int length, out var qtype, out var qclass) &&
            qtype == type && qclass == RecordClass.IN && WireName.EqualsIgnoreCase(question[..length], name.Wire);
    }
}
