using Rdns.Protocol.Names;

namespace Rdns.Zones;

/// <summary>
/// Hashes and compares wire names ignoring ASCII case, for byte-array keys and for spans, so a
/// query name can be looked up straight from the packet without copying or lowering it.
/// </summary>
public sealed class NameKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly NameKeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && WireName.EqualsIgnoreCase(x, y));

    public int GetHashCode(byte[] obj) => WireName.HashIgnoreCase(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => WireName.EqualsIgnoreCase(alternate, other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => WireName.HashIgnoreCase(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate)
    {
        var key = alternate.ToArray();
        WireName.LowerInPlace(key);
        return key;
    }
}
