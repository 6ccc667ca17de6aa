using Rdns.Protocol.Names;
using Rdns.Zones.Images;

namespace Rdns.Zones;

/// <summary>
/// A table written to a zone image and read back: the arrays as they are, except the targets,
/// which the image keeps in a fixed form (a length octet, the own labels in wire form, the image's
/// three-octet suffix number), whatever form the memory keeps them in (coded, suffix numbers of one
/// to four octets): they are converted as they are written and read.
/// </summary>
internal sealed partial class CompactPtrTable
{
    /// <summary>Octets of a suffix number in an image.</summary>
    private const int ImageSuffixNumberLength = 3;

    /// <summary>The octets <see cref="WriteImage"/> writes, given its targets' (<see cref="ImageTargetsLength"/>).</summary>
    public long ImageSize(long targetsLength) => 16 + 1 + 4 + (long)Count * _width + 4 + targetsLength + 4 + 4L * (_ttls?.Length ?? 1) + 1 +
        _ttlIndex switch { null => 0, byte[] => Count, _ => 2L * Count };

    /// <summary>The targets' octets in the image's form (every target decoded: asked once per image written).</summary>
    public long ImageTargetsLength()
    {
        long length = 0;
        var targets = _targets;
        Span<byte> own = stackalloc byte[DnsName.MaxLength];
        for (int i = 0, pos = 0; i < Count; i++)
        {
            length += 1 + ReadOwn(targets, pos, own, out int end) + ImageSuffixNumberLength;
            pos = end + SuffixNumberLengthAt(targets[end]);
        }
        return length;
    }

    /// <summary>Writes the table, its targets <paramref name="targetsLength"/> octets (<see cref="ImageTargetsLength"/>); its suffix numbers become <paramref name="suffixes"/>' numbers.</summary>
    public void WriteImage(ImageOctets output, ImageSuffixNumbers suffixes, long targetsLength)
    {
        output.U128(_network);
        output.U8(_hostBits);
        output.I32(Count);
        if (_keySet)
        {
            for (int i = 0; i < Count; i++)
                output.U8(Select(i));
        }
        else
            output.Octets(_keys.AsSpan(0, Count * _width));
        output.I32(checked((int)targetsLength));
        var targets = _targets;
        Span<byte> own = stackalloc byte[DnsName.MaxLength];
        for (int i = 0, pos = 0; i < Count; i++)
        {
            int ownLength = ReadOwn(targets, pos, own, out int end);
            output.U8(ownLength);
            output.Octets(own[..ownLength]);
            int number = suffixes.Of(ReadSuffixNumber(targets, ref end));
            output.U8(number >> 16);
            output.U8(number >> 8);
            output.U8(number);
            pos = end;
        }
        uint[] ttls = _ttls ?? [_ttl];
        output.I32(ttls.Length);
        foreach (uint ttl in ttls)
            output.U32(ttl);
        switch (_ttlIndex)
        {
            case null:
                output.U8(0);
                break;
            case byte[] t8:
                output.U8(1);
                output.Octets(t8.AsSpan(0, Count));
                break;
            default:
                output.U8(2);
                foreach (ushort t in ((ushort[])_ttlIndex).AsSpan(0, Count))
                    output.U16(t);
                break;
        }
    }

    /// <summary>
    /// Reads a table written by <see cref="WriteImage"/> for a zone of <paramref name="space"/>;
    /// <paramref name="suffixes"/> turns the image's suffix numbers into the process's. Everything a
    /// lookup relies on is checked (keys sorted and in the zone, targets well-formed names, numbers
    /// in range), so whatever the file holds, the table answers safely or is refused.
    /// </summary>
    public static CompactPtrTable ReadImage(ref ImageReader input, AddressSpace space, int[] suffixes)
    {
        if (input.U128() != space.Network || input.U8() != space.HostBits)
            throw new InvalidDataException("the table is of another address space");
        int width = space.KeyWidth;
        int count = input.Count(int.MaxValue / Math.Max(width, 8));
        if (count == 0)
            throw new InvalidDataException("an empty table");
        var keys = input.Octets(count * width).ToArray();
        UInt128 previous = 0;
        for (int i = 0; i < count; i++)
        {
            UInt128 host = 0;
            foreach (byte b in keys.AsSpan(i * width, width))
                host = host << 8 | b;
            if (host > space.HostMask || (i > 0 && host < previous))
                throw new InvalidDataException("the keys are not sorted within the zone");
            previous = host;
        }
        var image = input.Octets(input.Count(int.MaxValue));
        // Checked first, and the memory's size found; then written in the memory's form.
        long size = 0;
        int pos = 0;
        for (int i = 0; i < count; i++)
        {
            if (pos >= image.Length)
                throw new InvalidDataException("the targets end early");
            int own = image[pos++];
            int ownAt = pos;
            if (own > image.Length - pos - ImageSuffixNumberLength)
                throw new InvalidDataException("the targets end early");
            // The own labels: each 1 to 63 octets, ending exactly where the suffix number starts.
            int end = pos + own;
            while (pos < end)
            {
                int label = image[pos];
                if (label is 0 or > 63)
                    throw new InvalidDataException("a target has a malformed label");
                pos += 1 + label;
            }
            if (pos != end)
                throw new InvalidDataException("a target has a malformed label");
            int number = image[pos] << 16 | image[pos + 1] << 8 | image[pos + 2];
            if (number >= suffixes.Length)
                throw new InvalidDataException("a target names a suffix the image does not have");
            int id = suffixes[number];
            if (own + TargetSuffixes.Get(id).Length > DnsName.MaxLength)
                throw new InvalidDataException("a target is longer than a name may be");
            pos += ImageSuffixNumberLength;
            size += OwnLength(image.Slice(ownAt, own)) + SuffixNumberLength(id);
        }
        if (pos != image.Length)
            throw new InvalidDataException("the targets do not end with the last entry");
        var targets = new byte[size];
        var index = count <= UnindexedCount ? null : new int[(count + IndexStep - 1) / IndexStep];
        int at = 0;
        pos = 0;
        for (int i = 0; i < count; i++)
        {
            if (index is not null && i % IndexStep == 0)
                index[i / IndexStep] = at;
            int own = image[pos++];
            at = WriteOwn(targets, at, image.Slice(pos, own));
            pos += own;
            at = WriteSuffixNumber(targets, at, suffixes[image[pos] << 16 | image[pos + 1] << 8 | image[pos + 2]]);
            pos += ImageSuffixNumberLength;
        }
        int ttlCount = input.Count(ushort.MaxValue);
        if (ttlCount == 0)
            throw new InvalidDataException("a table without a TTL");
        var ttls = new uint[ttlCount];
        for (int i = 0; i < ttlCount; i++)
            ttls[i] = input.U32();
        byte[]? ttl8 = null;
        ushort[]? ttl16 = null;
        switch (input.U8())
        {
            case 0 when ttlCount == 1:
                break;
            case 1 when ttlCount <= 256:
                ttl8 = input.Octets(count).ToArray();
                foreach (byte t in ttl8)
                {
                    if (t >= ttlCount)
                        throw new InvalidDataException("a TTL number is out of range");
                }
                break;
            case 2:
                ttl16 = new ushort[count];
                for (int i = 0; i < count; i++)
                {
                    ttl16[i] = input.U16();
                    if (ttl16[i] >= ttlCount)
                        throw new InvalidDataException("a TTL number is out of range");
                }
                break;
            default:
                throw new InvalidDataException("the TTLs are not as a table keeps them");
        }
        return new CompactPtrTable(space, count, keys, targets, index, ttls, ttl8, ttl16);
    }
}
