namespace Rdns.Zones;

/// <summary>What <see cref="ZonePrefetch"/> asks of a table: where a key's entry and target are, fetched ahead of the lookup.</summary>
internal sealed partial class CompactPtrTable
{
    /// <summary>
    /// For <see cref="ZonePrefetch"/>: the entry of <paramref name="key"/> when the table can tell
    /// without reading memory beyond itself (a table of one-octet keys), with where its target is
    /// found prefetched; else -1, with the key's bucket prefetched when the table has buckets.
    /// </summary>
    internal int PrefetchEntry(UInt128 key)
    {
        if (key < _network)
            return -1;
        UInt128 host = key - _network;
        if (Beyond(host))
            return -1;
        if (!_keySet)
        {
            if (_buckets is { } buckets)
                Prefetch.Element(buckets, BucketOf(host, _bucketShift));
            return -1;
        }
        int rank = RankOf((int)(ulong)host, out bool present);
        if (!present)
            return -1;
        if (_index is { } index)
            Prefetch.Element(index, rank / IndexStep);
        else
            PrefetchTargets(0);
        if (_ttlIndex is byte[] t8)
            Prefetch.Element(t8, rank);
        return rank;
    }

    /// <summary>For <see cref="ZonePrefetch"/>: prefetches where entry <paramref name="i"/>'s target is (after <see cref="PrefetchEntry"/>).</summary>
    internal void PrefetchTarget(int i)
    {
        if (_index is { } index)
            PrefetchTargets(index[i / IndexStep]);
    }

    private void PrefetchTargets(int pos)
    {
        Prefetch.Element(_targets, pos);
        Prefetch.Element(_targets, pos + 64);
    }
}
