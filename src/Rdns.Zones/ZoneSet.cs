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
    public static readonly ZoneSet Empty = new(NameMap<ZoneSnapshot>.Empty, AddressZones.Empty, new int[DnsName.MaxLength], Synthesis.DefaultNames.None, NameMap<Dnssec.ZoneSigner>.Empty, SmallZones.Empty);

    private readonly NameMap<ZoneSnapshot> _zones;
    /// <summary>The reverse zones by address: how a query finds its zone (see <see cref="FindZone(ReadOnlySpan{byte}, int)"/>).</summary>
    private readonly AddressZones _addresses;
    private readonly NameMap<Dnssec.ZoneSigner> _signers;
    /// <summary>Small reverse zones kept as rows, not snapshots (see <see cref="SmallZones"/>): found by address before the others.</summary>
    private readonly SmallZones _small;
    /// <summary>How many zones have each label count: the range of suffixes a lookup must try.</summary>
    private readonly int[] _labelCounts;
    private readonly int _maxLabels;
    private readonly int _minLabels;

    /// <summary>Locally served zones (RFC 6303) beneath the hosted ones, or null; see <see cref="FindAnswering"/>.</summary>
    private readonly ZoneSet? _local;
    private readonly bool _serveLocally;
    /// <summary>The locally served zones are among <see cref="LocallyServedZones.All"/> (every view's are): a hosted zone's own <see cref="ZoneSnapshot.NoLocallyServedZoneBelow"/> then speaks for them.</summary>
    private readonly bool _localWithinAll;

    private ZoneSet(NameMap<ZoneSnapshot> zones, AddressZones addresses, int[] labelCounts, Synthesis.DefaultNames defaults, NameMap<Dnssec.ZoneSigner> signers, SmallZones small, ZoneSet? local = null, bool serveLocally = false,
        string view = Addressing.ViewName.Public)
    {
        _zones = zones;
        _small = small;
        _addresses = addresses;
        _signers = signers;
        _labelCounts = labelCounts;
        Defaults = defaults;
        _local = local;
        _localWithinAll = local is not null && LocallyServedZones.IsWithinAll(local);
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

    public int Count => _zones.Count + _small.Count;

    /// <summary>Fewer zones that can be rows than this are kept as snapshots (see <see cref="SmallZones"/>): rows save memory only in number.</summary>
    public const int RowsFrom = 1024;

    /// <summary>The rows (see <see cref="SmallZones"/>), for <see cref="ZonePrefetch"/>.</summary>
    internal SmallZones Rows => _small;

    /// <summary>Zones kept as rows of <see cref="SmallZones"/> rather than as snapshots.</summary>
    public int RowCount => _small.Count;

    /// <summary>Octets of the rows' table (see <see cref="SmallZones"/>).</summary>
    public long RowBytes => _small.Bytes;

    /// <summary>Address PTRs of the zones kept as rows.</summary>
    public long RowPtrCount => _small.Rows().Sum(r => (long)_small.PtrCount(r));

    /// <summary>The zones held as snapshots, rows left out (for figures about them; <see cref="Zones"/> has every zone).</summary>
    public IEnumerable<ZoneSnapshot> Snapshots => _zones.Values;

    /// <summary>The reverse zones by address (for <see cref="ZonePrefetch"/>).</summary>
    internal AddressZones Addresses => _addresses;

    /// <summary>Default names of address pools, synthesized where no record of their own exists.</summary>
    public Synthesis.DefaultNames Defaults { get; }

    public ZoneSet WithDefaults(Synthesis.DefaultNames defaults) => new(_zones, _addresses, _labelCounts, defaults, _signers, _small, _local, _serveLocally, View) { RowCandidates = RowCandidates };

    /// <summary>The signer of a signed zone; null when the zone is not signed.</summary>
    public Dnssec.ZoneSigner? SignerOf(ZoneSnapshot zone) =>
        _signers.Count != 0 && _signers.TryGetValue(zone.Origin.Wire, out var signer) ? signer : null;

    /// <summary>Every signed zone's signer.</summary>
    public IEnumerable<Dnssec.ZoneSigner> Signers => _signers.Values;

    /// <summary>This set with <paramref name="zone"/> signed by <paramref name="signer"/> (null: unsigned).</summary>
    public ZoneSet WithSigner(DnsName zone, Dnssec.ZoneSigner? signer)
    {
        // A signed zone is never a row: it becomes a snapshot of its own first.
        var set = signer is not null && _small.RowOf(zone.Wire) is >= 0 and var row ? With([_small.Snapshot(row, leaving: true)], []) : this;
        return new(set._zones, set._addresses, set._labelCounts, Defaults, signer is null ? _signers.Remove(zone.Wire) : _signers.SetItem(zone.ToLowerWire(), signer), set._small, _local, _serveLocally, View)
        {
            RowCandidates = set.RowCandidates,
        };
    }
    
    /// <summary>The view these zones belong to: what the store's journal of a zone of theirs is looked up under.</summary>
    public string View { get; }

    public ZoneSet WithView(string view) => new(_zones, _addresses, _labelCounts, Defaults, _signers, _small, _local, _serveLocally, view) { RowCandidates = RowCandidates };

    /// <summary>
    /// This set with locally served zones beneath it (RFC 6303, RFC 7793). With
    /// <paramref name="serve"/> (a view of a private network) a name in one of them that no hosted
    /// zone at or below it covers is answered from it: authoritatively empty, NXDOMAIN with its
    /// SOA. Without (the public view) such a name is refused, so a hosted ancestor such as
    /// <c>in-addr.arpa.</c> never answers for private space. Locally served zones are not hosted:
    /// <see cref="Get(DnsName)"/>, <see cref="FindZone(ReadOnlySpan{byte})"/>, <see cref="Zones"/>
    /// and transfers never see them.
    /// </summary>
    public ZoneSet WithLocalZones(ZoneSet? local, bool serve) => new(_zones, _addresses, _labelCounts, Defaults, _signers, _small, local, serve, View) { RowCandidates = RowCandidates };

    /// <summary>The locally served zones beneath this set, and whether they answer (see <see cref="WithLocalZones"/>).</summary>
    public (ZoneSet? Zones, bool Serve) LocalZones => (_local, _serveLocally);

    /// <summary>
    /// The zone that answers a query for <paramref name="name"/>/<paramref name="qtype"/>: as
    /// <see cref="FindZone(ReadOnlySpan{byte}, RecordType)"/>, then the locally served zones'
    /// rule (<see cref="WithLocalZones"/>). A zone kept as a row is made into a snapshot (for
    /// everything but queries; the query path takes <see cref="FindAnswering(ReadOnlySpan{byte}, RecordType, out SmallZoneMatch)"/>).
    /// </summary>
    public ZoneSnapshot? FindAnswering(ReadOnlySpan<byte> name, RecordType qtype)
    {
        var zone = FindAnswering(name, qtype, out var row);
        return zone ?? (row.Found ? row.Snapshot() : null);
    }

    /// <summary>
    /// As <see cref="FindAnswering(ReadOnlySpan{byte}, RecordType)"/> without making anything: a
    /// zone kept as a row comes back as <paramref name="row"/> (the snapshot is then null), to be
    /// answered from with <see cref="SmallZoneMatch.Write"/>. Allocates nothing.
    /// </summary>
    public ZoneSnapshot? FindAnswering(ReadOnlySpan<byte> name, RecordType qtype, out SmallZoneMatch row) =>
        FindAnswering(name, qtype, out row, default);

    /// <summary>
    /// As <see cref="FindAnswering(ReadOnlySpan{byte}, RecordType, out SmallZoneMatch)"/>, taking
    /// the zone <paramref name="prefetched"/> found for the name in this set rather than looking
    /// it up again (not for DS, whose zone may be the parent).
    /// </summary>
    public ZoneSnapshot? FindAnswering(ReadOnlySpan<byte> name, RecordType qtype, out SmallZoneMatch row, in PrefetchedQuery prefetched)
    {
        ZoneSnapshot? zone;
        if (qtype != RecordType.DS && prefetched.ZoneIn(this, name.Length) is { } found)
        {
            zone = found;
            row = default;
        }
        else
            zone = FindZone(name, qtype, out row);
        if (_local is null)
            return zone;
        // Only a locally served zone below the hosted one changes the answer: look no higher, and
        // not at all when none is below it (most hosted zones: one look-up of the zone's name
        // rather than the question read again as an address).
        if (zone is not null
                ? (_localWithinAll && zone.NoLocallyServedZoneBelow) || !_local.HasZoneBelow(zone.Origin.Wire)
                : row.Found && !_local.HasZoneBelow(name[^row.OriginLength(name)..]))
            return zone;
        int above = row.Found ? SmallZones.ApexLabels : zone?.Apex.LabelCount ?? -1;
        var local = _local.FindZone(name, above);
        if (local is null)
            return zone;
        if (_serveLocally)
            return row.Found ? null : zone ?? local;
        row = default;
        return null;
    }

    /// <summary>
    /// True when a zone of this set lies strictly below <paramref name="name"/> (any case). Asked
    /// of a set of locally served zones, which is built once and never changes: the names above
    /// its zones are found on the first question and kept.
    /// </summary>
    internal bool HasZoneBelow(ReadOnlySpan<byte> name) => (_namesAbove ??= NamesAbove()).ContainsKey(name);

    private NameMap<ZoneSnapshot>? _namesAbove;

    /// <summary>Every proper ancestor of a zone's name (the root included), lower case, with a zone below it (a name above several keeps one).</summary>
    private NameMap<ZoneSnapshot> NamesAbove()
    {
        var above = new List<(byte[], ZoneSnapshot)>();
        foreach (var zone in Zones)
        {
            byte[] origin = zone.Origin.ToLowerWire();
            for (int at = 0; origin[at] != 0;)
            {
                at += 1 + origin[at];
                above.Add((origin[at..], zone));
            }
        }
        return NameMap<ZoneSnapshot>.From(above);
    }

    public IEnumerable<ZoneSnapshot> Zones => _small.Count == 0 ? _zones.Values : _zones.Values.Concat(_small.Rows().Select(_small.Snapshot));

    /// <summary>Every zone's name (no zone kept as a row is made into a snapshot for it).</summary>
    public IEnumerable<DnsName> Origins => _zones.Values.Select(z => z.Origin).Concat(_small.Rows().Select(_small.OriginOf));

    /// <summary>The serial of the zone named <paramref name="origin"/>, or null when it is not hosted (nothing is made for a row).</summary>
    public uint? SerialOf(DnsName origin) =>
        _zones.TryGetValue(origin.Wire, out var z) ? z.Serial : _small.RowOf(origin.Wire) is >= 0 and var row ? _small.SerialOf(row) : null;

    /// <summary>
    /// The sum of every zone's serial, rows included, made of nothing per zone: with <see cref="Count"/>,
    /// what a node compares with the store's own sum to find a zone it holds at another serial
    /// without listing them.
    /// </summary>
    public long SerialSum()
    {
        long sum = _small.SerialSum();
        foreach (var zone in _zones.Values)
            sum += zone.Serial;
        return sum;
    }

    /// <summary>Records of every zone, and changesets remembered (for metrics; nothing is made for a row).</summary>
    public (long Records, long History) Totals()
    {
        long records = 0, history = 0;
        foreach (var zone in _zones.Values)
        {
            records += zone.RecordCount;
            history += zone.History.Count;
        }
        foreach (int row in _small.Rows())
            records += _small.RecordCountOf(row);
        return (records, history);
    }

    public ZoneSnapshot? Get(DnsName origin) => Get(origin.Wire);

    public ZoneSnapshot? Get(ReadOnlySpan<byte> origin) =>
        _zones.TryGetValue(origin, out var z) ? z : _small.RowOf(origin) is >= 0 and var row ? _small.Snapshot(row) : null;

    /// <summary>
    /// The most specific hosted zone containing <paramref name="name"/> (an RFC 2317 child hosted
    /// beside its parent wins for names inside it), or null when we are not authoritative.
    /// </summary>
    public ZoneSnapshot? FindZone(ReadOnlySpan<byte> name)
    {
        var zone = FindZone(name, -1, out var row);
        return zone ?? (row.Found ? row.Snapshot() : null);
    }

    /// <summary>As <see cref="FindZone(ReadOnlySpan{byte})"/>, among zones of more than <paramref name="aboveLabels"/> labels (rows not made into snapshots).</summary>
    private ZoneSnapshot? FindZone(ReadOnlySpan<byte> name, int aboveLabels) =>
        FindZone(name, aboveLabels, out var row) ?? (row.Found ? row.Snapshot() : null);

    /// <summary>As above; a zone kept as a row comes back as <paramref name="row"/>.</summary>
    private ZoneSnapshot? FindZone(ReadOnlySpan<byte> name, int aboveLabels, out SmallZoneMatch row)
    {
        row = default;
        if (_zones.Count == 0 && _small.Count == 0)
            return null;
        // No zone of more labels than asked for: nothing to read the name for. What a query's
        // look-up among the locally served zones (a few of two to four labels) mostly finds.
        if (_maxLabels <= aboveLabels && (_small.Count == 0 || SmallZones.ApexLabels <= aboveLabels))
            return null;
        // A row's zone has no hosted zone below it: when it holds the name, it is the most specific.
        if (aboveLabels < SmallZones.ApexLabels && _small.TryFind(name, out int r, out int apexAt))
        {
            row = new SmallZoneMatch(_small, r, apexAt);
            return null;
        }
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
        var zone = FindZone(name, qtype, out var row);
        return zone ?? (row.Found ? row.Snapshot() : null);
    }

    private ZoneSnapshot? FindZone(ReadOnlySpan<byte> name, RecordType qtype, out SmallZoneMatch row)
    {
        var zone = FindZone(name, -1, out row);
        if (qtype != RecordType.DS || name.Length <= 1)
            return zone;
        int apexLabels = row.Found ? SmallZones.ApexLabels : zone?.Apex.LabelCount ?? -1;
        if (apexLabels < 0 || WireName.CountLabels(name) != apexLabels)
            return zone;
        var parent = FindZone(name[(1 + name[0])..], -1, out var parentRow);
        if (parent is null && !parentRow.Found)
            return zone;
        row = parentRow;
        return parent;
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
        var small = _small;
        if (small.Count > 0)
            (small, changed) = Unrow(changed, removed);
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
        int candidates = RowCandidates;
        foreach (var zone in changed)
        {
            if (SmallZones.IsRow(zone, out _))
                candidates++;
        }
        return new ZoneSet(zones, addresses, counts ?? _labelCounts, Defaults, signers, small, _local, _serveLocally, View) { RowCandidates = candidates };
    }

    /// <summary>Zones published as snapshots since rows were last made that could be rows (new zones, imports).</summary>
    private int RowCandidates { get; init; }

    /// <summary>
    /// Enough zones that could be rows have come as snapshots (at least
    /// <see cref="RowsFrom"/>, and an eighth of the rows) for <see cref="WithRows"/>
    /// to be worth its cost: amortized, a few rows copied per zone published.
    /// </summary>
    public bool RowsDue => RowCandidates >= Math.Max(RowsFrom, _small.Count / 8);

    /// <summary>
    /// This set with every snapshot that can be a row (see <see cref="SmallZones"/>) made one, in a
    /// new table with the rows already held, when there are at least <paramref name="minRows"/>
    /// rows in all; otherwise this set. Costs a pass over the zones and the rows.
    /// </summary>
    public ZoneSet WithRows(int minRows = RowsFrom)
    {
        var candidates = RowCandidatesOf(_zones.Values, _signers);
        if (candidates.Count == 0 || candidates.Count + _small.Count < minRows)
            return new ZoneSet(_zones, _addresses, _labelCounts, Defaults, _signers, _small, _local, _serveLocally, View);
        var (small, left) = _small.With(candidates);
        var kept = new HashSet<ZoneSnapshot>(left, ReferenceEqualityComparer.Instance);
        var zones = _zones;
        var counts = (int[])_labelCounts.Clone();
        var removed = new List<DnsName>();
        foreach (var (_, zone) in candidates)
        {
            if (kept.Contains(zone))
                continue;
            zones = zones.Remove(zone.Origin.Wire);
            counts[zone.Origin.LabelCount]--;
            removed.Add(zone.Origin);
        }
        var addresses = _addresses.With([], removed, () => zones.Values);
        return new ZoneSet(zones, addresses, counts, Defaults, _signers, small, _local, _serveLocally, View);
    }

    /// <summary>
    /// The rows a change takes out: those of changed or removed zones, and those of zones a new
    /// zone lies below (no hosted zone may lie below a row's, see <see cref="SmallZones"/>), which
    /// stay hosted as snapshots of their own and are added to <paramref name="changed"/>.
    /// </summary>
    private (SmallZones Small, IReadOnlyCollection<ZoneSnapshot> Changed) Unrow(IReadOnlyCollection<ZoneSnapshot> changed, IReadOnlyCollection<DnsName> removed)
    {
        HashSet<int>? gone = null;
        HashSet<int>? above = null;
        foreach (var origin in removed)
        {
            if (_small.RowOf(origin.Wire) is >= 0 and var row)
                (gone ??= []).Add(row);
        }
        foreach (var zone in changed)
        {
            if (_small.RowOf(zone.Origin.Wire) is >= 0 and var row)
                (gone ??= []).Add(row);
            else if (_small.RowAbove(zone.Origin.Wire) is >= 0 and var parent)
                (above ??= []).Add(parent);
        }
        if (gone is null && above is null)
            return (_small, changed);
        var moved = new List<ZoneSnapshot>(changed);
        foreach (int row in above ?? [])
        {
            if (gone?.Contains(row) == true)
                continue;
            moved.Add(_small.Snapshot(row, leaving: true));
            (gone ??= []).Add(row);
        }
        return (_small.Without(gone!), moved);
    }

    /// <summary>A set of <paramref name="zones"/> in place of this one's, keeping its defaults and locally served zones.</summary>
    public ZoneSet Rebuilt(IEnumerable<ZoneSnapshot> zones)
    {
        var fresh = From(zones, Defaults, _signers, RowsFrom);
        return new ZoneSet(fresh._zones, fresh._addresses, fresh._labelCounts, Defaults, _signers, fresh._small, _local, _serveLocally, View);
    }

    public static ZoneSet From(IEnumerable<ZoneSnapshot> zones, Synthesis.DefaultNames? defaults = null) =>
        From(zones, defaults, NameMap<Dnssec.ZoneSigner>.Empty, RowsFrom);

    /// <summary>
    /// A set of <paramref name="zones"/>, those that can be (see <see cref="SmallZones"/>; not the
    /// zones <paramref name="signers"/> signs) kept as rows when there are at least
    /// <paramref name="minRows"/> of them.
    /// </summary>
    internal static ZoneSet From(IEnumerable<ZoneSnapshot> zones, Synthesis.DefaultNames? defaults, NameMap<Dnssec.ZoneSigner> signers, int minRows)
    {
        var all = zones as IReadOnlyCollection<ZoneSnapshot> ?? zones.ToList();
        var (small, rest) = SplitRows(all, signers, minRows);
        var list = new List<(byte[], ZoneSnapshot)>();
        foreach (var z in rest)
            list.Add((z.OriginKey, z));
        var map = NameMap<ZoneSnapshot>.From(list);
        var counts = new int[DnsName.MaxLength];
        foreach (var z in map.Values)
            counts[z.Origin.LabelCount]++;
        return new ZoneSet(map, AddressZones.Build(map.Values), counts, defaults ?? Synthesis.DefaultNames.None, NameMap<Dnssec.ZoneSigner>.Empty, small);
    }

    private static (SmallZones Small, IReadOnlyCollection<ZoneSnapshot> Others) SplitRows(IReadOnlyCollection<ZoneSnapshot> zones, NameMap<Dnssec.ZoneSigner> signers, int minRows)
    {
        if (zones.Count < minRows)
            return (SmallZones.Empty, zones);
        var candidates = RowCandidatesOf(zones, signers);
        if (candidates.Count < minRows)
            return (SmallZones.Empty, zones);
        var (small, left) = SmallZones.Build(candidates);
        var taken = new HashSet<ZoneSnapshot>(ReferenceEqualityComparer.Instance);
        foreach (var (_, zone) in candidates)
            taken.Add(zone);
        foreach (var zone in left)
            taken.Remove(zone);
        return (small, zones.Where(z => !taken.Contains(z)).ToList());
    }

    /// <summary>
    /// The zones of <paramref name="zones"/> that can be rows (<see cref="SmallZones.IsRow"/>), each
    /// /24 once: not signed by <paramref name="signers"/>, and none with a hosted zone below it (an
    /// RFC 2317 child, a single address), which stays a snapshot.
    /// </summary>
    private static List<(uint Prefix, ZoneSnapshot Zone)> RowCandidatesOf(IEnumerable<ZoneSnapshot> zones, NameMap<Dnssec.ZoneSigner> signers)
    {
        var covered = new HashSet<uint>();
        var seen = new HashSet<uint>();
        var candidates = new List<(uint Prefix, ZoneSnapshot Zone)>();
        foreach (var zone in zones)
        {
            if (SmallZones.TryPrefix(zone.Origin.Wire, out uint prefix, out int apexAt) && apexAt > 0)
                covered.Add(prefix);
            if (SmallZones.IsRow(zone, out prefix) && seen.Add(prefix) && (signers.Count == 0 || !signers.ContainsKey(zone.Origin.Wire)))
                candidates.Add((prefix, zone));
        }
        candidates.RemoveAll(c => covered.Contains(c.Prefix));
        return candidates;
    }
}
