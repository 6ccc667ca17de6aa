namespace Rdns.Zones;

/// <summary>
/// One instance of each apex NS and SOA RRset that zones have in common: an operator's zones name
/// the same servers and, loaded from one import, often the same SOA, so thousands of small zones
/// need not each hold a copy (RRsets are immutable). Bounded: past <see cref="MaxShared"/> distinct
/// RRsets new ones are simply not shared.
/// </summary>
internal static class SharedRRsets
{
    /// <summary>65,536 RRsets of a few hundred octets at most: a few MiB in the worst case.</summary>
    private const int MaxShared = 1 << 16;

    /// <summary>Larger RRsets are rare at an apex and not worth comparing.</summary>
    private const int MaxOctets = 1024;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, List<RRset>> ByHash = [];
    private static int s_count;

    public static RRset Share(RRset set)
    {
        if (set.Type is not (Protocol.Wire.RecordType.NS or Protocol.Wire.RecordType.SOA))
            return set;
        int octets = 0;
        var hash = new HashCode();
        hash.Add((ushort)set.Type);
        hash.Add(set.Ttl);
        foreach (var data in set.Data)
        {
            octets += data.Length;
            hash.Add(data.Length);
            hash.AddBytes(data);
        }
        if (octets > MaxOctets)
            return set;
        int key = hash.ToHashCode();
        lock (Gate)
        {
            if (ByHash.TryGetValue(key, out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (Same(candidate, set))
                        return candidate;
                }
            }
            if (s_count == MaxShared)
                return set;
            s_count++;
            if (candidates is null)
                ByHash[key] = candidates = [];
            candidates.Add(set);
            return set;
        }
    }

    private static readonly Dictionary<int, List<RRset[]>> ArraysByHash = [];
    private static int s_arrayCount;

    /// <summary>
    /// One instance of each apex RRset array whose RRsets are all shared ones (see <see cref="Share"/>)
    /// and only NS and SOA: the small zones of one import then hold one array between them. Arrays are
    /// compared by their RRsets' identity; bounded as the RRsets are.
    /// </summary>
    public static RRset[] ShareSets(RRset[] sets)
    {
        if (sets.Length is 0 or > 2)
            return sets;
        var hash = new HashCode();
        foreach (var set in sets)
        {
            if (set.Type is not (Protocol.Wire.RecordType.NS or Protocol.Wire.RecordType.SOA))
                return sets;
            hash.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(set));
        }
        int key = hash.ToHashCode();
        lock (Gate)
        {
            if (ArraysByHash.TryGetValue(key, out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (candidate.AsSpan().SequenceEqual(sets))
                        return candidate;
                }
            }
            if (s_arrayCount == MaxShared)
                return sets;
            s_arrayCount++;
            if (candidates is null)
                ArraysByHash[key] = candidates = [];
            candidates.Add(sets);
            return sets;
        }
    }

    private static bool Same(RRset a, RRset b)
    {
        if (a.Type != b.Type || a.Ttl != b.Ttl || a.Data.Length != b.Data.Length)
            return false;
        for (int i = 0; i < a.Data.Length; i++)
        {
            if (!a.Data[i].AsSpan().SequenceEqual(b.Data[i]))
                return false;
        }
        return true;
    }
}
