using System.Buffers.Binary;
using System.Numerics;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>
/// Small IPv4 reverse zones kept as rows of one table instead of objects of their own. A store of
/// a hundred thousand /24s of a few PTRs each would otherwise hold a snapshot, an apex node, a
/// compact table, a layout and an origin per zone (about 450 octets, more than its PTRs); a row is
/// 58–66 (50 in its arrays, 8–16 in the lookup table): the /24, the bit set of its addresses, where its targets start in one shared array,
/// its serial and PTR TTL, and the number of its form (the SOA, serial aside, and the NS RRset,
/// shared by every zone that has the same).
/// <para>
/// A zone is a row when it is a canonical, lower-case <c>c.b.a.in-addr.arpa.</c>, holds nothing but
/// its SOA, its NS RRset and at most <see cref="CompactPtrTable.MaxRowEntries"/> address PTRs of
/// one TTL, has no history of changes, is not expired or signed, and no hosted zone lies below it
/// (see <see cref="IsRow"/>). Queries are answered from the row
/// (<see cref="Answer"/>); everything else (transfers, the API, a change) gets the zone as a
/// <see cref="ZoneSnapshot"/> made from its row (<see cref="Snapshot"/>), and a change makes the
/// zone a snapshot of its own, taken out of the rows (<see cref="Without"/>).
/// </para>
/// Immutable like the zone set; a set without some rows shares the arrays and marks them gone.
/// </summary>
internal sealed partial class SmallZones
{
    internal static readonly SmallZones Empty = new([], [], [0], [], [], [], [], [], [], null, 0);

    private static ReadOnlySpan<byte> InAddrArpa => [7, (byte)'i', (byte)'n', (byte)'-', (byte)'a', (byte)'d', (byte)'d', (byte)'r', 4, (byte)'a', (byte)'r', (byte)'p', (byte)'a', 0];

    /// <summary>Labels of a row's origin: three octets, <c>in-addr</c>, <c>arpa</c>.</summary>
    internal const int ApexLabels = 5;

    /// <summary>The SOA (its serial is each row's own) and NS RRset some rows share.</summary>
    private sealed class Form(RRset soa, RRset ns)
    {
        public readonly RRset Soa = soa;
        public readonly RRset Ns = ns;
        public readonly uint NegativeTtl = Math.Min(soa.Ttl, Rdata.SoaMinimum(soa.Data[0]));
        public readonly int SerialAt = SoaSerialOffset(soa.Data[0]);
    }

    // Per row, in ascending order of the /24: its top 24 bits, the bit set of its addresses (four
    // words), where its targets start in _targets (and end: the next row's start), its serial,
    // its PTRs' TTL, its form.
    private readonly uint[] _prefixes;
    private readonly ulong[] _sets;
    private readonly int[] _starts;
    private readonly byte[] _targets;
    private readonly uint[] _serials;
    private readonly uint[] _ttls;
    private readonly ushort[] _forms;
    private readonly Form[] _formTable;

    /// <summary>Rows by /24: open addressing, each slot a row number plus one (0: empty).</summary>
    private readonly int[] _slots;

    /// <summary>Rows taken out since the table was built (null: none).</summary>
    private readonly ulong[]? _removed;

    private SmallZones(uint[] prefixes, ulong[] sets, int[] starts, byte[] targets, uint[] serials, uint[] ttls, ushort[] forms, Form[] formTable, int[] slots, ulong[]? removed, int count)
    {
        _prefixes = prefixes;
        _sets = sets;
        _starts = starts;
        _targets = targets;
        _serials = serials;
        _ttls = ttls;
        _forms = forms;
        _formTable = formTable;
        _slots = slots;
        _removed = removed;
        Count = count;
    }

    /// <summary>Zones held as rows (those taken out not counted).</summary>
    public int Count { get; }

    /// <summary>Octets of the table's arrays.</summary>
    public long Bytes => _prefixes.Length * 4L + _sets.Length * 8L + _starts.Length * 4L + _targets.Length + _serials.Length * 4L + _ttls.Length * 4L + _forms.Length * 2L + _slots.Length * 4L + (_removed?.Length ?? 0) * 8L;

