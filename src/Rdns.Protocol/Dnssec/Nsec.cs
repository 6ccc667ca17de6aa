using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Dnssec;

/// <summary>NSEC RDATA (RFC 4034 §4): the next owner name (uncompressed) and the type bitmap of §4.1.2.</summary>
public static class Nsec
{
    /// <summary>Octets the bitmap of up to <paramref name="types"/> types can need: a window header and 32 octets per window.</summary>
    public static int MaxBitmapSize(int types) => types * 34;

    /// <summary>
    /// Writes NSEC RDATA: <paramref name="next"/> lowercased (RFC 6840 §5.1 lets it keep its case;
    /// lowercase keeps every copy of a record identical), then the windowed bitmap of
    /// <paramref name="types"/> (sorted here, duplicates allowed). Returns the length.
    /// </summary>
    public static int Write(ReadOnlySpan<byte> next, Span<ushort> types, Span<byte> destination)
    {
        next.CopyTo(destination);
        WireName.LowerInPlace(destination[..next.Length]);
        return next.Length + WriteBitmap(types, destination[next.Length..]);
    }

    /// <summary>The type bitmap (RFC 4034 §4.1.2): per 256-type window, its number, length and bits; trailing zero octets left out.</summary>
    public static int WriteBitmap(Span<ushort> types, Span<byte> destination)
    {
        types.Sort();
        int pos = 0;
        int i = 0;
        while (i < types.Length)
        {
            int window = types[i] >> 8;
            int header = pos;
            pos += 2;
            destination.Slice(pos, 32).Clear();
            int length = 0;
            while (i < types.Length && types[i] >> 8 == window)
            {
                int low = types[i] & 0xFF;
                destination[pos + (low >> 3)] |= (byte)(0x80 >> (low & 7));
                length = Math.Max(length, (low >> 3) + 1);
                i++;
            }
            destination[header] = (byte)window;
            destination[header + 1] = (byte)length;
            pos += length;
        }
        return pos;
    }

    /// <summary>True when the bitmap of NSEC RDATA <paramref name="rdata"/> has <paramref name="type"/>.</summary>
    public static bool HasType(ReadOnlySpan<byte> rdata, RecordType type)
    {
        int pos = 0;
        while (rdata[pos] != 0)
            pos += 1 + rdata[pos];
        pos++;
        int window = (ushort)type >> 8, low = (ushort)type & 0xFF;
        while (pos + 2 <= rdata.Length)
        {
            int w = rdata[pos], length = rdata[pos + 1];
            if (w == window)
                return (low >> 3) < length && (rdata[pos + 2 + (low >> 3)] & (0x80 >> (low & 7))) != 0;
            pos += 2 + length;
        }
        return false;
    }
}
