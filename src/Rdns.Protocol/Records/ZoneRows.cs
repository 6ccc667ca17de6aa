using System.Collections;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Records;

/// <summary>
/// The records of one zone as octets: each record's owner and RDATA side by side in chunks of up to 1 MiB,
/// and one small struct per record for the rest. A zone file of a million records is read into
/// this as it is parsed, so the parser's objects die young and nothing per record outlives the
/// line it came from; the zone builder and the store's bulk insert read the octets straight from
/// here. As a list of <see cref="ResourceRecord"/> it makes each record on demand, for the paths
/// that want objects.
/// </summary>
public sealed class ZoneRows : IReadOnlyList<ResourceRecord>
{
    private const int ChunkSize = 1 << 20;
    private const int FirstChunkSize = 4096;

    private readonly record struct Row(int Chunk, int Offset, byte OwnerLength, ushort DataLength, RecordType Type, RecordClass Class, uint Ttl);

    private readonly List<byte[]> _chunks = [];
    private int _used;
    private Row[] _rows = new Row[16];

    public int Count { get; private set; }

    /// <summary>Adds a record given as octets (an owner in wire form, RDATA of at most 65,535 octets).</summary>
    public void Add(ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
    {
        if (owner.Length is 0 or > DnsName.MaxLength)
            throw new ArgumentException("an owner name is 1 to 255 octets", nameof(owner));
        if (data.Length > ushort.MaxValue)
            throw new ArgumentException($"RDATA of {DnsName.FromWire(owner)} {RecordTypeText.ToText(type)} is longer than 65535 octets", nameof(data));
        int size = owner.Length + data.Length;
        if (_chunks.Count == 0 || _used + size > _chunks[^1].Length)
        {
            // Small zones stay small: chunks grow from 4 KiB to 1 MiB.
            int length = _chunks.Count == 0 ? FirstChunkSize : Math.Min(ChunkSize, _chunks[^1].Length * 2);
            _chunks.Add(new byte[Math.Max(length, size)]);
            _used = 0;
        }
        var chunk = _chunks[^1];
        owner.CopyTo(chunk.AsSpan(_used));
        data.CopyTo(chunk.AsSpan(_used + owner.Length));
        if (Count == _rows.Length)
            Array.Resize(ref _rows, _rows.Length * 2);
        _rows[Count++] = new Row(_chunks.Count - 1, _used, (byte)owner.Length, (ushort)data.Length, type, cls, ttl);
        _used += size;
    }

    /// <summary>The records of a list, as rows (the list itself when it is rows already).</summary>
    public static ZoneRows From(IReadOnlyList<ResourceRecord> records)
    {
        if (records is ZoneRows rows)
            return rows;
        rows = new ZoneRows();
        foreach (var r in records)
            rows.Add(r);
        return rows;
    }

    /// <summary>Appends every row of <paramref name="other"/> (its octets are shared, not copied); <paramref name="other"/> must not change afterwards.</summary>
    public void AddRange(ZoneRows other)
    {
        int chunkBase = _chunks.Count;
        _chunks.AddRange(other._chunks);
        // New rows go into a fresh chunk, never into one of other's.
        _used = int.MaxValue / 2;
        if (Count + other.Count > _rows.Length)
            Array.Resize(ref _rows, Math.Max(Count + other.Count, _rows.Length * 2));
        for (int i = 0; i < other.Count; i++)
        {
            var row = other._rows[i];
            _rows[Count++] = row with { Chunk = row.Chunk + chunkBase };
        }
    }

    public void Add(ResourceRecord record) => Add(record.Owner.Wire, record.Type, record.Class, record.Ttl, record.Data);

    public ReadOnlySpan<byte> Owner(int index)
    {
        var row = At(index);
        return _chunks[row.Chunk].AsSpan(row.Offset, row.OwnerLength);
    }

    public ReadOnlySpan<byte> Data(int index)
    {
        var row = At(index);
        return _chunks[row.Chunk].AsSpan(row.Offset + row.OwnerLength, row.DataLength);
    }

    /// <summary>
    /// Asks the processor to start fetching what reading row <paramref name="index"/> will touch:
    /// its entry, and with <paramref name="octets"/> its owner and RDATA too (which needs the entry,
    /// so ask for it first, some rows earlier). For reads in an order other than the rows' own (the
    /// store's index order), where every row would otherwise wait on memory. A hint only: an index
    /// out of range is ignored.
    /// </summary>
    public unsafe void Prefetch(int index, bool octets)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (uint)index >= (uint)Count)
            return;
        ref var row = ref _rows[index];
        if (!octets)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref row));
            return;
        }
        // The array may move before the hint is taken; a hint at a stale address does no harm.
        ref byte first = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_chunks[row.Chunk]);
        System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.CompilerServices.Unsafe.Add(ref first, row.Offset)));
    }

    public RecordType Type(int index) => At(index).Type;

    public RecordClass Class(int index) => At(index).Class;

    public uint Ttl(int index) => At(index).Ttl;

    private Row At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _rows[index];
    }

    /// <summary>The record at <paramref name="index"/>, made now.</summary>
    public ResourceRecord this[int index] =>
        new(DnsName.FromWire(Owner(index)), Type(index), Class(index), Ttl(index), Data(index).ToArray());

    public IEnumerator<ResourceRecord> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
