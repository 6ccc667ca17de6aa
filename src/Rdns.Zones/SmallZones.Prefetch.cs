namespace Rdns.Zones;

/// <summary>The steps by which <see cref="ZonePrefetch"/> follows a query to its row, one level per pass over a batch.</summary>
internal sealed partial class SmallZones
{
    /// <summary>For <see cref="ZonePrefetch"/>: the slot where /24 <paramref name="prefix"/>'s row is looked for.</summary>
    internal void PrefetchSlot(uint prefix) => Prefetch.Element(_slots, Slot(prefix, _slots.Length - 1));

    /// <summary>
    /// For <see cref="ZonePrefetch"/>, after <see cref="PrefetchSlot"/>: the parts of the row the
    /// slot names (the prefix's, or another's that took the slot first: a guess, not looked at
    /// here, which would wait for the load the prefetch starts).
    /// </summary>
    internal void PrefetchRow(uint prefix)
    {
        int r = _slots[Slot(prefix, _slots.Length - 1)] - 1;
        if (r < 0)
            return;
        Prefetch.Element(_prefixes, r);
        Prefetch.Element(_sets, r * 4);
        Prefetch.Element(_starts, r);
        Prefetch.Element(_ttls, r);
        Prefetch.Element(_forms, r);
    }

    /// <summary>
    /// For <see cref="ZonePrefetch"/>, after <see cref="PrefetchRow"/>: the row of
    /// <paramref name="prefix"/> (or -1), with the start of its targets prefetched.
    /// </summary>
    internal int PrefetchTargets(uint prefix)
    {
        int row = RowOf(prefix);
        if (row >= 0)
        {
            int start = _starts[row];
            Prefetch.Element(_targets, start);
            Prefetch.Element(_targets, start + 64);
        }
        return row;
    }

    /// <summary>
    /// For <see cref="ZonePrefetch"/>, after <see cref="PrefetchTargets"/>: the suffix number of
    /// the PTR of address <paramref name="octet"/> in <paramref name="row"/>, or -1 where it has none.
    /// </summary>
    internal int SuffixOf(int row, int octet)
    {
        int rank = CompactPtrTable.RankIn(_sets.AsSpan(row * 4, 4), octet, out bool present);
        return present ? CompactPtrTable.SuffixNumberAfter(_targets, _starts[row], rank) : -1;
    }
}
