using Rdns.Control.Zones;
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
}
