using System.Buffers.Binary;
using System.Security.Cryptography;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tsig;

/// <summary>The TSIG error field (RFC 8945 §4.2, §5.2), also extended RCODEs in the IANA registry.</summary>
public enum TsigError : ushort
{
    NoError = 0,
    BadSig = 16,
    BadKey = 17,
    BadTime = 18,
    BadTrunc = 22,
}

/// <summary>The fields of a TSIG record read from a message (RFC 8945 §4.2), as offsets into it.</summary>
internal struct TsigFields
{
    public int Start;
    public int NameLength;
    public uint Ttl;
    public int AlgorithmLength;
    public ulong TimeSigned;
    public ushort Fudge;
    public int MacOffset;
    public int MacLength;
    public ushort OriginalId;
    public TsigError Error;
    public int OtherOffset;
    public int OtherLength;
}

/// <summary>Reading, writing and digesting TSIG records in wire form; nothing here allocates.</summary>
internal static class TsigRecord
{
    /// <summary>Type, class, TTL and RDLENGTH after the owner name.</summary>
    private const int FixedLength = 10;

    /// <summary>Time Signed (48 bits), Fudge, MAC Size; then Original ID, Error, Other Len.</summary>
    private const int RdataFixedLength = 6 + 2 + 2 + 2 + 2 + 2;

    /// <summary>A 48-bit time in Other Data (RFC 8945 §5.2.3).</summary>
    public const int TimeLength = 6;

    public static int Length(int nameLength, int algorithmLength, int macLength, int otherLength) =>
        nameLength + FixedLength + algorithmLength + RdataFixedLength + macLength + otherLength;

