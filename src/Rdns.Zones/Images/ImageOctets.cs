using System.Buffers.Binary;

namespace Rdns.Zones.Images;

/// <summary>
/// Appends little-endian numbers and octets to a stream through a small buffer, keeping the
/// image's checksum as it goes: an image of a million PTRs is written without ever being whole in
/// memory (a server's memory right after start is what it keeps).
/// </summary>
internal sealed class ImageOctets(Stream sink)
{
    private const int BufferSize = 1 << 18;

    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly ImageChecksum _checksum = new();
    private int _used;
    private long _flushed;

    /// <summary>Octets written so far.</summary>
    public long Position => _flushed + _used;

    private Span<byte> Take(int count)
    {
        if (_used + count > _buffer.Length)
            Flush();
        var span = _buffer.AsSpan(_used, count);
        _used += count;
        return span;
    }

    /// <summary>Hands the buffer's whole checksum blocks to the stream; the rest stays at the front.</summary>
    private void Flush()
    {
        int whole = _used & ~(ImageChecksum.BlockSize - 1);
        _checksum.Blocks(_buffer.AsSpan(0, whole));
        sink.Write(_buffer, 0, whole);
        _buffer.AsSpan(whole, _used - whole).CopyTo(_buffer);
        _flushed += whole;
        _used -= whole;
    }

    public void U8(int value) => Take(1)[0] = (byte)value;

    public void U16(int value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), (ushort)value);

    public void I32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void U128(UInt128 value) => BinaryPrimitives.WriteUInt128LittleEndian(Take(16), value);

    /// <summary>A place for <paramref name="count"/> octets (at most 64 KiB), to be filled by the caller at once.</summary>
    public Span<byte> Reserve(int count) => Take(count);

    public void Octets(ReadOnlySpan<byte> octets)
    {
        while (octets.Length > 0)
        {
            int piece = Math.Min(octets.Length, 1 << 16);
            octets[..piece].CopyTo(Take(piece));
            octets = octets[piece..];
        }
    }

    /// <summary>A length (up to 255) and then the octets: a wire name.</summary>
    public void Short(ReadOnlySpan<byte> octets)
    {
        U8(octets.Length);
        Octets(octets);
    }

    /// <summary>Ends the image: the checksum of every octet written, then everything to the stream.</summary>
    public void Finish()
    {
        int whole = _used & ~(ImageChecksum.BlockSize - 1);
        _checksum.Blocks(_buffer.AsSpan(0, whole));
        ulong checksum = _checksum.Finish(_buffer.AsSpan(whole, _used - whole), Position);
        I64((long)checksum);
        sink.Write(_buffer, 0, _used);
        _flushed += _used;
        _used = 0;
    }
}
