using Rdns.Addressing;
using Rdns.Server.Pipeline;

namespace Rdns.Server.Views;

/// <summary>One prefix of a view's match list, as numbers, so matching a request allocates nothing.</summary>
public readonly record struct AddressMatch(bool IsV6, UInt128 Network, int Bits)
{
    public static AddressMatch From(IpPrefix prefix) =>
        new(prefix.Family == IpFamily.V6, prefix.Network.Value, prefix.Length);

    public bool Matches(in ClientAddress address) =>
        address.IsV6 == IsV6 && address.Network(Bits) == Network;
}
