using Rdns.Protocol.Names;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Server.Views;

/// <summary>
/// A view as the query path uses it: its match rules compiled to numbers and wire names, and the
/// zones it serves. A request matches when every kind of rule the view has matches (BIND's
/// match-clients, match-destinations and key matching): the client's address is in one of
/// <see cref="Clients"/>, the local address it arrived on in one of <see cref="Destinations"/>,
/// and it is signed with one of <see cref="Keys"/>. A kind left empty does not restrict. A signed
/// request whose signature is wrong still gets no data: the answer path verifies every TSIG.
/// </summary>
public sealed class ServedView
{
    public ServedView(string name, IReadOnlyList<AddressMatch> clients, IReadOnlyList<AddressMatch> destinations, IReadOnlyList<DnsName> keys, ServedZones zones)
    {
        Name = name;
        Clients = [.. clients];
        Destinations = [.. destinations];
        Keys = [.. keys.Select(k => k.ToLowerWire())];
        Zones = zones;
    }

    public string Name { get; }

    public AddressMatch[] Clients { get; }

    public AddressMatch[] Destinations { get; }

    /// <summary>TSIG key names, lowercased wire form.</summary>
    public byte[][] Keys { get; }

    public ServedZones Zones { get; }

    /// <summary>True when the request matches; <paramref name="keyName"/> is the TSIG key's name (empty when unsigned).</summary>
    public bool Matches(in RequestSource source, ReadOnlySpan<byte> keyName)
    {
        if (Clients.Length == 0 && Destinations.Length == 0 && Keys.Length == 0)
            return false;
        if (Clients.Length > 0 && !AnyMatch(Clients, source.Client))
            return false;
        if (Destinations.Length > 0 && !AnyMatch(Destinations, source.Listener.LocalAddress))
            return false;
        if (Keys.Length > 0)
        {
            if (keyName.IsEmpty)
                return false;
            bool found = false;
            foreach (var key in Keys)
            {
                if (Protocol.Names.WireName.EqualsIgnoreCase(key, keyName))
                {
                    found = true;
                    break;
                }
            }
            if (!found)
                return false;
        }
        return true;
    }

    private static bool AnyMatch(AddressMatch[] rules, in ClientAddress address)
    {
        if (!address.IsKnown)
            return false;
        foreach (var rule in rules)
        {
            if (rule.Matches(address))
                return true;
        }
        return false;
    }
}
