using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Server;

/// <summary>
/// Unsigned TSIG error records (RFC 8945 §5.3.2): the answer to a signed request that cannot be
/// verified. Works on the request's octets and the response writer; allocates nothing.
/// </summary>
public static class TsigErrors
{
    /// <summary>The key or the algorithm is not known (RFC 8945 §5.2).</summary>
    public const ushort BadKey = 17;

    /// <summary>
    /// Appends to the additional section a TSIG record for the request's TSIG at
    /// <paramref name="tsigOffset"/>: the same key name, algorithm, time signed and fudge, the
    /// response's message ID as original ID, an empty MAC and <paramref name="error"/>. False when
    /// the request's TSIG RDATA cannot be read (the request is then a format error) or the record
    /// does not fit.
    /// </summary>
    public static bool TryAppendUnsigned(ReadOnlySpan<byte> query, int tsigOffset, ushort error, ref DnsMessageWriter w)
    {
        Span<byte> key = stackalloc byte[DnsName.MaxLength];
        int keyLength = WireName.Read(query, tsigOffset, key, out int next);
        if (keyLength < 0 || next + 10 > query.Length)
            return false;
        int dataStart = next + 10;
        int dataEnd = dataStart + BinaryPrimitives.ReadUInt16BigEndian(query[(next + 8)..]);
        if (dataEnd > query.Length)
            return false;

        // RDATA (RFC 8945 §4.2): algorithm, time signed (6), fudge (2), MAC size (2), MAC,
        // original ID (2), error (2), other length (2), other data.
        Span<byte> algorithm = stackalloc byte[DnsName.MaxLength];
        int algorithmLength = WireName.Read(query, dataStart, algorithm, out int pos);
        if (algorithmLength < 0 || pos + 10 > dataEnd)
            return false;
        var timeAndFudge = query.Slice(pos, 8);
        int macSize = BinaryPrimitives.ReadUInt16BigEndian(query[(pos + 8)..]);
        int afterMac = pos + 10 + macSize;
        if (afterMac + 6 > dataEnd)
            return false;

        int rdataLength = algorithmLength + 8 + 2 + 2 + 2 + 2;
        Span<byte> record = stackalloc byte[DnsName.MaxLength + 10 + DnsName.MaxLength + 16];
        int at = 0;
        key[..keyLength].CopyTo(record);
        at += keyLength;
        BinaryPrimitives.WriteUInt16BigEndian(record[at..], (ushort)RecordType.TSIG);
        BinaryPrimitives.WriteUInt16BigEndian(record[(at + 2)..], (ushort)RecordClass.ANY);
        BinaryPrimitives.WriteUInt32BigEndian(record[(at + 4)..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(record[(at + 8)..], (ushort)rdataLength);
        at += 10;
        algorithm[..algorithmLength].CopyTo(record[at..]);
        at += algorithmLength;
        timeAndFudge.CopyTo(record[at..]);
        at += 8;
        BinaryPrimitives.WriteUInt16BigEndian(record[at..], 0); // MAC size: unsigned
        BinaryPrimitives.WriteUInt16BigEndian(record[(at + 2)..], w.Id);
        BinaryPrimitives.WriteUInt16BigEndian(record[(at + 4)..], error);
        BinaryPrimitives.WriteUInt16BigEndian(record[(at + 6)..], 0); // other length
        at += 8;
        return w.TryWriteRaw(record[..at], Section.Additional);
    }
}
