using System.Buffers.Binary;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Wire;

/// <summary>A record as it sits in a message: where its RDATA is, nothing copied.</summary>
public struct RecordView
{
    public int OwnerLength;
    public RecordType Type;
    public RecordClass Class;
    public uint Ttl;
    public int DataOffset;
    public int DataLength;
    /// <summary>Offset of the record's first octet (its owner name), for TSIG and error reporting.</summary>
    public int Start;
}

/// <summary>
/// Reads a message front to back over a caller-owned span. Every <c>TryRead*</c> returns false on
/// malformed or truncated input and never throws or allocates.
/// </summary>
public ref struct DnsMessageReader
{
    private readonly ReadOnlySpan<byte> _message;
    private int _pos;

    public DnsMessageReader(ReadOnlySpan<byte> message)
    {
        _message = message;
        _pos = 0;
    }

    /// <summary>A reader of <paramref name="message"/> from <paramref name="position"/> on (what came before read by other means).</summary>
    public DnsMessageReader(ReadOnlySpan<byte> message, int position)
    {
        _message = message;
        _pos = position;
    }

    public readonly ReadOnlySpan<byte> Message => _message;

    public readonly int Position => _pos;

    public bool TryReadHeader(out DnsHeader header)
    {
        if (!DnsHeader.TryRead(_message, out header))
            return false;
        _pos = DnsHeader.Size;
        return true;
    }

    /// <summary>Reads a question; its name goes into <paramref name="name"/> (255 octets at least) uncompressed.</summary>
    public bool TryReadQuestion(scoped Span<byte> name, out int nameLength, out RecordType type, out RecordClass cls)
    {
        type = default;
        cls = default;
        nameLength = WireName.Read(_message, _pos, name, out int next);
        if (nameLength < 0 || next + 4 > _message.Length)
            return false;
        type = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(_message[next..]);
        cls = (RecordClass)BinaryPrimitives.ReadUInt16BigEndian(_message[(next + 2)..]);
        _pos = next + 4;
        return true;
    }

    /// <summary>Reads a record; the owner goes into <paramref name="owner"/> uncompressed, RDATA stays in place.</summary>
    public bool TryReadRecord(scoped Span<byte> owner, out RecordView record)
    {
        record = default;
        record.Start = _pos;
        record.OwnerLength = WireName.Read(_message, _pos, owner, out int next);
        if (record.OwnerLength < 0 || next + 10 > _message.Length)
            return false;
        var fixedPart = _message[next..];
        record.Type = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(fixedPart);
        record.Class = (RecordClass)BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]);
        record.Ttl = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[4..]);
        record.DataLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[8..]);
        record.DataOffset = next + 10;
        if (record.DataOffset + record.DataLength > _message.Length)
            return false;
        _pos = record.DataOffset + record.DataLength;
        return true;
    }

    /// <summary>Skips a record without copying its owner.</summary>
    public bool TrySkipRecord()
    {
        int next = WireName.Skip(_message, _pos);
        if (next < 0 || next + 10 > _message.Length)
            return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(_message[(next + 8)..]);
        if (next + 10 + length > _message.Length)
            return false;
        _pos = next + 10 + length;
        return true;
    }
}
