using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Protocol.Wire;

/// <summary>
/// Writes the long answer-only messages of a zone transfer (RFC 5936 §2.2) one after another into
/// one reused buffer, compressing every name against every name already in the message that a
/// pointer can reach (RFC 1035 §4.1.4: offsets below 16 KiB). <see cref="DnsMessageWriter"/>
/// remembers 64 names for short answers; a transfer message holds thousands of records, so here
/// each suffix is found through a hash table instead, and a record costs the same whatever the
/// message already holds. Matching is exact (case-sensitive), so what is sent is what is stored.
/// </summary>
public sealed partial class BulkMessageWriter
{
    private const int Slots = 8192;
    private const int MaxEntries = Slots / 2;
    private const int PointerReach = 0x4000;
    private const int MaxLabels = 128;

    private readonly byte[] _buffer;
    private readonly int _capacity;
    // One 64-bit slot per remembered suffix, read in one access: generation (16 bits, a slot of
    // another generation is free), offset (16) and hash (32).
    private readonly ulong[] _slots = new ulong[Slots];
    private readonly uint[] _suffixHashes = new uint[MaxLabels];
    private readonly int[] _labelStarts = new int[MaxLabels];
    private int _generation;
    private int _entries;
    // The owner name TryAddPtr wrote last, below its first label: octets, suffix hash, and the
    // offset a pointer to it uses (-1: none known, so the next owner takes the general path;
    // CopyParent: written out but not remembered, past pointer reach or with the table full, so
    // nothing more is remembered in this message: the octets written for it then are copied).
    private const int CopyParent = -2;
    private readonly byte[] _parent = new byte[DnsName.MaxLength];
    private int _parentLength;
    private uint _parentHash;
    private int _parentOffset = -1;
    private int _parentCopyAt;
    private int _parentCopyLength;
    // What the last TryWriteName did: where the name starts, the label its pointer replaces
    // (its label count when written whole) and the pointer's offset.
    private int _nameAt;
    private int _nameMatched;
    private int _nameMatchOffset;
    private int _nameLabels;
    // How many of the suffixes it wrote out (from its first label on) it remembered.
    private int _nameRemembered;
    private int _limit;
    private int _pos;
    private DnsHeader _header;

    /// <param name="buffer">Where every message is written, from offset 0.</param>
    /// <param name="capacity">The largest message (at most the buffer's length).</param>
    public BulkMessageWriter(byte[] buffer, int capacity)
    {
        _buffer = buffer;
        _capacity = Math.Min(capacity, buffer.Length);
    }

    public byte[] Buffer => _buffer;

    /// <summary>Records in the message begun last.</summary>
    public int AnswerCount => _header.AnCount;

