using System.Buffers.Binary;

namespace Rdns.Zones.Images;

/// <summary>
/// Reads what <see cref="ImageOctets"/> wrote; every read past the end, and every value a rule
/// forbids, is an <see cref="InvalidDataException"/>, so a damaged image is refused, never served.
/// </summary>
internal ref struct ImageReader(ReadOnlySpan<byte> octets)
{
    private readonly ReadOnlySpan<byte> _octets = octets;
    private int _at;

    public readonly int Position => _at;

    public readonly int Remaining => _octets.Length - _at;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _octets.Length - _at)
            throw new InvalidDataException("the image ends early");
        var span = _octets.Slice(_at, count);
        _at += count;
        return span;
    }

    public byte U8() => Take(1)[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public UInt128 U128() => BinaryPrimitives.ReadUInt128LittleEndian(Take(16));

    /// <summary>A count that must lie in [0, <paramref name="max"/>].</summary>
    public int Count(int max)
    {
        int n = I32();
        return n >= 0 && n <= max ? n : throw new InvalidDataException($"a count of {n} is out of range");
    }

    public ReadOnlySpan<byte> Octets(int count) => Take(count);

    public ReadOnlySpan<byte> Short() => Take(U8());

    public void Skip(int count) => Take(count);
}
