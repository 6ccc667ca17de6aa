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

    /// <summary>
    /// For <see cref="ZonePrefetch"/>, after <see cref="PrefetchEntry"/> prefetched a key's bucket:
    /// the keys of that bucket (about <see cref="EntriesPerBucket"/> of them, a line or two).
    /// </summary>
    internal void PrefetchKeys(UInt128 key)
    {
        if (_keySet || _buckets is not { } buckets || key < _network)
            return;
        UInt128 host = key - _network;
        if (Beyond(host))
            return;
        int bucket = BucketOf(host, _bucketShift);
        int first = buckets[bucket], end = buckets[bucket + 1];
        if (first >= end)
            return;
        Prefetch.Element(_keys, first * _width);
        Prefetch.Element(_keys, end * _width - 1);
    }

    /// <summary>
    /// For <see cref="ZonePrefetch"/>, once the keys are near: the entry of <paramref name="key"/>
    /// (or -1), with where its TTL and target are found prefetched.
    /// </summary>
    internal int PrefetchFound(UInt128 key)
    {
        // A table of one-octet keys answered in PrefetchEntry already.
        if (_keySet)
            return -1;
        int i = IndexOf(key);
        if (i < 0)
            return -1;
        if (_index is { } index)
            Prefetch.Element(index, i / IndexStep);
        if (_ttlIndex is byte[] t8)
            Prefetch.Element(t8, i);
        return i;
    }

    /// <summary>For <see cref="ZonePrefetch"/>: prefetches where entry <paramref name="i"/>'s target is (after <see cref="PrefetchEntry"/>).</summary>
    internal void PrefetchTarget(int i)
    {
        if (_index is { } index)
        {
            int pos = index[i / IndexStep];
            PrefetchTargets(pos);
            // The answer walks the step's targets up to its entry: past the fourth (about fifteen
            // octets each, coded), a third line.
            if (i % IndexStep >= IndexStep / 2)
                Prefetch.Element(_targets, pos + 128);
        }
    }

    private void PrefetchTargets(int pos)
    {
        Prefetch.Element(_targets, pos);
        Prefetch.Element(_targets, pos + 64);
    }
}
