using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Rdns.Zones;

/// <summary>
/// Prefetching across a batch of queries received together: before the batch is answered, each
/// query's zone, compact table and table entry are fetched from memory in a few passes over the
/// batch, one level of the chain per pass, so the loads of all the queries overlap instead of each
/// query waiting on its chain alone (a zone, its table, the table's index, its targets: in a store
/// of a hundred thousand zones each is usually a cache miss). Only hints: nothing is decided here,
/// and a wrong guess (a view answering from other zones, a change published meanwhile) costs only
/// the loads. One per receive loop; allocates nothing after construction. x86-64 only (elsewhere
/// <see cref="IsSupported"/> is false and the caller skips it).
/// </summary>
public sealed class ZonePrefetch
{
    /// <summary>
    /// Passes over the batch: the zone's slot, the zone, its table and layout, the entry's index
    /// (a table of one-octet keys) or the key's bucket, the bucket's keys, the entry found among
    /// them, the entry's target. For a zone kept as a row (<see cref="SmallZones"/>), which is
    /// looked for first: the row's slot, the row's parts, its targets, where the entry's suffix
    /// is kept, the suffix's octets.
    /// </summary>
    public const int Passes = 7;

    private readonly int[] _nameLengths;
    /// <summary>Each query's name read as an address once (pass 0), for the passes after it; valid where <see cref="_reverse"/> is set.</summary>
    private readonly AddressZones.Address[] _addresses;
    private readonly bool[] _reverse;
    /// <summary>Where a name read in pass 0 had labels below the ones read as its address.</summary>
    private readonly bool[] _rest;
    private readonly ZoneSnapshot?[] _zones;
    private readonly CompactPtrTable?[] _tables;
    private readonly int[] _entries;
    /// <summary>Each query's full-width key in its zone's compact table (pass 3), valid where <see cref="_hasKey"/> is set.</summary>
    private readonly UInt128[] _keys;
    private readonly bool[] _hasKey;
    /// <summary>Each query's /24 where the set has rows (pass 0), valid where <see cref="_rows"/> is not <see cref="NotRow"/>.</summary>
    private readonly uint[] _prefixes;
    /// <summary>Each query's address octet below its /24, or -1 (a name that is not one address below it).</summary>
    private readonly int[] _octets;
    /// <summary>Each query's row: <see cref="NotRow"/>, <see cref="RowGuessed"/> (its slot prefetched), or the row found (pass 2).</summary>
    private readonly int[] _rows;
    /// <summary>Each query's PTR target suffix number in its row (pass 3), or -1.</summary>
    private readonly int[] _suffixes;
    private const int NotRow = -1, RowGuessed = -2;
    private ZoneSet _set = ZoneSet.Empty;

    public ZonePrefetch(int capacity)
    {
        _nameLengths = new int[capacity];
        _addresses = new AddressZones.Address[capacity];
        _reverse = new bool[capacity];
        _rest = new bool[capacity];
        _zones = new ZoneSnapshot?[capacity];
        _tables = new CompactPtrTable?[capacity];
        _entries = new int[capacity];
        _keys = new UInt128[capacity];
        _hasKey = new bool[capacity];
        _prefixes = new uint[capacity];
        _octets = new int[capacity];
        _rows = new int[capacity];
        _suffixes = new int[capacity];
    }

    public static bool IsSupported => Sse.IsSupported;

    /// <summary>Starts a batch answered from <paramref name="zones"/>.</summary>
    public void Begin(ZoneSet zones)
    {
        _set = zones;
        _byAddress = zones.Addresses.HasZones;
        _byRow = zones.RowCount != 0;
        // Nothing to find by address or row: the passes do nothing.
        _idle = !_byAddress && !_byRow;
    }

    private bool _idle, _byAddress, _byRow;

