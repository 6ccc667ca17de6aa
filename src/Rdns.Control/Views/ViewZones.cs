using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Control.Views;

/// <summary>
/// One view as this node serves it: its definition (null for the built-in public view), its zones
/// and the write path of its zones. Each view has its own writer, so a zone of one view is never
/// planned, committed or announced as the same-named zone of another.
/// </summary>
public sealed record ViewZones(string Name, StoredView? Definition, ZoneService Service)
{
    public ServedZones Served => Service.Served;

    public ZoneWriter Writer => Service.Writer;

    public bool IsPublic => Definition is null;

    /// <summary>The name of the view's catalog zone (RFC 9432): <c>catalog.VIEW.invalid.</c>; the public view's is the server's catalog.</summary>
    public DnsName CatalogName => CatalogZone.ForView(Name);

    /// <summary>The view's zones an operator made: every zone but the view's catalog.</summary>
    public int OwnZoneCount => Served.Current.Count - (IsPublic || Served.Current.Get(CatalogName) is null ? 0 : 1);
}
