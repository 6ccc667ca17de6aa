namespace Rdns.Zones.Dnssec;

/// <summary>
/// Signatures already made, keyed by everything they sign except their times: the RRSIG fields
/// (type, algorithm, labels, original TTL, key tag, signer) and the canonical RRset. A change of
/// an RRset (or its TTL, or the key) is a different key, so nothing stale is ever served; an
/// RRset that did not change keeps its signature across serials. Bounded by octets: a two-way
/// set-associative table whose entries replace each other, so lookups take no lock and memory
/// stays at most <see cref="MaxBytes"/> (plus what stores racing on other threads add at once).
/// </summary>
public sealed class SignatureCache
{
    /// <summary>Octets an entry costs beyond its two arrays: the entry and two array headers.</summary>
    private const int Overhead = 40 + 2 * 24;

    /// <summary>The size an average entry is planned at (a PTR with its key and RRSIG), to choose the number of slots.</summary>
    private const int PlannedEntry = 256;

    /// <summary>Made at the first signature: a server without signed zones does not pay for it.</summary>
    private SignatureEntry?[]? _slots;
    private readonly int _size;
    private readonly int _mask;
    private long _bytes;
    private long _entries;
    private long _signatures;

    /// <param name="maxBytes">The most octets entries may take together.</param>
    public SignatureCache(long maxBytes)
    {
        MaxBytes = Math.Max(maxBytes, 64 * 1024);
        long slots = Math.Clamp(MaxBytes / PlannedEntry, 256, 1 << 26);
        _size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots);
        _mask = _size - 1;
    }

    /// <summary>The budget, in octets.</summary>
    public long MaxBytes { get; }

    /// <summary>Octets held now: entries and their arrays, not the slot table (<see cref="TableBytes"/>).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The slot table's own octets (a reference per slot).</summary>
    public long TableBytes => (long)(Volatile.Read(ref _slots)?.Length ?? 0) * IntPtr.Size;

    public long Entries => Interlocked.Read(ref _entries);

    /// <summary>Signatures made (cache misses and refreshes) since start.</summary>
    public long Signatures => Interlocked.Read(ref _signatures);

    internal SignatureEntry? Find(int hash, ReadOnlySpan<byte> key, long now)
    {
        var slots = Volatile.Read(ref _slots);
        if (slots is null)
            return null;
        int at = hash & _mask & ~1;
        for (int i = 0; i < 2; i++)
        {
            var e = Volatile.Read(ref slots[at + i]);
            if (e is not null && e.Hash == hash && e.RefreshAt > now && key.SequenceEqual(e.Key))
                return e;
        }
        return null;
    }

    internal void Store(SignatureEntry entry)
    {
        Interlocked.Increment(ref _signatures);
        var slots = Volatile.Read(ref _slots) ?? EnsureSlots();
        int at = entry.Hash & _mask & ~1;
        // An empty slot, else the one holding the same key (a refresh), else one chosen by the hash.
        int slot = at + ((entry.Hash >> 20) & 1);
        for (int i = 0; i < 2; i++)
        {
            var e = Volatile.Read(ref slots[at + i]);
            if (e is null || (e.Hash == entry.Hash && e.Key.AsSpan().SequenceEqual(entry.Key)))
            {
                slot = at + i;
                break;
            }
        }
        var current = Volatile.Read(ref slots[slot]);
        // Over budget, the signature is used for this answer and not kept.
        if (Interlocked.Read(ref _bytes) + entry.Size - (current?.Size ?? 0) > MaxBytes)
            return;
        var old = Interlocked.Exchange(ref slots[slot], entry);
        Interlocked.Add(ref _bytes, entry.Size - (old?.Size ?? 0));
        if (old is null)
            Interlocked.Increment(ref _entries);
    }

    /// <summary>Drops every entry (keys changed everywhere, or a test wants a cold cache).</summary>
    public void Clear()
    {
        var slots = Volatile.Read(ref _slots);
        if (slots is null)
            return;
        for (int i = 0; i < slots.Length; i++)
        {
            var old = Interlocked.Exchange(ref slots[i], null);
            if (old is not null)
            {
                Interlocked.Add(ref _bytes, -old.Size);
                Interlocked.Decrement(ref _entries);
            }
        }
    }

    private SignatureEntry?[] EnsureSlots()
    {
        Interlocked.CompareExchange(ref _slots, new SignatureEntry?[_size], null);
        return _slots;
    }

    internal static int SizeOf(int keyLength, int rrsigLength) => keyLength + rrsigLength + Overhead;
}

/// <summary>One signature: the octets it signs with its times zeroed (the key), the RRSIG RDATA, and when to make it anew.</summary>
internal sealed class SignatureEntry(int hash, byte[] key, byte[] rrsig, long refreshAt)
{
    public int Hash { get; } = hash;

    public byte[] Key { get; } = key;

    public byte[] Rrsig { get; } = rrsig;

    /// <summary>Unix seconds after which the signature is made again.</summary>
    public long RefreshAt { get; } = refreshAt;

    public int Size => SignatureCache.SizeOf(Key.Length, Rrsig.Length);
}