    /// <summary>
    /// Reads the TSIG record at <paramref name="offset"/>, which must end the message (RFC 8945 §5.1).
    /// The owner and algorithm names are written uncompressed into the given buffers. False when
    /// the record is not a well-formed TSIG record (RFC 8945 §5.2: FORMERR).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, int offset, Span<byte> name, Span<byte> algorithm, out TsigFields fields)
    {
        fields = default;
        fields.Start = offset;
        if (offset < DnsHeader.Size || offset >= message.Length)
            return false;
        fields.NameLength = WireName.Read(message, offset, name, out int pos);
        if (fields.NameLength < 0 || pos + FixedLength > message.Length)
            return false;
        if ((RecordType)BinaryPrimitives.ReadUInt16BigEndian(message[pos..]) != RecordType.TSIG ||
            (RecordClass)BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..]) != RecordClass.ANY)
            return false;
        fields.Ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(pos + 4)..]);
        int rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 8)..]);
        int rdStart = pos + FixedLength;
        int end = rdStart + rdLength;
        if (end != message.Length)
            return false;
        fields.AlgorithmLength = WireName.Read(message, rdStart, algorithm, out pos);
        if (fields.AlgorithmLength < 0 || pos + 10 > end)
            return false;
        fields.TimeSigned = ReadUInt48(message[pos..]);
        fields.Fudge = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 6)..]);
        fields.MacLength = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 8)..]);
        fields.MacOffset = pos + 10;
        pos = fields.MacOffset + fields.MacLength;
        if (pos + 6 > end)
            return false;
        fields.OriginalId = BinaryPrimitives.ReadUInt16BigEndian(message[pos..]);
        fields.Error = (TsigError)BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 2)..]);
        fields.OtherLength = BinaryPrimitives.ReadUInt16BigEndian(message[(pos + 4)..]);
        fields.OtherOffset = pos + 6;
        return fields.OtherOffset + fields.OtherLength == end;
    }

    /// <summary>
    /// Finds the TSIG record of a message: its offset, -1 when there is none. False when the
    /// message is malformed (octets after the records the header counts included, as the query
    /// parser has it) or a TSIG record is not the last record (RFC 8945 §5.1).
    /// </summary>
    public static bool TryFind(ReadOnlySpan<byte> message, out int offset)
    {
        offset = -1;
        var reader = new DnsMessageReader(message);
        if (!reader.TryReadHeader(out var header))
            return false;
        Span<byte> scratch = stackalloc byte[DnsName.MaxLength];
        for (int i = 0; i < header.QdCount; i++)
        {
            if (!reader.TryReadQuestion(scratch, out _, out _, out _))
                return false;
        }
        int total = header.AnCount + header.NsCount + header.ArCount;
        for (int i = 0; i < total; i++)
        {
            int start = reader.Position;
            int afterName = WireName.Skip(message, start);
            if (afterName < 0 || afterName + 10 > message.Length)
                return false;
            bool isTsig = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(message[afterName..]) == RecordType.TSIG;
            if (!reader.TrySkipRecord())
                return false;
            if (isTsig)
            {
                if (i != total - 1 || i < header.AnCount + header.NsCount)
                    return false;
                offset = start;
            }
        }
        // Trailing octets would otherwise let a signer append its TSIG after them, where no
        // verifier looks for it.
        return reader.Position == message.Length;
    }

    /// <summary>
    /// Appends the message as the MAC covers it (RFC 8945 §4.3.2): the header with the original
    /// ID and, when the message carried the TSIG record, ARCOUNT less one; then everything up to
    /// the TSIG record.
    /// </summary>
    public static void AppendMessage(IncrementalHash hash, ReadOnlySpan<byte> message, int end, ushort originalId, bool hadTsig)
    {
        Span<byte> header = stackalloc byte[DnsHeader.Size];
        message[..DnsHeader.Size].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header, originalId);
        if (hadTsig)
            BinaryPrimitives.WriteUInt16BigEndian(header[10..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(header[10..]) - 1));
        hash.AppendData(header);
        hash.AppendData(message[DnsHeader.Size..end]);
    }

    /// <summary>A MAC as a prior or request MAC is digested: MAC Size, then MAC (RFC 8945 §4.3.1).</summary>
    public static void AppendMac(IncrementalHash hash, ReadOnlySpan<byte> mac)
    {
        Span<byte> size = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(size, (ushort)mac.Length);
        hash.AppendData(size);
        hash.AppendData(mac);
    }

    /// <summary>The TSIG variables (RFC 8945 §4.3.3); names must already be in canonical (lower-case) form.</summary>
    public static void AppendVariables(IncrementalHash hash, ReadOnlySpan<byte> canonicalName, uint ttl, ReadOnlySpan<byte> canonicalAlgorithm,
        ulong timeSigned, ushort fudge, TsigError error, ReadOnlySpan<byte> other)
    {
        hash.AppendData(canonicalName);
        Span<byte> fixedPart = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)RecordClass.ANY);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[2..], ttl);
        hash.AppendData(fixedPart);
        hash.AppendData(canonicalAlgorithm);
        Span<byte> tail = stackalloc byte[12];
        WriteUInt48(tail, timeSigned);
        BinaryPrimitives.WriteUInt16BigEndian(tail[6..], fudge);
        BinaryPrimitives.WriteUInt16BigEndian(tail[8..], (ushort)error);
        BinaryPrimitives.WriteUInt16BigEndian(tail[10..], (ushort)other.Length);
        hash.AppendData(tail);
        hash.AppendData(other);
    }

    /// <summary>The timers a later message of a stream digests instead of the variables (RFC 8945 §5.3.1).</summary>
    public static void AppendTimers(IncrementalHash hash, ulong timeSigned, ushort fudge)
    {
        Span<byte> timers = stackalloc byte[8];
        WriteUInt48(timers, timeSigned);
        BinaryPrimitives.WriteUInt16BigEndian(timers[6..], fudge);
        hash.AppendData(timers);
    }

    /// <summary>
    /// Writes a TSIG record (owner and algorithm uncompressed, class ANY, TTL 0) at the start of
    /// <paramref name="destination"/> and returns its length; the caller has checked the room.
    /// </summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> name, ReadOnlySpan<byte> algorithm, ulong timeSigned, ushort fudge,
        ReadOnlySpan<byte> mac, ushort originalId, TsigError error, ReadOnlySpan<byte> other)
    {
        int pos = 0;
        name.CopyTo(destination);
        pos += name.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], (ushort)RecordType.TSIG);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], (ushort)RecordClass.ANY);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 4)..], 0);
        int rdLength = algorithm.Length + RdataFixedLength + mac.Length + other.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 8)..], (ushort)rdLength);
        pos += FixedLength;
        algorithm.CopyTo(destination[pos..]);
        pos += algorithm.Length;
        WriteUInt48(destination[pos..], timeSigned);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 6)..], fudge);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 8)..], (ushort)mac.Length);
        pos += 10;
        mac.CopyTo(destination[pos..]);
        pos += mac.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], originalId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], (ushort)error);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 4)..], (ushort)other.Length);
        pos += 6;
        other.CopyTo(destination[pos..]);
        return pos + other.Length;
    }

    public static ulong ReadUInt48(ReadOnlySpan<byte> source) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]);

    public static void WriteUInt48(Span<byte> destination, ulong value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)value);
    }
}
