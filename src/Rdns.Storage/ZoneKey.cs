using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Storage;

/// <summary>
/// How zones are keyed in the store: the lowercased presentation form with its trailing dot
/// (<c>2.0.192.in-addr.arpa.</c>). Text rather than wire bytes so an operator can read and query
/// the tables; escapes (RFC 1035 §5.1) keep binary labels unambiguous, and lowering only ASCII
/// letters matches DNS name equality (RFC 4343).
/// </summary>
internal static class ZoneKey
{
    public static string Of(DnsName zone) => zone.ToLower().ToString();

    /// <summary>
    /// The key of a zone in a view: the plain key in the public view (so stores made before views
    /// keep theirs), else the view's name, a space and the plain key. A space never appears
    /// unescaped in a name's presentation form (RFC 1035 §5.1), so no key of one view can equal a
    /// key of another, and keys of one view sort by zone name.
    /// </summary>
    public static string Of(string view, DnsName zone) =>
        Addressing.ViewName.IsPublic(view) ? Of(zone) : view + " " + Of(zone);

    /// <summary>The serial of the zone's single SOA at the apex; anything else cannot be stored as a zone.</summary>
    public static uint CheckZoneRecords(DnsName zone, IReadOnlyList<ResourceRecord> records)
    {
        if (records is ZoneRows rows)
            return CheckZoneRows(zone, rows);
        uint? serial = null;
        foreach (var r in records)
        {
            CheckOwner(zone, r);
            if (r.Type != RecordType.SOA)
                continue;
            if (serial is not null)
                throw new ArgumentException($"zone {zone} has more than one SOA", nameof(records));
            if (!r.Owner.Equals(zone))
                throw new ArgumentException($"SOA of zone {zone} is at {r.Owner}, not at the apex", nameof(records));
            if (!Rdata.IsValid(RecordType.SOA, r.Data))
                throw new ArgumentException($"SOA of zone {zone} is malformed", nameof(records));
            serial = Rdata.SoaSerial(r.Data);
        }
        return serial ?? throw new ArgumentException($"zone {zone} has no SOA", nameof(records));
    }

    /// <summary>As <see cref="CheckZoneRecords"/>, on the octets (no object per record).</summary>
    private static uint CheckZoneRows(DnsName zone, ZoneRows rows)
    {
        uint? serial = null;
        int zoneLabels = zone.LabelCount;
        for (int i = 0; i < rows.Count; i++)
        {
            var owner = rows.Owner(i);
            int labels = WireName.CountLabels(owner);
            if (labels < zoneLabels || !WireName.EqualsIgnoreCase(owner[WireName.SkipLabels(owner, labels - zoneLabels)..], zone.Wire))
                throw new ArgumentException($"{DnsName.FromWire(owner)} is outside zone {zone}");
            if (rows.Type(i) != RecordType.SOA)
                continue;
            if (serial is not null)
                throw new ArgumentException($"zone {zone} has more than one SOA", nameof(rows));
            if (labels != zoneLabels)
                throw new ArgumentException($"SOA of zone {zone} is at {DnsName.FromWire(owner)}, not at the apex", nameof(rows));
            if (!Rdata.IsValid(RecordType.SOA, rows.Data(i)))
                throw new ArgumentException($"SOA of zone {zone} is malformed", nameof(rows));
            serial = Rdata.SoaSerial(rows.Data(i));
        }
        return serial ?? throw new ArgumentException($"zone {zone} has no SOA", nameof(rows));
    }

    public static void CheckCommit(ZoneCommit commit)
    {
        foreach (var r in commit.Changeset.Added)
            CheckOwner(commit.Zone, r);
    }

    private static void CheckOwner(DnsName zone, ResourceRecord r)
    {
        if (!r.Owner.IsSubdomainOf(zone))
            throw new ArgumentException($"{r.Owner} is outside zone {zone}");
        if (r.Data.Length > ushort.MaxValue)
            throw new ArgumentException($"RDATA of {r.Owner} {r.Type} is longer than 65535 octets");
    }
}

/// <summary>
/// Collects rows as they stream from a records query into one list per zone, each sized from the
/// zone's stored record count so a million-record zone is not copied while its list grows.
/// </summary>
internal sealed class ZoneRecordSink
{
    private readonly Dictionary<long, List<ResourceRecord>> _lists = [];
    private long _lastZone = -1;
    private List<ResourceRecord>? _last;
    private DnsName? _lastOwner;

    public void Expect(long zoneId, int recordCount) => _lists[zoneId] = new List<ResourceRecord>(recordCount);

    public IReadOnlyList<ResourceRecord> RecordsOf(long zoneId) =>
        _lists.TryGetValue(zoneId, out var list) ? list : [];

    /// <summary>
    /// The owner name for a row: rows of one owner are usually adjacent (they were inserted together),
    /// so they share one name object instead of each holding a copy.
    /// </summary>
    public DnsName Owner(ReadOnlySpan<byte> wire)
    {
        if (_lastOwner is not null && wire.SequenceEqual(_lastOwner.Wire))
            return _lastOwner;
        return _lastOwner = DnsName.FromWire(wire);
    }

    public void Add(long zoneId, ResourceRecord record)
    {
        if (zoneId != _lastZone)
        {
            // A row of a zone created after the zone list was read cannot be seen in the same
            // snapshot; a list is still made rather than failing on the unexpected.
            if (!_lists.TryGetValue(zoneId, out _last))
                _lists[zoneId] = _last = [];
            _lastZone = zoneId;
        }
        _last!.Add(record);
    }
}
