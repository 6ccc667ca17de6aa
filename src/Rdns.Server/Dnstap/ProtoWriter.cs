using System.Buffers.Binary;

namespace Rdns.Server.Dnstap;

/// <summary>
/// The few protocol-buffer encodings dnstap needs (varint, fixed32, length-delimited), written
/// straight into a caller's buffer: no message objects, so logging a query allocates nothing.
/// Sizes are computed first (<see cref="BytesFieldSize"/> and friends), as a nested message's length
/// precedes it on the wire.
/// </summary>
internal ref struct ProtoWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;

    public int Position { get; private set; }

    public static int VarintSize(ulong value) => value < 0x80 ? 1 : (System.Numerics.BitOperations.Log2(value) / 7) + 1;

    public static int VarintFieldSize(int field, ulong value) => VarintSize((ulong)field << 3) + VarintSize(value);

    public static int BytesFieldSize(int field, int length) => VarintSize((ulong)field << 3) + VarintSize((ulong)length) + length;

    public static int Fixed32FieldSize(int field) => VarintSize((ulong)field << 3) + 4;

    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[Position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[Position++] = (byte)value;
    }

    public void VarintField(int field, ulong value)
    {
        Varint((ulong)field << 3);
        Varint(value);
    }

    public void BytesField(int field, scoped ReadOnlySpan<byte> value)
    {
        Header(field, value.Length);
        value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }

    /// <summary>Tag and length of a length-delimited field whose content the caller writes next.</summary>
    public void Header(int field, int length)
    {
        Varint(((ulong)field << 3) | 2);
        Varint((ulong)length);
    }

    public void Fixed32Field(int field, uint value)
    {
        Varint(((ulong)field << 3) | 5);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void BigEndian32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }
}