    /// <summary>
    /// Starts a message: header fields, <paramref name="reserve"/> octets kept free at the end (for
    /// a TSIG record) and, in the first message of a transfer, the question.
    /// </summary>
    public void Begin(ushort id, ushort flags, int reserve, scoped ReadOnlySpan<byte> questionName, RecordType qtype, RecordClass qclass)
    {
        _header = new DnsHeader { Id = id, Flags = flags };
        _pos = DnsHeader.Size;
        _limit = Math.Max(_pos, _capacity - reserve);
        _entries = 0;
        _parentOffset = -1;
        NextGeneration();
        if (!questionName.IsEmpty)
        {
            if (!TryWriteName(questionName) || _pos + 4 > _limit)
                throw new InvalidOperationException("the question does not fit a transfer message");
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_pos), (ushort)qtype);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_pos + 2), (ushort)qclass);
            _pos += 4;
            _header.QdCount = 1;
        }
    }

    /// <summary>Appends one answer record; false (and the message unchanged) when it does not fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(scoped ReadOnlySpan<byte> owner, RecordType type, uint ttl, scoped ReadOnlySpan<byte> data)
    {
        int mark = _pos, entries = _entries;
        if (!TryWriteName(owner) || !TryWriteFixed(type, ttl))
            return Undo(mark, entries);
        int dataStart = _pos;
        if (!TryWriteData(type, data))
            return Undo(mark, entries);
        EndRecord(dataStart);
        return true;
    }

    /// <summary>Writes the header with the final counts; returns the message length.</summary>
    public int Finish()
    {
        _header.Write(_buffer);
        return _pos;
    }

    /// <summary>
    /// Appends one PTR record whose target is a valid uncompressed wire name (as a zone's compact
    /// table holds it); false (and the message unchanged) when it does not fit. Owners that follow
    /// one another in address order share everything below their first label: when this owner's
    /// rest equals the last one's, its suffix is not hashed and looked up again, and the message
    /// is the one <see cref="TryAdd"/> writes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAddPtr(scoped ReadOnlySpan<byte> owner, uint ttl, scoped ReadOnlySpan<byte> target)
    {
        int mark = _pos, entries = _entries;
        if (!TryWriteOwner(owner) || !TryWriteFixed(RecordType.PTR, ttl))
            return Undo(mark, entries);
        int dataStart = _pos;
        if (!TryWriteName(target))
            return Undo(mark, entries);
        EndRecord(dataStart);
        return true;
    }

    private void NextGeneration()
    {
        if (++_generation == ushort.MaxValue)
        {
            Array.Clear(_slots);
            Array.Clear(_suffixGenerations);
            _generation = 1;
        }
    }

    /// <summary>A record's type, class IN, TTL and a place for its RDATA length (filled by <see cref="EndRecord"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryWriteFixed(RecordType type, uint ttl)
    {
        if (_pos + 10 > _limit)
            return false;
        var span = _buffer.AsSpan(_pos);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)RecordClass.IN);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], ttl);
        _pos += 10;
        return true;
    }

    /// <summary>The RDATA that began at <paramref name="dataStart"/> is written: its length goes before it, and the record counts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EndRecord(int dataStart)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(dataStart - 2), (ushort)(_pos - dataStart));
        _header.AnCount++;
    }

    /// <summary>An owner name: through the last owner's rest when it is the same, else as any name.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryWriteOwner(scoped ReadOnlySpan<byte> name)
    {
        int first = 1 + name[0];
        if (name[0] != 0 && _parentOffset != -1 && name.Length - first == _parentLength
            && name[first..].SequenceEqual(_parent.AsSpan(0, _parentLength)))
        {
            // The same steps as TryWriteName with the rest's hash known: the whole name first
            // (an earlier record may have this owner), else a pointer to the rest (or its copy).
            uint h = Mix(_parentHash, name, 0);
            int whole = Find(h, name);
            int at = _pos;
            if (whole >= 0)
            {
                if (at + 2 > _limit)
                    return false;
                _buffer[at] = (byte)(0xC0 | (whole >> 8));
                _buffer[at + 1] = (byte)whole;
                _pos += 2;
                return true;
            }
            int rest = _parentOffset >= 0 ? 2 : _parentCopyLength;
            if (at + first + rest > _limit)
                return false;
            name[..first].CopyTo(_buffer.AsSpan(at));
            if (_parentOffset >= 0)
            {
                _buffer[at + first] = (byte)(0xC0 | (_parentOffset >> 8));
                _buffer[at + first + 1] = (byte)_parentOffset;
            }
            else
            {
                _buffer.AsSpan(_parentCopyAt, rest).CopyTo(_buffer.AsSpan(at + first));
            }
            _pos += first + rest;
            if (at < PointerReach && _entries < MaxEntries)
                Remember(h, at);
            return true;
        }
        if (!TryWriteName(name))
            return false;
        // Remember this owner's rest for the next: where a pointer to it can go, if anywhere.
        _parentOffset = -1;
        if (name[0] != 0 && name[first] != 0 && _nameMatched >= 1)
        {
            int offset = _nameMatched == 1 ? _nameMatchOffset : _nameAt + first;
            // Written out in full, the rest was remembered only within pointer reach (and while
            // the table had room); when it was not, it never will be in this message.
            bool remembered = _nameMatched == 1 || _nameRemembered > 1;
            _parentLength = name.Length - first;
            name[first..].CopyTo(_parent);
            _parentHash = _suffixHashes[1];
            _parentOffset = remembered ? offset : CopyParent;
            _parentCopyAt = _nameAt + first;
            _parentCopyLength = _pos - _parentCopyAt;
        }
        return true;
    }

    private bool Undo(int mark, int entries)
    {
        _pos = mark;
        _parentOffset = -1;
        if (_entries != entries)
        {
            // Entries added by the failed record point past the end: forget them all. Rare (once
            // per message), so a new generation is cheaper than tracking which slots to clear.
            NextGeneration();
            _entries = 0;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryWriteData(RecordType type, scoped ReadOnlySpan<byte> data)
    {
        if (!Rdata.HasCompressibleNames(type) || !Rdata.IsValid(type, data))
            return TryWriteBytes(data);
        var (prefix, names) = Rdata.NameLayout(type);
        if (!TryWriteBytes(data[..prefix]))
            return false;
        int pos = prefix;
        for (int i = 0; i < names; i++)
        {
            int end = pos;
            while (data[end] != 0)
                end += 1 + data[end];
            end++;
            if (!TryWriteName(data[pos..end]))
                return false;
            pos = end;
        }
        return TryWriteBytes(data[pos..]);
    }

    private bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (_pos + bytes.Length > _limit)
            return false;
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
        return true;
    }

    /// <summary>
    /// Writes an uncompressed wire name: its labels up to the longest suffix already in the message,
    /// then a pointer to that suffix; then remembers the suffixes it wrote out in full.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryWriteName(scoped ReadOnlySpan<byte> name)
    {
        // Label starts, then a hash of every suffix from the root up: h(label + rest) mixes the
        // label's octets into h(rest), so equal suffixes hash equally wherever they occur.
        int labels = 0;
        for (int p = 0; name[p] != 0; p += 1 + name[p])
            _labelStarts[labels++] = p;
        uint h = 0x9E3779B9;
        for (int k = labels - 1; k >= 0; k--)
        {
            int start = _labelStarts[k];
            h = Mix(h, name, start);
            _suffixHashes[k] = h;
        }

        int matched = labels, matchOffset = 0;
        for (int k = 0; k < labels; k++)
        {
            int offset = Find(_suffixHashes[k], name[_labelStarts[k]..]);
            if (offset >= 0)
            {
                matched = k;
                matchOffset = offset;
                break;
            }
        }
        int literal = matched < labels ? _labelStarts[matched] : name.Length;
        int total = literal + (matched < labels ? 2 : 0);
        if (_pos + total > _limit)
            return false;
        int at = _pos;
        name[..literal].CopyTo(_buffer.AsSpan(at));
        if (matched < labels)
        {
            _buffer[at + literal] = (byte)(0xC0 | (matchOffset >> 8));
            _buffer[at + literal + 1] = (byte)matchOffset;
        }
        _pos += total;
        _nameAt = at;
        _nameMatched = matched;
        _nameMatchOffset = matchOffset;
        _nameLabels = labels;
        int remembered = 0;
        for (; remembered < matched && at + _labelStarts[remembered] < PointerReach && _entries < MaxEntries; remembered++)
            Remember(_suffixHashes[remembered], at + _labelStarts[remembered]);
        _nameRemembered = remembered;
        return true;
    }

    /// <summary>
    /// h(label + rest) from h(rest): the label at <paramref name="start"/> of <paramref name="name"/>,
    /// its length octet included, mixed in eight octets at a time (the last ones masked, read from
    /// the name's following octets when it has eight more, else one by one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint h, scoped ReadOnlySpan<byte> name, int start)
    {
        const ulong K = 0x9E3779B97F4A7C15;
        int length = 1 + name[start];
        ref byte at = ref Unsafe.Add(ref MemoryMarshal.GetReference(name), start);
        ulong x = h;
        int i = 0;
        for (; i + 8 <= length; i += 8)
            x = (x ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, i))) * K;
        int rest = length - i;
        if (rest > 0)
        {
            ulong tail;
            if (start + i + 8 <= name.Length)
            {
                tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref at, i)) & (ulong.MaxValue >> (64 - 8 * rest));
            }
            else
            {
                tail = 0;
                for (int j = rest - 1; j >= 0; j--)
                    tail = tail << 8 | Unsafe.Add(ref at, i + j);
            }
            x = (x ^ tail) * K;
        }
        x ^= x >> 29;
        return (uint)((x * K) >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Find(uint hash, scoped ReadOnlySpan<byte> suffix)
    {
        ulong tag = (ulong)_generation << 48;
        var slots = _slots;
        for (int slot = (int)(hash & (Slots - 1)); ; slot = (slot + 1) & (Slots - 1))
        {
            ulong entry = slots[slot];
            if ((entry & 0xFFFF_0000_0000_0000) != tag)
                return -1;
            int offset = (ushort)(entry >> 32);
            if ((uint)entry == hash && WireName.EqualsAt(_buffer, offset, suffix))
                return offset;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Remember(uint hash, int offset)
    {
        ulong tag = (ulong)_generation << 48;
        var slots = _slots;
        int slot = (int)(hash & (Slots - 1));
        while ((slots[slot] & 0xFFFF_0000_0000_0000) == tag)
            slot = (slot + 1) & (Slots - 1);
        slots[slot] = tag | (ulong)(ushort)offset << 32 | hash;
        _entries++;
    }
}