    /// <summary>Pass <paramref name="pass"/> (0 to <see cref="Passes"/> − 1, each over the whole batch in turn) for query <paramref name="i"/>.</summary>
    public void Step(int pass, int i, ReadOnlySpan<byte> query)
    {
        if (_idle)
            return;
        switch (pass)
        {
            case 0:
                _zones[i] = null;
                _tables[i] = null;
                _entries[i] = -1;
                _rows[i] = NotRow;
                _suffixes[i] = -1;
                _nameLengths[i] = QuestionNameLength(query);
                _reverse[i] = _byAddress && _nameLengths[i] > 0 && AddressZones.TryRead(query.Slice(12, _nameLengths[i]), out _addresses[i], out _rest[i]);
                if (_reverse[i])
                    _set.Addresses.PrefetchSlot(_addresses[i]);
                if (_byRow && _nameLengths[i] > 0)
                    GuessRow(i, query.Slice(12, _nameLengths[i]));
                return;
            case 1:
                if (_rows[i] == RowGuessed)
                    _set.Rows.PrefetchRow(_prefixes[i]);
                if (_reverse[i] && _set.Addresses.TryFind(_addresses[i], -1, out var zone) && zone is not null)
                {
                    _zones[i] = zone;
                    Prefetch.Object(zone);
                }
                return;
            case 2:
                // A row is looked for first and is the answer when found: the zone by address is not.
                if (_rows[i] == RowGuessed && (_rows[i] = _set.Rows.PrefetchTargets(_prefixes[i])) >= 0)
                    _zones[i] = null;
                if (_zones[i] is { } z && z.CompactState.Table is { } table)
                {
                    _tables[i] = table;
                    Prefetch.Object(table);
                    Prefetch.Object(z.Layout);
                }
                return;
            case 3:
                if (_rows[i] >= 0 && _octets[i] >= 0 && (_suffixes[i] = _set.Rows.SuffixOf(_rows[i], _octets[i])) >= 0)
                    TargetSuffixes.PrefetchLocation(_suffixes[i]);
                _hasKey[i] = false;
                if (_zones[i] is { CompactState.HasCompact: true } compactZone && compactZone.Layout is { } layout
                    && KeyIn(layout, i, query, out var key))
                {
                    _keys[i] = key;
                    _hasKey[i] = true;
                    if (_tables[i] is { } t)
                        _entries[i] = t.PrefetchEntry(key);
                }
                return;
            case 4:
                if (_suffixes[i] >= 0)
                    TargetSuffixes.PrefetchSuffix(_suffixes[i]);
                if (_entries[i] < 0 && _hasKey[i] && _tables[i] is { } bucketed)
                    bucketed.PrefetchKeys(_keys[i]);
                return;
            case 5:
                if (_entries[i] < 0 && _hasKey[i] && _tables[i] is { } searched)
                    _entries[i] = searched.PrefetchFound(_keys[i]);
                return;
            default:
                if (_entries[i] >= 0)
                    _tables[i]!.PrefetchTarget(_entries[i]);
                return;
        }
    }

    /// <summary>
    /// Query <paramref name="i"/>'s full-width key in the compact table of its zone, whose layout
    /// is <paramref name="layout"/>: in a zone of whole IPv4 octets, the address pass 0 read (the
    /// zone was found by it, so its apex is the address's first octets and the layout would read
    /// the same value from the labels below); otherwise read by the layout.
    /// </summary>
    private bool KeyIn(Synthesis.ReverseZoneInfo layout, int i, ReadOnlySpan<byte> query, out UInt128 key)
    {
        if (layout.Kind == Rdns.Addressing.ZoneKind.Octet && layout.Width == 32 && AddressZones.TryWholeV4(_addresses[i], _rest[i], out uint address))
        {
            key = address;
            return true;
        }
        return layout.TryRead(query.Slice(12, _nameLengths[i]), out key, out int bits) && bits == layout.Width;
    }

    /// <summary>
    /// What the passes found for query <paramref name="i"/>, for its answer (between the last pass
    /// and <see cref="End"/>): its zone, when found by address in a set without zones kept as rows
    /// (a row is looked for before the address table, and the passes do not), and its key.
    /// </summary>
    public PrefetchedQuery Found(int i)
    {
        if (_zones[i] is not { } zone || _set.RowCount != 0)
            return default;
        return new PrefetchedQuery(_set, _nameLengths[i], zone, _hasKey[i], _keys[i], _entries[i]);
    }

    /// <summary>What the passes took query <paramref name="i"/>'s row and PTR target suffix to be (-1: none), for tests.</summary>
    internal (int Row, int Suffix) RowFound(int i) => (_rows[i], _suffixes[i]);

    /// <summary>Ends the batch: its zones are no longer held here.</summary>
    public void End()
    {
        Array.Clear(_zones);
        Array.Clear(_tables);
        _set = ZoneSet.Empty;
    }

    /// <summary>
    /// Pass 0 for a set with rows: the /24 <paramref name="name"/> ends in (its row's slot
    /// prefetched) and the address octet below it, if it is one.
    /// </summary>
    private void GuessRow(int i, ReadOnlySpan<byte> name)
    {
        if (!SmallZones.TryPrefix(name, out uint prefix, out int apexAt))
            return;
        _prefixes[i] = prefix;
        _octets[i] = SmallZones.AddressOctet(name, apexAt);
        _rows[i] = RowGuessed;
        _set.Rows.PrefetchSlot(prefix);
    }

    /// <summary>The length of a query's one uncompressed question name, or 0.</summary>
    private static int QuestionNameLength(ReadOnlySpan<byte> query)
    {
        if (query.Length < 12 + 5 || BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1)
            return 0;
        int pos = 12;
        while (pos < query.Length)
        {
            int length = query[pos];
            if (length == 0)
                return pos + 1 - 12;
            if (length > 63 || pos + 1 + length - 12 >= 255)
                return 0;
            pos += 1 + length;
        }
        return 0;
    }
}

/// <summary>Prefetch hints (x86-64's PREFETCHT0); nothing on other processors.</summary>
internal static unsafe class Prefetch
{
    /// <summary>The first cache line of <paramref name="o"/>'s fields.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Object(object? o)
    {
        if (Sse.IsSupported && o is not null)
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.As<StrongBox<byte>>(o).Value)); // the first field, whatever the type
    }

    /// <summary>The cache line of element <paramref name="i"/> of <paramref name="array"/> (when it has one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Element<T>(T[] array, int i)
    {
        if (Sse.IsSupported && (uint)i < (uint)array.Length)
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), i)));
    }
}
