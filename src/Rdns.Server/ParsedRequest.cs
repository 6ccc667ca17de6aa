using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Server;

/// <summary>
/// What the processor needs from a request, found in one pass without copying: the question's
/// place in the packet, EDNS, and where a TSIG record starts.
/// </summary>
public struct ParsedRequest
{
    public DnsHeader Header;
    public bool HasQuestion;
    public int QNameLength;
    public RecordType QType;
    public RecordClass QClass;
    public EdnsInfo Edns;
    public bool WantsNsid;
    /// <summary>The query carries edns-tcp-keepalive (RFC 7828): over TCP, the response tells the idle timeout.</summary>
    public bool WantsKeepalive;
    /// <summary>The query carries the EXPIRE option (RFC 7314): the answer tells the zone's expire timer.</summary>
    public bool WantsExpire;
    /// <summary>Offset of the TSIG record (RFC 8945 §5.1: always last), or -1.</summary>
    public int TsigOffset;
    /// <summary>Offset just past the question section.</summary>
    public int QuestionEnd;
    /// <summary>Offset of the answer section's first record (for IXFR's SOA in authority and NOTIFY's SOA).</summary>
    public int RecordsStart;

    public readonly ReadOnlySpan<byte> QuestionName(ReadOnlySpan<byte> query) => query.Slice(DnsHeader.Size, QNameLength);

    /// <summary>
    /// Parses the request; false means FORMERR. A question name must be uncompressed (nothing
    /// precedes it that a pointer could legitimately reach), QDCOUNT at most 1 (RFC 9619), at most
    /// one OPT, with the root as owner and only in the additional section (RFC 6891 §6.1.1,
    /// §6.1.2), TSIG only as the last record (RFC 8945 §5.1), and nothing after the last record
    /// the counts announce. When an OPT record was seen, <see cref="Edns"/> describes it even if
    /// the request is malformed, so the FORMERR can carry an OPT (RFC 6891 §7).
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit] // the name buffers are written before they are read
    public static bool TryParse(ReadOnlySpan<byte> query, in DnsHeader header, ref ParsedRequest request)
    {
        request.Header = header;
        request.TsigOffset = -1;
        if (header.QdCount > 1)
            return false;
        int pos = DnsHeader.Size;
        if (header.QdCount == 1)
        {
            int nameLength = 0;
            while (true)
            {
                if (pos >= query.Length)
                    return false;
                int len = query[pos];
                if (len == 0)
                {
                    nameLength++;
                    pos++;
                    break;
                }
                if (len > DnsName.MaxLabelLength)
                    return false;
                nameLength += 1 + len;
                pos += 1 + len;
                if (nameLength + 1 > DnsName.MaxLength)
                    return false;
            }
            if (pos + 4 > query.Length)
                return false;
            request.QNameLength = nameLength;
            request.QType = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(query[pos..]);
            request.QClass = (RecordClass)BinaryPrimitives.ReadUInt16BigEndian(query[(pos + 2)..]);
            request.HasQuestion = true;
            pos += 4;
        }
        request.QuestionEnd = pos;
        request.RecordsStart = pos;

        // The records after the question, read from where its parse above ended.
        var reader = new DnsMessageReader(query, pos);
        Span<byte> owner = stackalloc byte[DnsName.MaxLength];
        int before = header.AnCount + header.NsCount;
        for (int i = 0; i < before; i++)
        {
            // OPT belongs in the additional section only (RFC 6891 §6.1.1).
            if (!reader.TryReadRecord(owner, out var record) || record.Type == RecordType.OPT)
                return false;
        }
        for (int i = 0; i < header.ArCount; i++)
        {
            if (!reader.TryReadRecord(owner, out var record))
                return false;
            if (record.Type == RecordType.OPT)
            {
                if (request.Edns.Present)
                    return false;
                request.Edns = EdnsInfo.FromRecord(record);
                if (record.OwnerLength != 1 || !request.Edns.OptionsWellFormed(query))
                    return false;
                request.WantsNsid = HasOption(query.Slice(record.DataOffset, record.DataLength), 3);
                request.WantsKeepalive = HasOption(query.Slice(record.DataOffset, record.DataLength), 11);
                request.WantsExpire = HasOption(query.Slice(record.DataOffset, record.DataLength), 9);
            }
            else if (record.Type == RecordType.TSIG)
            {
                if (i != header.ArCount - 1)
                    return false;
                request.TsigOffset = record.Start;
            }
        }
        // Octets beyond the records the header announces make the message malformed.
        return reader.Position == query.Length;
    }

    private static bool HasOption(ReadOnlySpan<byte> options, ushort code)
    {
        int pos = 0;
        while (pos + 4 <= options.Length)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(options[pos..]) == code)
                return true;
            pos += 4 + BinaryPrimitives.ReadUInt16BigEndian(options[(pos + 2)..]);
        }
        return false;
    }
}
