using Rdns.Addressing;
using Rdns.Server.Pipeline;

namespace Rdns.Server.Views;

/// <summary>One prefix of a view's match list, as numbers (mask precomputed), so matching a request allocates nothing and costs two ANDs.</summary>
public readonly record struct AddressMatch(bool IsV6, UInt128 Network, int Bits)
{
    /// <summary>The prefix's mask in the address's width (32 bits for IPv4, as <see cref="ClientAddress.Value"/> holds them).</summary>
    public UInt128 Mask { get; } = MaskOf(IsV6, Bits);

    public static AddressMatch From(IpPrefix prefix) =>
        new(prefix.Family == IpFamily.V6, prefix.Network.Value, prefix.Length);

    public static UInt128 MaskOf(bool isV6, int bits)
    {
        int width = isV6 ? 128 : 32;
        if (bits <= 0)
            return UInt128.Zero;
        var all = isV6 ? UInt128.MaxValue : (UInt128)uint.MaxValue;
        return bits >= width ? all : all & ~((UInt128.One << (width - bits)) - 1);
    }

    public bool Matches(in ClientAddress address) =>
        address.IsV6 == IsV6 && (address.Value & Mask) == Network;
}
