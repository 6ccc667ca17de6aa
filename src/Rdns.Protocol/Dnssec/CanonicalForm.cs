using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Dnssec;

/// <summary>
/// The canonical form of RFC 4034 §6 that signatures cover: owner lowercased, names inside the
/// RDATA of the listed types lowercased (§6.2, without NSEC as RFC 6840 §5.1 corrects it), the
/// original TTL, and the records of an RRset sorted by their canonical RDATA with duplicates
/// removed (§6.3). Writes into caller-owned spans; allocates nothing.
/// </summary>
public static class CanonicalForm
{
    /// <summary>Octets the canonical RRs of an RRset need at most (owner, fixed fields and RDATA per record).</summary>
    public static int MaxSize(int ownerLength, scoped RdataList data) => data.Count * (ownerLength + 10) + data.TotalLength;

    /// <summary>
    /// Writes the RRset's canonical RRs into <paramref name="destination"/>; <paramref name="scratch"/>
    /// (at least the RDATA's total length) holds the lowercased RDATA while they are sorted.
    /// Returns the octets written, or -1 when a span is too small.
    /// </summary>
    public static int WriteRRset(ReadOnlySpan<byte> owner, RecordType type, uint originalTtl, scoped RdataList data, Span<byte> destination, Span<byte> scratch)
    {
        int count = data.Count;
        if (MaxSize(owner.Length, data) > destination.Length || data.TotalLength > scratch.Length)
            return -1;
        Span<int> starts = count <= 64 ? stackalloc int[64] : new int[count];
        Span<int> lengths = count <= 64 ? stackalloc int[64] : new int[count];
        Span<int> order = count <= 64 ? stackalloc int[64] : new int[count];
        int used = 0;
        for (int i = 0; i < count; i++)
        {
            starts[i] = used;
            lengths[i] = WriteRdata(type, data[i], scratch[used..]);
            used += lengths[i];
            order[i] = i;
        }
        // Insertion sort: RRsets are small, and this allocates nothing.
        for (int i = 1; i < count; i++)
        {
            int current = order[i];
            int j = i - 1;
            while (j >= 0 && Compare(scratch, starts, lengths, order[j], current) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = current;
        }
        int pos = 0;
        for (int k = 0; k < count; k++)
        {
            int i = order[k];
            if (k > 0 && Compare(scratch, starts, lengths, order[k - 1], i) == 0)
                continue;
            owner.CopyTo(destination[pos..]);
            WireName.LowerInPlace(destination.Slice(pos, owner.Length));
            pos += owner.Length;
            BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], (ushort)type);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], (ushort)RecordClass.IN);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 4)..], originalTtl);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 8)..], (ushort)lengths[i]);
            pos += 10;
            scratch.Slice(starts[i], lengths[i]).CopyTo(destination[pos..]);
            pos += lengths[i];
        }
        return pos;
    }

    private static int Compare(ReadOnlySpan<byte> scratch, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, int a, int b) =>
        scratch.Slice(starts[a], lengths[a]).SequenceCompareTo(scratch.Slice(starts[b], lengths[b]));

    /// <summary>
    /// RFC 4034 §6.2 item 3: types whose RDATA names are lowercased (NSEC removed by RFC 6840 §5.1;
    /// HINFO holds no names). The layout: fixed octets before the first name, and how many names.
    /// </summary>
    public static (int Prefix, int Names) LoweredNames(RecordType type) => (ushort)type switch
    {
        2 or 3 or 4 or 5 or 7 or 8 or 9 or 12 or 39 => (0, 1), // NS MD MF CNAME MB MG MR PTR DNAME
        6 or 14 or 17 => (0, 2), // SOA MINFO RP
        15 or 18 or 21 or 36 => (2, 1), // MX AFSDB RT KX
        33 => (6, 1), // SRV
        26 => (2, 2), // PX
        _ => (0, 0),
    };

    /// <summary>Writes one RDATA in canonical form (its names lowercased where §6.2 says so); returns its length.</summary>
    public static int WriteRdata(RecordType type, ReadOnlySpan<byte> rdata, Span<byte> destination)
    {
        rdata.CopyTo(destination);
        var (prefix, names) = LoweredNames(type);
        int pos = prefix;
        for (int n = 0; n < names && pos < rdata.Length; n++)
        {
            while (pos < rdata.Length && rdata[pos] != 0)
            {
                int length = rdata[pos];
                if (length > 63 || pos + 1 + length > rdata.Length)
                    return rdata.Length;
                WireName.LowerInPlace(destination.Slice(pos + 1, length));
                pos += 1 + length;
            }
            pos++;
        }
        return rdata.Length;
    }

    /// <summary>RFC 4034 §3.1.3: labels of the owner, the root and a leading wildcard label not counted.</summary>
    public static byte Labels(ReadOnlySpan<byte> owner)
    {
        int labels = WireName.CountLabels(owner);
        if (owner.Length > 2 && owner[0] == 1 && owner[1] == (byte)'*')
            labels--;
        return (byte)labels;
    }
}
