using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>
/// All hosted zones at one moment. Immutable: a change makes a new set that replaces the old one
/// in a single reference swap, so a query sees either all of a change or none of it, however many
/// zones it touched. Zones are kept in a <see cref="NameMap{T}"/>, so a new set shares everything
/// but the changed paths with the old one: publishing a change costs the same in a store of
/// 40,000 zones as in a store of one.
/// </summary>
public sealed class ZoneSet
{
    public static readonly ZoneSet Empty = new(NameMap<ZoneSnapshot>.Empty, AddressZones.Empty, new int[DnsName.MaxLength], Synthesis.DefaultNames.None, NameMap<Dnssec.ZoneSigner>.Empty);

    private readonly NameMap<ZoneSnapshot> _zones;
    /// <summary>The reverse zones by address: how a query finds its zone (see <see cref="FindZone(ReadOnlySpan{byte}, int)"/>).</summary>
    private readonly AddressZones _addresses;
    private readonly NameMap<Dnssec.ZoneSigner> _signers;
    /// <summary>How many zones have each label count: the range of suffixes a lookup must try.</summary>
    private readonly int[] _labelCounts;
    private readonly int _maxLabels;
    private readonly int _minLabels;

    /// <summary>Locally served zones (RFC 6303) beneath the hosted ones, or null; see <see cref="FindAnswering"/>.</summary>
    private readonly ZoneSet? _local;
    private readonly bool _serveLocally;

    private ZoneSet(NameMap<ZoneSnapshot> zones, AddressZones addresses, int[] labelCounts, Synthesis.DefaultNames defaults, NameMap<Dnssec.ZoneSigner> signers, ZoneSet? local = null, bool serveLocally = false,
        string view = Addressing.ViewName.Public)
    {
        _zones = zones;
        _addresses = addresses;
        _signers = signers;
        _labelCounts = labelCounts;
        Defaults = defaults;
        _local = local;
        _serveLocally = serveLocally;
        View = view;
        _maxLabels = 0;
        _minLabels = 0;
        for (int i = labelCounts.Length - 1; i >= 0; i--)
        {
            if (labelCounts[i] > 0)
            {
                _maxLabels = i;
                break;
            }
        }
        for (int i = 0; i < labelCounts.Length; i++)
        {
            if (labelCounts[i] > 0)
            {
                _minLabels = i;
                break;
            }
        }
    }

    public int Count => _zones.Count;

    /// <summary>The reverse zones by address (for <see cref="ZonePrefetch"/>).</summary>
    internal AddressZones Addresses => _addresses;

    /// <summary>Default names of address pools, synthesized where no record of their own exists.</summary>
    public Synthesis.DefaultNames Defaults { get; }

    public ZoneSet WithDefaults(Synthesis.DefaultNames defaults) => new(_zones, _addresses, _labelCounts, defaults, _signers, _local, _serveLocally, View);

    /// <summary>The signer of a signed zone; null when the zone is not signed.</summary>
    public Dnssec.ZoneSigner? SignerOf(ZoneSnapshot zone) =>
        _signers.Count != 0 && _signers.TryGetValue(zone.Origin.Wire, out var signer) ? signer : null;

    /// <summary>Every signed zone's signer.</summary>
    public IEnumerable<Dnssec.ZoneSigner> Signers => _signers.Values;

    /// <summary>This set with <paramref name="zone"/> signed by <paramref name="signer"/> (null: unsigned).</summary>
    public ZoneSet WithSigner(DnsName zone, Dnssec.ZoneSigner? signer) =>
        new(_zones, _addresses, _labelCounts, Defaults, signer is null ? _signers.Remove(zone.Wire) : _signers.SetItem(zone.ToLowerWire(), signer), _local, _serveLocally, View);
    
    /// <summary>The view these zones belong to: what the store's journal of a zone of theirs is looked up under.</summary>
    public string View { get; }

    public ZoneSet WithView(string view) => new(_zones, _addresses, _labelCounts, Defaults, _signers, _local, _serveLocally, view);

    /// <summary>
    /// This set with locally served zones beneath it (RFC 6303, RFC 7793). With
    /// <paramref name="serve"/> (a view of a private network) a name in one of them that no hosted
    /// zone at or below it covers is answered from it: authoritatively empty, NXDOMAIN with its
    /// SOA. Without (the public view) such a name is refused, so a hosted ancestor such as
    /// <c>in-addr.arpa.</c> never answers for private space. Locally served zones are not hosted:
    /// <see cref="Get(DnsName)"/>, <see cref="FindZone(ReadOnlySpan{byte})"/>, <see cref="Zones"/>
    /// and transfers never see them.
    /// </summary>
    public ZoneSet WithLocalZones(ZoneSet? local, bool serve) => new(_zones, _addresses, _labelCounts, Defaults, _signers, local, serve, View);

    /// <summary>The locally served zones beneath this set, and whether they answer (see <see cref="WithLocalZones"/>).</summary>
    public (ZoneSet? Zones, bool Serve) LocalZones => (_local, _serveLocally);

