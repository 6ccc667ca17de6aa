using Rdns.Addressing;
using Rdns.Control.Views;
using Rdns.Protocol.Names;
using Rdns.Server.Views;

namespace Rdns.Hosting;

/// <summary>Turns the views Control keeps (rules as text) into what the query path matches on (numbers and wire names).</summary>
internal static class ViewCompiler
{
    public static IReadOnlyList<ServedView> Compile(IReadOnlyList<ViewZones> views) =>
        views.Where(v => v.Definition is not null).Select(v => new ServedView(v.Name,
            v.Definition!.Clients.Select(c => AddressMatch.From(IpPrefix.Parse(c))).ToList(),
            v.Definition.Destinations.Select(d => AddressMatch.From(IpPrefix.Parse(d))).ToList(),
            v.Definition.Keys.Select(k => DnsName.Parse(k)).ToList(),
            v.Served)).ToList();
}
