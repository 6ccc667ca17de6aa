using System.Buffers.Binary;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Dnssec;

/// <summary>
/// RRSIG RDATA (RFC 4034 §3.1): type covered, algorithm, labels, original TTL, expiration,
/// inception, key tag, signer's name (uncompressed, lowercase, §3.1.7), signature. The octets a
/// signature covers are this RDATA without the signature, then the canonical RRset (§3.1.8.1).
/// </summary>
public static class Rrsig
{
    /// <summary>The fixed fields before the signer's name.</summary>
    public const int FixedSize = 18;

    /// <summary>Where expiration and inception sit: the fields that change when a signature is renewed.</summary>
    public const int TimesOffset = 8;

    public const int TimesSize = 8;

    /// <summary>Writes the fields before the signature; returns their length.</summary>
    public static int WriteHeader(Span<byte> destination, RecordType covered, DnssecAlgorithm algorithm, byte labels, uint originalTtl,
        uint expiration, uint inception, ushort keyTag, ReadOnlySpan<byte> signer)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)covered);
        destination[2] = (byte)algorithm;
        destination[3] = labels;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], originalTtl);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], expiration);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], inception);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], keyTag);
        signer.CopyTo(destination[FixedSize..]);
        Names.WireName.LowerInPlace(destination.Slice(FixedSize, signer.Length));
        return FixedSize + signer.Length;
    }

    public static void WriteTimes(Span<byte> header, uint expiration, uint inception)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], expiration);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], inception);
    }

    public static RecordType TypeCovered(ReadOnlySpan<byte> rdata) => (RecordType)BinaryPrimitives.ReadUInt16BigEndian(rdata);

    public static DnssecAlgorithm Algorithm(ReadOnlySpan<byte> rdata) => (DnssecAlgorithm)rdata[2];

    public static byte Labels(ReadOnlySpan<byte> rdata) => rdata[3];

    public static uint OriginalTtl(ReadOnlySpan<byte> rdata) => BinaryPrimitives.ReadUInt32BigEndian(rdata[4..]);

    public static uint Expiration(ReadOnlySpan<byte> rdata) => BinaryPrimitives.ReadUInt32BigEndian(rdata[8..]);

    public static uint Inception(ReadOnlySpan<byte> rdata) => BinaryPrimitives.ReadUInt32BigEndian(rdata[12..]);

    public static ushort KeyTag(ReadOnlySpan<byte> rdata) => BinaryPrimitives.ReadUInt16BigEndian(rdata[16..]);

    /// <summary>Length of the header (everything before the signature) of an RRSIG RDATA.</summary>
    public static int HeaderLength(ReadOnlySpan<byte> rdata)
    {
        int pos = FixedSize;
        while (rdata[pos] != 0)
            pos += 1 + rdata[pos];
        return pos + 1;
    }
}