    /// <summary>
    /// The zone that answers a query for <paramref name="name"/>/<paramref name="qtype"/>: as
    /// <see cref="FindZone(ReadOnlySpan{byte}, RecordType)"/>, then the locally served zones'
    /// rule (<see cref="WithLocalZones"/>). Allocates nothing.
    /// </summary>
    public ZoneSnapshot? FindAnswering(ReadOnlySpan<byte> name, RecordType qtype)
    {
        var zone = FindZone(name, qtype);
        if (_local is null)
            return zone;
        // Only a locally served zone below the hosted one changes the answer: look no higher.
        var local = _local.FindZone(name, zone?.Apex.LabelCount ?? -1);
        if (local is null)
            return zone;
        return _serveLocally ? zone ?? local : null;
    }

    public IEnumerable<ZoneSnapshot> Zones => _zones.Values;

    public ZoneSnapshot? Get(DnsName origin) => _zones.TryGetValue(origin.Wire, out var z) ? z : null;

    public ZoneSnapshot? Get(ReadOnlySpan<byte> origin) => _zones.TryGetValue(origin, out var z) ? z : null;

    /// <summary>
    /// The most specific hosted zone containing <paramref name="name"/> (an RFC 2317 child hosted
    /// beside its parent wins for names inside it), or null when we are not authoritative.
    /// </summary>
    public ZoneSnapshot? FindZone(ReadOnlySpan<byte> name) => FindZone(name, -1);

    /// <summary>As <see cref="FindZone(ReadOnlySpan{byte})"/>, among zones of more than <paramref name="aboveLabels"/> labels.</summary>
    private ZoneSnapshot? FindZone(ReadOnlySpan<byte> name, int aboveLabels)
    {
        if (_zones.Count == 0)
            return null;
        // A reverse name: its zone by address, unless the index leaves it to the names.
        if (_addresses.TryFind(name, aboveLabels, out var byAddress))
            return byAddress;
        int labels = WireName.CountLabels(name);
        int pos = 0;
        for (int l = labels; l > _maxLabels; l--)
            pos += 1 + name[pos];
        int lowest = Math.Max(_minLabels, aboveLabels + 1);
        for (int l = Math.Min(labels, _maxLabels); l >= lowest; l--)
        {
            if (_zones.TryGetValue(name[pos..], out var zone))
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

    /// <summary>This set with <paramref name="zone"/> added or replacing the zone of its name.</summary>
    public ZoneSet With(ZoneSnapshot zone) => With([zone], []);

    public ZoneSet Without(DnsName origin) => With([], [origin]);

    /// <summary>
    /// This set with every zone of <paramref name="changed"/> added or replaced and every zone of
    /// <paramref name="removed"/> taken out: one new set for a whole commit, published at once.
    /// </summary>
    public ZoneSet With(IReadOnlyCollection<ZoneSnapshot> changed, IReadOnlyCollection<DnsName> removed)
    {
        var zones = _zones;
        int[]? counts = null;
        var signers = _signers;
        foreach (var origin in removed)
        {
            signers = signers.Remove(origin.Wire);
            var next = zones.Remove(origin.Wire);
            if (ReferenceEquals(next, zones))
                continue;
            zones = next;
            counts ??= (int[])_labelCounts.Clone();
            counts[origin.LabelCount]--;
        }
        foreach (var zone in changed)
        {
            bool existed = zones.ContainsKey(zone.Origin.Wire);
            zones = zones.SetItem(zone.OriginKey, zone);
            if (!existed)
            {
                counts ??= (int[])_labelCounts.Clone();
                counts[zone.Origin.LabelCount]++;
            }
        }
        var addresses = _addresses.With(changed, removed, () => zones.Values);
        return new ZoneSet(zones, addresses, counts ?? _labelCounts, Defaults, signers, _local, _serveLocally, View);
    }

    /// <summary>A set of <paramref name="zones"/> in place of this one's, keeping its defaults and locally served zones.</summary>
    public ZoneSet Rebuilt(IEnumerable<ZoneSnapshot> zones)
    {
        var fresh = From(zones, Defaults);
        return new ZoneSet(fresh._zones, fresh._addresses, fresh._labelCounts, Defaults, _signers, _local, _serveLocally, View);
    }

    public static ZoneSet From(IEnumerable<ZoneSnapshot> zones, Synthesis.DefaultNames? defaults = null)
    {
        var list = new List<(byte[], ZoneSnapshot)>();
        foreach (var z in zones)
            list.Add((z.OriginKey, z));
        var map = NameMap<ZoneSnapshot>.From(list);
        var counts = new int[DnsName.MaxLength];
        foreach (var z in map.Values)
            counts[z.Origin.LabelCount]++;
        return new ZoneSet(map, AddressZones.Build(map.Values), counts, defaults ?? Synthesis.DefaultNames.None, NameMap<Dnssec.ZoneSigner>.Empty);
    }
}
