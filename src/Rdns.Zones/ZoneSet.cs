using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>
/// All hosted zones at one moment. Immutable: a change builds a new set that replaces the old one
/// in a single reference swap, so a query sees either all of a change or none of it.
/// </summary>
public sealed class ZoneSet
{
    public static readonly ZoneSet Empty = new(new Dictionary<byte[], ZoneSnapshot>(NameKeyComparer.Instance), Synthesis.DefaultNames.None);

    private readonly Dictionary<byte[], ZoneSnapshot> _zones;
    private readonly Dictionary<byte[], ZoneSnapshot>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly int _maxLabels;
    private readonly int _minLabels;

    private ZoneSet(Dictionary<byte[], ZoneSnapshot> zones, Synthesis.DefaultNames defaults)
    {
        _zones = zones;
        Defaults = defaults;
        _lookup = zones.GetAlternateLookup<ReadOnlySpan<byte>>();
        _maxLabels = zones.Count == 0 ? 0 : zones.Values.Max(z => z.Origin.LabelCount);
        _minLabels = zones.Count == 0 ? 0 : zones.Values.Min(z => z.Origin.LabelCount);
    }

    public int Count => _zones.Count;

    /// <summary>Default names of address pools, synthesized where no record of their own exists.</summary>
    public Synthesis.DefaultNames Defaults { get; }

    public ZoneSet WithDefaults(Synthesis.DefaultNames defaults) => new(_zones, defaults);

    public IEnumerable<ZoneSnapshot> Zones => _zones.Values;

    public ZoneSnapshot? Get(DnsName origin) => _lookup.TryGetValue(origin.Wire, out var z) ? z : null;

    public ZoneSnapshot? Get(ReadOnlySpan<byte> origin) => _lookup.TryGetValue(origin, out var z) ? z : null;

    /// <summary>
    /// The most specific hosted zone containing <paramref name="name"/> (an RFC 2317 child hosted
    /// beside its parent wins for names inside it), or null when we are not authoritative.
    /// </summary>
    public ZoneSnapshot? FindZone(ReadOnlySpan<byte> name)
    {
        if (_zones.Count == 0)
            return null;
        int labels = WireName.CountLabels(name);
        int pos = 0;
        for (int l = labels; l > _maxLabels; l--)
            pos += 1 + name[pos];
        for (int l = Math.Min(labels, _maxLabels); l >= _minLabels; l--)
        {
            if (_lookup.TryGetValue(name[pos..], out var zone))
                return zone;
            if (l == 0)
                break;
            pos += 1 + name[pos];
        }
        return null;
    }

    /// <summary>
    /// The zone that answers <paramref name="name"/>/<paramref name="qtype"/>. DS is the exception
    /// to "most specific wins": it lives on the parent's side of a zone cut (RFC 4035 §3.1.4.1), so
    /// DS at the apex of a hosted zone is answered from the hosted parent when there is one.
    /// </summary>
    public ZoneSnapshot? FindZone(ReadOnlySpan<byte> name, RecordType qtype)
    {
        var zone = FindZone(name);
        if (qtype != RecordType.DS || zone is null || name.Length <= 1 || WireName.CountLabels(name) != zone.Apex.LabelCount)
            return zone;
        return FindZone(name[(1 + name[0])..]) ?? zone;
    }

    public ZoneSet With(ZoneSnapshot zone)
    {
        var copy = new Dictionary<byte[], ZoneSnapshot>(_zones, NameKeyComparer.Instance)
        {
            [zone.Origin.ToLowerWire()] = zone,
        };
        return new ZoneSet(copy, Defaults);
    }

    public ZoneSet Without(DnsName origin)
    {
        var copy = new Dictionary<byte[], ZoneSnapshot>(_zones, NameKeyComparer.Instance);
        copy.Remove(origin.ToLowerWire());
        return new ZoneSet(copy, Defaults);
    }

    public static ZoneSet From(IEnumerable<ZoneSnapshot> zones, Synthesis.DefaultNames? defaults = null)
    {
        var dict = new Dictionary<byte[], ZoneSnapshot>(NameKeyComparer.Instance);
        foreach (var z in zones)
            dict[z.Origin.ToLowerWire()] = z;
        return new ZoneSet(dict, defaults ?? Synthesis.DefaultNames.None);
    }
}