    /// <summary>
    /// Whether <paramref name="zone"/> can be a row (see the class summary; whether a zone lies
    /// below it and whether it is signed are the caller's to know), and its /24.
    /// </summary>
    internal static bool IsRow(ZoneSnapshot zone, out uint prefix)
    {
        prefix = 0;
        if (zone.Expired || zone.History.Count != 0 || zone.NodeCount != 1 || zone.HasWildcards || zone.HasCuts || zone.HasDnames)
            return false;
        if (zone.Reverse is not { Kind: Addressing.ZoneKind.Octet, Width: 32, HostBits: 8 } reverse)
            return false;
        prefix = (uint)(reverse.Network >> 8);
        Span<byte> origin = stackalloc byte[DnsName.MaxLength];
        int length = WriteOrigin(prefix, origin);
        // Case as stored: a row's origin is written from its address, in lower case.
        if (!zone.Apex.Name.AsSpan().SequenceEqual(origin[..length]) || !zone.Origin.Wire.SequenceEqual(origin[..length]))
            return false;
        var sets = zone.Apex.Sets;
        if (sets.Length != 2 || sets[0].Type != RecordType.NS || sets[1].Type != RecordType.SOA || !ReferenceEquals(sets[1], zone.Soa) || zone.Soa.Data.Length != 1)
            return false;
        var (table, hasCompact) = zone.CompactState;
        int count = 0;
        if (hasCompact)
        {
            Span<ulong> set = stackalloc ulong[4];
            if (table is null || !table.TryRowParts(set, out _, out _))
                return false;
            count = table.Count;
        }
        return zone.RecordCount == 1 + sets[0].Data.Length + count;
    }

    /// <summary>What a row is made of, from a zone's snapshot or from a row of an earlier table.</summary>
    private readonly record struct RowParts(uint Prefix, uint Serial, uint Ttl, ulong S0, ulong S1, ulong S2, ulong S3, byte[] Targets, int Start, int Length, RRset Soa, RRset Ns, ZoneSnapshot? Zone, SmallZones? From = null, int Row = -1)
    {
        /// <summary>The zone as a snapshot, for one the new table cannot take.</summary>
        public ZoneSnapshot Snapshot() => Zone ?? From!.Snapshot(Row, leaving: true);
    }

    private static RowParts PartsOf(uint prefix, ZoneSnapshot zone)
    {
        Span<ulong> set = stackalloc ulong[4];
        byte[] targets = [];
        uint ttl = 0;
        if (zone.CompactState.Table is { } table && table.TryRowParts(set, out var t, out uint tableTtl))
        {
            targets = t;
            ttl = tableTtl;
        }
        return new RowParts(prefix, zone.Serial, ttl, set[0], set[1], set[2], set[3], targets, 0, targets.Length, zone.Soa, zone.Apex.Sets[0], zone);
    }

    private RowParts PartsOf(int row)
    {
        var form = _formTable[_forms[row]];
        var set = _sets.AsSpan(row * 4, 4);
        return new RowParts(_prefixes[row], _serials[row], _ttls[row], set[0], set[1], set[2], set[3], _targets, _starts[row], _starts[row + 1] - _starts[row], form.Soa, form.Ns, null, this, row);
    }

    /// <summary>
    /// Rows of <paramref name="zones"/> (each of which <see cref="IsRow"/>, each /24 once): the
    /// table, and the zones it could not take (more forms than it can number).
    /// </summary>
    internal static (SmallZones Rows, List<ZoneSnapshot> Left) Build(IReadOnlyList<(uint Prefix, ZoneSnapshot Zone)> zones)
    {
        var parts = new RowParts[zones.Count];
        for (int i = 0; i < parts.Length; i++)
            parts[i] = PartsOf(zones[i].Prefix, zones[i].Zone);
        return Build(parts, []);
    }

    /// <summary>
    /// This table's rows and rows of <paramref name="zones"/> (each of which <see cref="IsRow"/>,
    /// none a /24 this table holds) in one new table, and the zones it could not take. The rows
    /// kept keep their forms' numbers: only the new zones' forms are looked up.
    /// </summary>
    internal (SmallZones Rows, List<ZoneSnapshot> Left) With(IReadOnlyList<(uint Prefix, ZoneSnapshot Zone)> zones)
    {
        var parts = new RowParts[Count + zones.Count];
        int n = 0;
        foreach (int row in Rows())
            parts[n++] = PartsOf(row);
        foreach (var (prefix, zone) in zones)
            parts[n++] = PartsOf(prefix, zone);
        return Build(parts, _formTable);
    }

    /// <summary>Form numbers by the SOA and NS RRset objects a row was made from (the same objects mostly: zones share them, rows of a table share their form's).</summary>
    private sealed class SameObjects : IEqualityComparer<(RRset Soa, RRset Ns)>
    {
        public static readonly SameObjects Instance = new();

