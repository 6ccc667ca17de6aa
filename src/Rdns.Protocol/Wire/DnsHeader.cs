using System.Buffers.Binary;

namespace Rdns.Protocol.Wire;

/// <summary>The 12-octet message header (RFC 1035 §4.1.1).</summary>
public struct DnsHeader
{
    public const int Size = 12;

    public ushort Id;
    public ushort Flags;
    public ushort QdCount;
    public ushort AnCount;
    public ushort NsCount;
    public ushort ArCount;

    public readonly bool IsResponse => (Flags & (ushort)HeaderFlags.QR) != 0;

    public readonly Opcode Opcode => (Opcode)((Flags >> 11) & 0xF);

    /// <summary>The low four bits of the RCODE; OPT carries the upper eight (RFC 6891 §6.1.3).</summary>
    public readonly int Rcode => Flags & 0xF;

    public readonly bool Has(HeaderFlags flag) => (Flags & (ushort)flag) != 0;

    public static bool TryRead(ReadOnlySpan<byte> message, out DnsHeader header)
    {
        if (message.Length < Size)
        {
            header = default;
            return false;
        }
        header.Id = BinaryPrimitives.ReadUInt16BigEndian(message);
        header.Flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        header.QdCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        header.AnCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        header.NsCount = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        header.ArCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        return true;
    }

    public readonly void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], QdCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], AnCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], NsCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], ArCount);
    }

    public static ushort MakeFlags(HeaderFlags flags, Opcode opcode, int rcode) =>
        (ushort)((ushort)flags | ((int)opcode << 11) | (rcode & 0xF));
}
