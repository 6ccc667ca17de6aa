namespace Rdns.Zones;

/// <summary>
/// What <see cref="ZonePrefetch"/> found for one query of a batch, handed on to the answer so that
/// nothing is looked up twice: the zone the question's address falls in, found in a given
/// <see cref="ZoneSet"/>, the question's key in that zone's compact address table and the entry
/// found there under it. The answer takes it only when it is asked about the same set and the
/// same name; anything else (a view answering from other zones, a set published since, a name a
/// CNAME or DNAME led to) looks up as it would without. The default is nothing found.
/// </summary>
public readonly struct PrefetchedQuery
{
    private readonly ZoneSet? _set;
    private readonly ZoneSnapshot? _zone;
    private readonly int _nameLength;
    private readonly bool _hasKey;
    private readonly UInt128 _key;
    /// <summary>The key's entry in the zone's compact table (the zone is immutable, so its table is the one searched), or -1.</summary>
    private readonly int _entry;

    internal PrefetchedQuery(ZoneSet set, int nameLength, ZoneSnapshot zone, bool hasKey, UInt128 key, int entry)
    {
        _set = set;
        _nameLength = nameLength;
        _zone = zone;
        _hasKey = hasKey;
        _key = key;
        _entry = entry;
    }

    /// <summary>The zone found in <paramref name="set"/> for a question name of <paramref name="nameLength"/> octets, when it was found there.</summary>
    internal ZoneSnapshot? ZoneIn(ZoneSet set, int nameLength) =>
        ReferenceEquals(_set, set) && _nameLength == nameLength ? _zone : null;

    /// <summary>
    /// The question's full-width key in <paramref name="zone"/>'s compact table, when it was read
    /// for that zone, and its entry there (-1 when not found, or the table not searched).
    /// </summary>
    internal bool TryKeyIn(ZoneSnapshot zone, int nameLength, out UInt128 key, out int entry)
    {
        key = _key;
        entry = _entry;
        return _hasKey && ReferenceEquals(_zone, zone) && _nameLength == nameLength;
    }
}
