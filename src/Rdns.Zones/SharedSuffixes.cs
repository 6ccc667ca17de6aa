namespace Rdns.Zones;

/// <summary>
/// Which target suffix hashes occur more than once among a zone's targets, counted while a compact
/// table is built. The hashes are split into partitions by their high bits and each partition is
/// counted on its own thread into an open-addressing table of 32-bit slots (the hash with its
/// lowest bit used as the "seen twice" flag), so a million-PTR zone is counted on every core with
/// no locks and no object per suffix. Two hashes that differ only in that bit count as one: a
/// collision only makes a suffix look shared, which costs nothing but a suffix table entry.
/// </summary>
internal sealed class SharedSuffixes
{
    private const uint SharedBit = 1;

    private readonly uint[][] _partitions;

    private SharedSuffixes(uint[][] partitions) => _partitions = partitions;

    /// <summary>Counts <paramref name="hashes"/> in <paramref name="parts"/> partitions, one task each.</summary>
    public static SharedSuffixes Count(uint[] hashes, int total, int parts)
    {
        var partitions = new uint[parts][];
        void CountPart(int p)
        {
            var slots = new uint[Capacity(total / parts)];
            int used = 0;
            for (int i = 0; i < total; i++)
            {
                uint h = hashes[i];
                if (PartOf(h, parts) != p)
                    continue;
                if (Add(slots, Key(h)))
                {
                    // At most three quarters full, so probes stay short.
                    if (++used * 4 >= slots.Length * 3)
                        slots = Grow(slots);
                }
            }
            partitions[p] = slots;
        }
        if (parts == 1)
            CountPart(0);
        else
            Parallel.For(0, parts, CountPart);
        return new SharedSuffixes(partitions);
    }

    /// <summary>True when <paramref name="hash"/> was counted more than once.</summary>
    public bool IsShared(uint hash)
    {
        var slots = _partitions[PartOf(hash, _partitions.Length)];
        uint key = Key(hash);
        int mask = slots.Length - 1;
        for (int i = Slot(key, mask); ; i = (i + 1) & mask)
        {
            uint s = slots[i];
            if (s == 0)
                return false;
            if ((s & ~SharedBit) == key)
                return (s & SharedBit) != 0;
        }
    }

    private static int PartOf(uint hash, int parts) => (int)(((ulong)hash * (uint)parts) >> 32);

    // The flag bit is cleared; 0 marks a free slot, so a hash of 0 or 1 becomes 2.
    private static uint Key(uint hash)
    {
        uint key = hash & ~SharedBit;
        return key == 0 ? 2 : key;
    }

    // The hashes are well mixed already: the partition takes the high bits, the slot the low ones.
    private static int Slot(uint key, int mask) => (int)(key >> 1) & mask;

    private static int Capacity(int expected)
    {
        int capacity = 64;
        while (capacity < expected && capacity < 1 << 30)
            capacity <<= 1;
        return capacity;
    }

    /// <summary>Adds one occurrence; true when the key is new.</summary>
    private static bool Add(uint[] slots, uint key)
    {
        int mask = slots.Length - 1;
        for (int i = Slot(key, mask); ; i = (i + 1) & mask)
        {
            uint s = slots[i];
            if (s == 0)
            {
                slots[i] = key;
                return true;
            }
            if ((s & ~SharedBit) == key)
            {
                slots[i] = s | SharedBit;
                return false;
            }
        }
    }

    private static uint[] Grow(uint[] slots)
    {
        var grown = new uint[slots.Length * 2];
        int mask = grown.Length - 1;
        foreach (uint s in slots)
        {
            if (s == 0)
                continue;
            int i = Slot(s & ~SharedBit, mask);
            while (grown[i] != 0)
                i = (i + 1) & mask;
            grown[i] = s;
        }
        return grown;
    }
}