        public bool Equals((RRset Soa, RRset Ns) x, (RRset Soa, RRset Ns) y) => ReferenceEquals(x.Soa, y.Soa) && ReferenceEquals(x.Ns, y.Ns);

        public int GetHashCode((RRset Soa, RRset Ns) value) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value.Soa), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value.Ns));
    }

    /// <param name="parts">The rows, in any order; sorted here, in place.</param>
    /// <param name="forms">Forms numbered already (an earlier table's), whose rows keep their numbers.</param>
    private static (SmallZones Rows, List<ZoneSnapshot> Left) Build(RowParts[] parts, Form[] forms)
    {
        var prefixesOf = new uint[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            prefixesOf[i] = parts[i].Prefix;
        Array.Sort(prefixesOf, parts);
        var left = new List<ZoneSnapshot>();
        // A form's key (its octets, serial aside) is made once per pair of RRset objects, not per row.
        var byObjects = new Dictionary<(RRset, RRset), ushort>(SameObjects.Instance);
        var byKey = new Dictionary<string, ushort>();
        var formTable = new List<Form>(forms);
        for (int f = 0; f < forms.Length; f++)
        {
            byObjects[(forms[f].Soa, forms[f].Ns)] = (ushort)f;
            byKey.TryAdd(FormKey(forms[f].Soa, forms[f].Ns), (ushort)f);
        }
        var formOf = new ushort[parts.Length];
        int n = 0;
        foreach (var row in parts)
        {
            if (!byObjects.TryGetValue((row.Soa, row.Ns), out ushort form))
            {
                string key = FormKey(row.Soa, row.Ns);
                if (!byKey.TryGetValue(key, out form))
                {
                    if (formTable.Count == ushort.MaxValue + 1)
                    {
                        left.Add(row.Snapshot());
                        continue;
                    }
                    form = (ushort)formTable.Count;
                    byKey[key] = form;
                    formTable.Add(new Form(row.Soa, row.Ns));
                }
                byObjects[(row.Soa, row.Ns)] = form;
            }
            formOf[n] = form;
            parts[n++] = row;
        }

        var prefixes = new uint[n];
        var sets = new ulong[n * 4];
        var starts = new int[n + 1];
        var serials = new uint[n];
        var ttls = new uint[n];
        Array.Resize(ref formOf, n);
        long total = 0;
        for (int r = 0; r < n; r++)
        {
            ref readonly var row = ref parts[r];
            prefixes[r] = row.Prefix;
            serials[r] = row.Serial;
            ttls[r] = row.Ttl;
            sets[r * 4] = row.S0;
            sets[r * 4 + 1] = row.S1;
            sets[r * 4 + 2] = row.S2;
            sets[r * 4 + 3] = row.S3;
            starts[r] = (int)total;
            total += row.Length;
        }
        starts[n] = (int)total;
        var all = new byte[total];
        for (int r = 0; r < n; r++)
            parts[r].Targets.AsSpan(parts[r].Start, parts[r].Length).CopyTo(all.AsSpan(starts[r]));

        var slots = new int[Math.Max(4, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, n) * 2))];
        for (int r = 0; r < n; r++)
        {
            int mask = slots.Length - 1;
            int s = Slot(prefixes[r], mask);
            while (slots[s] != 0)
                s = (s + 1) & mask;
            slots[s] = r + 1;
        }
        return (new SmallZones(prefixes, sets, starts, all, serials, ttls, formOf, [.. formTable], slots, null, n), left);
    }

    private static string FormKey(RRset soa, RRset ns)
    {
        var key = new List<byte>();
        void Add(uint value) => key.AddRange(BitConverter.GetBytes(value));
        Add(soa.Ttl);
        var rdata = Rdata.WithSoaSerial(soa.Data[0], 0);
        Add((uint)rdata.Length);
        key.AddRange(rdata);
        Add(ns.Ttl);
        foreach (var data in ns.Data)
        {
            Add((uint)data.Length);
            key.AddRange(data);
        }
        return Convert.ToBase64String(key.ToArray());
    }

    private static int Slot(uint prefix, int mask) => (int)((prefix * 0x9E3779B1u) >> 8) & mask;

    private static int SoaSerialOffset(ReadOnlySpan<byte> soa) => soa.Length - 20;

    /// <summary>The row of /24 <paramref name="prefix"/>, or -1.</summary>
    private int RowOf(uint prefix)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        int s = Slot(prefix, mask);
        while (true)
        {
            int r = slots[s] - 1;
            if (r < 0)
                return -1;
            if (_prefixes[r] == prefix)
                return _removed is { } removed && (removed[r >> 6] >> (r & 63) & 1) != 0 ? -1 : r;
            s = (s + 1) & mask;
        }
    }

    /// <summary>
    /// The row whose zone holds <paramref name="name"/> (a name ending in a row's origin), and
    /// where in the name its origin starts; false when no row does.
    /// </summary>
    internal bool TryFind(ReadOnlySpan<byte> name, out int row, out int apexAt)
    {
        row = -1;
        apexAt = 0;
        if (Count == 0 || !TryPrefix(name, out uint prefix, out apexAt))
            return false;
        row = RowOf(prefix);
        return row >= 0;
    }

    /// <summary>
    /// The /24 whose origin <paramref name="name"/> ends in (<c>c.b.a.in-addr.arpa.</c>, canonical
    /// octets, any case), and where in the name that origin starts; false for any other name.
    /// </summary>
    internal static bool TryPrefix(ReadOnlySpan<byte> name, out uint prefix, out int apexAt)
    {
        prefix = 0;
        apexAt = 0;
        if (name.Length < InAddrArpa.Length + 6)
            return false;
        int labels = WireName.CountLabels(name);
        if (labels < ApexLabels)
            return false;
        int at = WireName.SkipLabels(name, labels - ApexLabels);
        apexAt = at;
        for (int i = 0; i < 3; i++)
        {
            int length = name[at];
            if (!Synthesis.ReverseZoneInfo.TryOctet(name.Slice(at + 1, length), out int octet))
                return false;
            prefix |= (uint)octet << (8 * i);
            at += 1 + length;
        }
        return WireName.EqualsIgnoreCase(name[at..], InAddrArpa);
    }

    /// <summary>
    /// The address octet <paramref name="name"/> names below its row's /24 (its origin at
    /// <paramref name="apexAt"/>, see <see cref="TryPrefix"/>): one canonical octet label right
    /// above the origin; -1 for any other name.
    /// </summary>
    internal static int AddressOctet(ReadOnlySpan<byte> name, int apexAt) =>
        1 + name[0] == apexAt && Synthesis.ReverseZoneInfo.TryOctet(name.Slice(1, name[0]), out int octet) ? octet : -1;

    /// <summary>The row of the zone named <paramref name="origin"/> (any case), or -1.</summary>
    internal int RowOf(ReadOnlySpan<byte> origin) =>
        TryFind(origin, out int row, out int apexAt) && apexAt == 0 ? row : -1;

    /// <summary>The row of the /24 a name below it lies in (a zone hosted below a row's), or -1.</summary>
    internal int RowAbove(ReadOnlySpan<byte> name) =>
        TryFind(name, out int row, out int apexAt) && apexAt > 0 ? row : -1;

    /// <summary>Every row still held.</summary>
    internal IEnumerable<int> Rows()
    {
        for (int r = 0; r < _prefixes.Length; r++)
        {
            if (_removed is not { } removed || (removed[r >> 6] >> (r & 63) & 1) == 0)
                yield return r;
        }
    }

    /// <summary>This table without <paramref name="rows"/>; the arrays are shared.</summary>
    internal SmallZones Without(IReadOnlyCollection<int> rows)
    {
        if (rows.Count == 0)
            return this;
        var removed = _removed is null ? new ulong[(_prefixes.Length + 63) / 64] : (ulong[])_removed.Clone();
        int count = Count;
        foreach (int r in rows)
        {
            ulong bit = 1UL << (r & 63);
            if ((removed[r >> 6] & bit) == 0)
            {
                removed[r >> 6] |= bit;
                count--;
            }
        }
        return new SmallZones(_prefixes, _sets, _starts, _targets, _serials, _ttls, _forms, _formTable, _slots, removed, count);
    }

    /// <summary>Whether two snapshots were made from the same row of the same table (the same zone, unchanged).</summary>
    internal bool SameTable(SmallZones other) => ReferenceEquals(_prefixes, other._prefixes);

    internal uint SerialOf(int row) => _serials[row];

    /// <summary>The sum of every row's serial still held (see <see cref="ZoneSet.SerialSum"/>).</summary>
    internal long SerialSum()
    {
        long sum = 0;
        foreach (int row in Rows())
            sum += _serials[row];
        return sum;
    }

    internal int RecordCountOf(int row) => 1 + _formTable[_forms[row]].Ns.Data.Length + PtrCount(row);

    internal int PtrCount(int row)
    {
        int count = 0;
        for (int i = 0; i < 4; i++)
            count += BitOperations.PopCount(_sets[row * 4 + i]);
        return count;
    }

    /// <summary>The SOA EXPIRE of a row's zone (RFC 7314).</summary>
    internal uint SoaExpireOf(int row) => Rdata.SoaExpire(_formTable[_forms[row]].Soa.Data[0]);

    /// <summary>Writes the origin of /24 <paramref name="prefix"/> in wire form (lower case); returns its length.</summary>
    private static int WriteOrigin(uint prefix, Span<byte> to)
    {
        int pos = 0;
        for (int i = 0; i < 3; i++)
            pos += Synthesis.ReverseZoneInfo.WriteDecimal(to[pos..], (int)(prefix >> (8 * i)) & 0xFF);
        InAddrArpa.CopyTo(to[pos..]);
        return pos + InAddrArpa.Length;
    }

    internal DnsName OriginOf(int row)
    {
        Span<byte> origin = stackalloc byte[DnsName.MaxLength];
        int length = WriteOrigin(_prefixes[row], origin);
        return DnsName.FromWireArray(origin[..length].ToArray());
    }

    /// <summary>
    /// The zone of <paramref name="row"/> as a snapshot of its own (for everything but queries),
    /// marked as made from the row unless it is to leave the rows (<paramref name="leaving"/>).
    /// </summary>
    internal ZoneSnapshot Snapshot(int row) => Snapshot(row, leaving: false);

    internal ZoneSnapshot Snapshot(int row, bool leaving)
    {
        var form = _formTable[_forms[row]];
        var origin = OriginOf(row);
        var soa = form.Soa;
        if (Rdata.SoaSerial(soa.Data[0]) != _serials[row])
            soa = new RRset(RecordType.SOA, soa.Ttl, [Rdata.WithSoaSerial(soa.Data[0], _serials[row])]);
        var apex = new ZoneNode(origin.Wire.ToArray(), origin.LabelCount, [form.Ns, soa]);
        var layout = Synthesis.ReverseZoneInfo.For(origin)!;
        CompactPtrs? compact = null;
        int count = PtrCount(row);
        if (count > 0)
        {
            var table = CompactPtrTable.FromRow(AddressSpace.Of(layout), _sets.AsSpan(row * 4, 4), _targets.AsSpan(_starts[row], _starts[row + 1] - _starts[row]).ToArray(), _ttls[row]);
            compact = CompactPtrs.Of(table, table.Space);
        }
        var nodes = NameMap<ZoneNode>.Empty.SetItem(apex.Name, apex);
        return ZoneSnapshot.Create(DnsName.FromWireArray(apex.Name), nodes, apex, soa, false, false, false, RecordCountOf(row), compact, layout, leaving ? null : new ZoneSnapshot.RowSource(this, row));
    }

    /// <summary>The SOA RDATA of <paramref name="row"/>'s zone: its form's, with the row's serial.</summary>
    private void WriteSoa(Form form, int row, Span<byte> to)
    {
        form.Soa.Data[0].CopyTo(to);
        BinaryPrimitives.WriteUInt32BigEndian(to[form.SerialAt..], _serials[row]);
    }

    /// <summary>
    /// Answers <paramref name="qname"/>/<paramref name="qtype"/> from the zone of
    /// <paramref name="row"/> (found by <see cref="TryFind"/>, its origin at
    /// <paramref name="apexAt"/> in the name) exactly as <see cref="AuthoritativeAnswer"/> answers
    /// from the zone's snapshot: the apex's SOA and NS (ANY: the NS RRset, RFC 8482), an address's
    /// PTR, a pool's default name where the zone has none, NODATA and NXDOMAIN with the SOA.
    /// Unsigned, as a row's zone is. Allocates nothing.
    /// </summary>
    internal AnswerOutcome Answer(int row, int apexAt, Synthesis.DefaultNames defaults, ReadOnlySpan<byte> qname, RecordType qtype, ref DnsMessageWriter w, bool limitSize)
    {
        var form = _formTable[_forms[row]];
        // The SOA with the row's serial, made only for the answers that carry it.
        Span<byte> soa = stackalloc byte[form.Soa.Data[0].Length];
        AnswerState state;
        if (apexAt == 0)
        {
            // The apex: its two RRsets, types in ascending order (NS first, as ANY takes it).
            if (qtype is RecordType.NS or RecordType.ANY)
            {
                if (!AuthoritativeAnswer.TryPut(ref w, Section.Answer, qname, form.Ns))
                    return new AnswerOutcome(AnswerState.Hit, true, limitSize);
                return new AnswerOutcome(AnswerState.Hit, true, false);
            }
            if (qtype == RecordType.SOA)
            {
                WriteSoa(form, row, soa);
                if (!AuthoritativeAnswer.TryPutOne(ref w, qname, RecordType.SOA, form.Soa.Ttl, soa, null))
                    return new AnswerOutcome(AnswerState.Hit, true, limitSize);
                return new AnswerOutcome(AnswerState.Hit, true, false);
            }
            state = AnswerState.NoData;
        }
        else
        {
            // An address is one canonical octet label below the apex; its PTR's place is its rank in the bit set.
            int octet = AddressOctet(qname, apexAt), rank = -1;
            if (octet >= 0)
            {
                rank = CompactPtrTable.RankIn(_sets.AsSpan(row * 4, 4), octet, out bool present);
                if (!present)
                    rank = -1;
            }
            if (rank >= 0)
            {
                if (qtype is not (RecordType.PTR or RecordType.ANY))
                {
                    state = AnswerState.NoData;
                }
                else
                {
                    Span<byte> target = stackalloc byte[DnsName.MaxLength];
                    int length = CompactPtrTable.TargetAfter(_targets, _starts[row], rank, target);
                    if (!AuthoritativeAnswer.TryPutOne(ref w, qname, RecordType.PTR, _ttls[row], target[..length], null, tableName: true))
                        return new AnswerOutcome(AnswerState.Hit, true, limitSize);
                    return new AnswerOutcome(AnswerState.Hit, true, false);
                }
            }
            else
            {
                state = AnswerState.NxDomain;
                if (octet >= 0 && !defaults.IsEmpty)
                {
                    var address = new Addressing.IpAddress(Addressing.IpFamily.V4, (UInt128)(_prefixes[row] << 8 | (uint)octet));
                    var result = Synthesis.DefaultAnswer.TryWriteAddress(defaults, address, qname, qtype, ref w, null, out _);
                    if (result == Synthesis.DefaultAnswer.Result.Truncated)
                        return new AnswerOutcome(AnswerState.Hit, true, limitSize);
                    if (result == Synthesis.DefaultAnswer.Result.Answered)
                        return new AnswerOutcome(AnswerState.Hit, true, false, Synthesized: true);
                    if (result == Synthesis.DefaultAnswer.Result.NoData)
                        state = AnswerState.NoData;
                }
            }
        }
        // Negative: the SOA with the negative TTL (RFC 2308 §3), owned by the origin as stored.
        Span<byte> origin = stackalloc byte[DnsName.MaxLength];
        int originLength = WriteOrigin(_prefixes[row], origin);
        WriteSoa(form, row, soa);
        w.TryWriteRecord(Section.Authority, origin[..originLength], RecordType.SOA, RecordClass.IN, form.NegativeTtl, soa);
        return new AnswerOutcome(state, true, false);
    }
}

