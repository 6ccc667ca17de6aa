using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Storage;

/// <summary>
/// The compact binary form of a record list kept in journal rows (the removed and added halves of a
/// changeset): a format octet, a 32-bit count, then per record the owner in uncompressed wire form,
/// type, class, TTL, RDLENGTH and RDATA, all big-endian as on the wire (RFC 1035 §4.1.3). One blob
/// per half keeps a journal row a single read, and the store never has to parse RDATA to hold it.
/// </summary>
internal static class RecordListCodec
{
    /// <summary>Bumped if the layout ever changes, so old rows are still read by the right decoder.</summary>
    private const byte Format = 1;

    private const int HeaderLength = 1 + 4;

    /// <summary>Type, class, TTL and RDLENGTH after the owner.</summary>
    private const int FixedLength = 2 + 2 + 4 + 2;

    public static byte[] Encode(IReadOnlyList<ResourceRecord> records)
    {
        // The length is computed up front and checked after writing: a mismatch is a bug here.
        int length = HeaderLength;
        foreach (var r in records)
        {
            if (r.Data.Length > ushort.MaxValue)
                throw new ArgumentException($"RDATA of {r.Owner} {r.Type} is longer than 65535 octets", nameof(records));
            length += r.Owner.Length + FixedLength + r.Data.Length;
        }

        var blob = new byte[length];
        var span = blob.AsSpan();
        span[0] = Format;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], records.Count);
        int pos = HeaderLength;
        foreach (var r in records)
        {
            r.Owner.Wire.CopyTo(span[pos..]);
            pos += r.Owner.Length;
            BinaryPrimitives.WriteUInt16BigEndian(span[pos..], (ushort)r.Type);
            BinaryPrimitives.WriteUInt16BigEndian(span[(pos + 2)..], (ushort)r.Class);
            BinaryPrimitives.WriteUInt32BigEndian(span[(pos + 4)..], r.Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(span[(pos + 8)..], (ushort)r.Data.Length);
            pos += FixedLength;
            r.Data.CopyTo(span[pos..]);
            pos += r.Data.Length;
        }
        if (pos != length)
            throw new InvalidOperationException($"record list encoded to {pos} octets, expected {length}");
        return blob;
    }

    /// <summary>Decodes a blob written by <see cref="Encode"/>; anything else is refused with <see cref="InvalidDataException"/>.</summary>
    public static List<ResourceRecord> Decode(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderLength)
            Malformed("shorter than its header");
        if (blob[0] != Format)
            Malformed($"unknown format {blob[0]}");
        int count = BinaryPrimitives.ReadInt32BigEndian(blob[1..]);
        // The smallest record is the root owner (1 octet) and empty RDATA: a count that cannot fit
        // is refused before it sizes a list.
        if (count < 0 || count > (blob.Length - HeaderLength) / (1 + FixedLength))
            Malformed($"count {count} does not fit in {blob.Length} octets");

        var records = new List<ResourceRecord>(count);
        int pos = HeaderLength;
        DnsName? previous = null;
        for (int i = 0; i < count; i++)
        {
            int ownerLength = NameLength(blob[pos..]);
            if (ownerLength < 0)
                Malformed($"record {i}: owner is not an uncompressed name");
            var ownerWire = blob.Slice(pos, ownerLength);
            // Records of one owner are usually adjacent; they share one name object.
            var owner = previous is not null && ownerWire.SequenceEqual(previous.Wire) ? previous : DnsName.FromWire(ownerWire);
            previous = owner;
            pos += ownerLength;
            if (blob.Length - pos < FixedLength)
                Malformed($"record {i}: truncated fixed fields");
            var type = (RecordType)BinaryPrimitives.ReadUInt16BigEndian(blob[pos..]);
            var cls = (RecordClass)BinaryPrimitives.ReadUInt16BigEndian(blob[(pos + 2)..]);
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(blob[(pos + 4)..]);
            int rdLength = BinaryPrimitives.ReadUInt16BigEndian(blob[(pos + 8)..]);
            pos += FixedLength;
            if (blob.Length - pos < rdLength)
                Malformed($"record {i}: RDLENGTH {rdLength} runs past the end");
            records.Add(new ResourceRecord(owner, type, cls, ttl, blob.Slice(pos, rdLength).ToArray()));
            pos += rdLength;
        }
        if (pos != blob.Length)
            Malformed($"{blob.Length - pos} octets after the last record");
        return records;
    }

    /// <summary>Length of the uncompressed name at the start of <paramref name="data"/>, or -1 when there is none.</summary>
    private static int NameLength(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        while (pos < data.Length && pos < DnsName.MaxLength)
        {
            int len = data[pos];
            if (len == 0)
                return pos + 1;
            if (len > DnsName.MaxLabelLength)
                return -1;
            pos += 1 + len;
        }
        return -1;
    }

    [DoesNotReturn]
    private static void Malformed(string why) => throw new InvalidDataException($"journal record list is malformed: {why}");
}
