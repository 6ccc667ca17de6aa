using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>
/// The records of one owner and type (RFC 2181 §5): one TTL, distinct RDATA in uncompressed wire form.
/// </summary>
public sealed class RRset
{
    public RRset(RecordType type, uint ttl, byte[][] data)
    {
        Type = type;
        Ttl = ttl;
        Data = data;
    }

    public RecordType Type { get; }

    public uint Ttl { get; }

    public byte[][] Data { get; }

    public int Count => Data.Length;
}