/// <summary>A zone kept as a row of <see cref="SmallZones"/>, found for a query (see <see cref="ZoneSet.FindAnswering(ReadOnlySpan{byte}, RecordType, out SmallZoneMatch)"/>).</summary>
public readonly struct SmallZoneMatch
{
    private readonly SmallZones? _rows;
    private readonly int _row;
    private readonly int _apexAt;

    internal SmallZoneMatch(SmallZones rows, int row, int apexAt)
    {
        _rows = rows;
        _row = row;
        _apexAt = apexAt;
    }

    public bool Found => _rows is not null;

    /// <summary>How many octets at the end of the question's name are the zone's origin.</summary>
    public int OriginLength(ReadOnlySpan<byte> qname) => qname.Length - _apexAt;

    /// <summary>The zone's SOA EXPIRE (RFC 7314).</summary>
    public uint SoaExpire => _rows!.SoaExpireOf(_row);

    /// <summary>The zone as a snapshot of its own (allocates: not for the query path).</summary>
    public ZoneSnapshot Snapshot() => _rows!.Snapshot(_row);

    /// <summary>Answers the question the match was found for (see <see cref="SmallZones.Answer"/>); allocates nothing.</summary>
    public AnswerOutcome Write(Synthesis.DefaultNames defaults, ReadOnlySpan<byte> qname, RecordType qtype, ref DnsMessageWriter w, bool limitSize) =>
        _rows!.Answer(_row, _apexAt, defaults, qname, qtype, ref w, limitSize);
}
