using System.Runtime.CompilerServices;

namespace Rdns.Zones;

/// <summary>
/// The process's one table of PTR target suffixes (wire names such as <c>example.net.</c> or
/// <c>com.</c>), each stored once and known by a number below 2^24, so the compact address tables
/// of every zone store a target as its own leading labels plus one to four octets (the first 128
/// numbers in one). Suffixes live in
/// 64 KiB chunks: no object per suffix, nothing for the GC to trace. Adding takes a lock (zones are
/// built and merged off the query path); reading a suffix, or finding one, never locks: a number is
/// only placed in the lookup slots after its octets are written, so the threads that build a large
/// table's ranges at once look up the suffixes they share without waiting for each other.
/// Suffixes are never removed: the table holds every suffix shared by two targets of one zone (or
/// a top-level domain) that was ever built, a small set next to the targets themselves.
/// </summary>
internal static class TargetSuffixes
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    public const int MaxCount = 1 << 24;

    private static readonly Lock Gate = new();
    private static byte[][] s_chunks = [new byte[ChunkSize]];
    private static int s_chunkUsed;
    // Per number: chunk << 16 | offset of a length octet followed by the suffix.
    private static int[] s_locations = new int[1024];
    private static int s_count;
    // Open addressing: number + 1, or 0 for a free slot; at most half full.
    private static int[] s_slots = new int[2048];

    /// <summary>For <see cref="ZonePrefetch"/>: where suffix <paramref name="id"/>'s location is kept.</summary>
    internal static void PrefetchLocation(int id) => Prefetch.Element(Volatile.Read(ref s_locations), id);

    /// <summary>For <see cref="ZonePrefetch"/>, after <see cref="PrefetchLocation"/>: suffix <paramref name="id"/>'s octets.</summary>
    internal static void PrefetchSuffix(int id)
    {
        var locations = Volatile.Read(ref s_locations);
        if ((uint)id >= (uint)locations.Length)
            return;
        int location = locations[id];
        var chunks = Volatile.Read(ref s_chunks);
        if ((uint)(location >>> ChunkBits) < (uint)chunks.Length && chunks[location >>> ChunkBits] is { } chunk)
            Prefetch.Element(chunk, location & (ChunkSize - 1));
    }

    /// <summary>The suffix with number <paramref name="id"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> Get(int id)
    {
        int location = Volatile.Read(ref s_locations)[id];
        var chunk = Volatile.Read(ref s_chunks)[location >>> ChunkBits];
        int offset = location & (ChunkSize - 1);
        return chunk.AsSpan(offset + 1, chunk[offset]);
    }

    public static int Count => Volatile.Read(ref s_count);

    /// <summary>Octets held: the chunks, the numbers' locations and the lookup slots.</summary>
    public static long Bytes
    {
        get
        {
            lock (Gate)
                return (long)s_chunks.Length * ChunkSize + s_locations.Length * 4L + s_slots.Length * 4L;
        }
    }

    /// <summary>The number of <paramref name="suffix"/> if the table has it, else -1.</summary>
    public static int Find(ReadOnlySpan<byte> suffix) => Find(suffix, Hash(suffix));

    /// <summary>As <see cref="Find(ReadOnlySpan{byte})"/>, with <paramref name="hash"/> = <see cref="Hash"/> of the suffix already known.</summary>
    public static int Find(ReadOnlySpan<byte> suffix, ulong hash) => FindIn(Volatile.Read(ref s_slots), suffix, hash);

    /// <summary>The number of <paramref name="suffix"/> (at most 255 octets), added when new; -1 when the table is full.</summary>
    public static int Intern(ReadOnlySpan<byte> suffix) => Intern(suffix, Hash(suffix));

    /// <summary>As <see cref="Intern(ReadOnlySpan{byte})"/>, with <paramref name="hash"/> = <see cref="Hash"/> of the suffix already known.</summary>
    public static int Intern(ReadOnlySpan<byte> suffix, ulong hash)
    {
        // Nearly every suffix is known already: found without the lock.
        int known = Find(suffix, hash);
        if (known >= 0)
            return known;
        lock (Gate)
        {
            int found = FindIn(s_slots, suffix, hash);
            if (found >= 0)
                return found;
            if (s_count == MaxCount)
                return -1;
            int id = s_count;
            if (s_chunkUsed + 1 + suffix.Length > ChunkSize)
            {
                var chunks = new byte[s_chunks.Length + 1][];
                s_chunks.CopyTo(chunks, 0);
                chunks[^1] = new byte[ChunkSize];
                Volatile.Write(ref s_chunks, chunks);
                s_chunkUsed = 0;
            }
            int chunkIndex = s_chunks.Length - 1;
            var chunk = s_chunks[chunkIndex];
            chunk[s_chunkUsed] = (byte)suffix.Length;
            suffix.CopyTo(chunk.AsSpan(s_chunkUsed + 1));
            if (id == s_locations.Length)
            {
                var grown = new int[s_locations.Length * 2];
                s_locations.CopyTo(grown, 0);
                Volatile.Write(ref s_locations, grown);
            }
            s_locations[id] = chunkIndex << ChunkBits | s_chunkUsed;
            s_chunkUsed += 1 + suffix.Length;
            if ((id + 1) * 2 > s_slots.Length)
                Rehash();
            Place(s_slots, hash, id);
            Volatile.Write(ref s_count, id + 1);
            return id;
        }
    }

    /// <summary>
    /// Looks <paramref name="suffix"/> up in <paramref name="slots"/>, with or without the lock: a
    /// slot is filled only after its suffix's octets and location are written, and a rehashed array
    /// only published once it holds every number (an older array may miss the newest suffixes, so a
    /// reader without the lock may not see a suffix added at that moment; it is then added or chosen again).
    /// </summary>
    private static int FindIn(int[] slots, ReadOnlySpan<byte> suffix, ulong hash)
    {
        int mask = slots.Length - 1;
        for (int i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            int entry = Volatile.Read(ref slots[i]);
            if (entry == 0)
                return -1;
            if (Get(entry - 1).SequenceEqual(suffix))
                return entry - 1;
        }
    }

    private static void Rehash()
    {
        var slots = new int[s_slots.Length * 2];
        for (int id = 0; id < s_count; id++)
            Place(slots, Hash(Get(id)), id);
        Volatile.Write(ref s_slots, slots);
    }

    private static void Place(int[] slots, ulong hash, int id)
    {
        int mask = slots.Length - 1;
        int i = (int)hash & mask;
        while (slots[i] != 0)
            i = (i + 1) & mask;
        Volatile.Write(ref slots[i], id + 1);
    }

    public static ulong Hash(ReadOnlySpan<byte> suffix)
    {
        var hash = new HashCode();
        hash.AddBytes(suffix);
        return (uint)hash.ToHashCode();
    }
}
