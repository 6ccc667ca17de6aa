using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Protocol.Wire;

public enum Section
{
    Answer,
    Authority,
    Additional,
}

/// <summary>
/// Writes a message into a caller-owned buffer up to a limit, compressing names (RFC 1035 §4.1.4).
/// A write that would pass the limit returns false and leaves the message as it was, so
/// truncation is the caller's decision, never an exception. Space for OPT and TSIG is kept out of
/// the limit by the caller (<see cref="Reserve"/>).
/// </summary>
public ref struct DnsMessageWriter
{
    /// <summary>Names remembered for compression; later names can still point into earlier ones.</summary>
    private const int TableSize = 64;

    [InlineArray(TableSize)]
    private struct OffsetTable
    {
        private ushort _element;
    }

    [InlineArray(TableSize)]
    private struct LabelTable
    {
        private byte _element;
    }

    private readonly Span<byte> _buffer;
    private int _limit;
    private int _pos;
    private OffsetTable _offsets;
    private LabelTable _labels;
    private int _entries;

    /// <summary>
    /// The length of the first name written (the question's, in a response) when it was written
    /// whole at the first entry, else 0: a name equal to it (a response's owner names mostly are)
    /// becomes a pointer to it without the suffix search.
    /// </summary>
    private int _firstLength;

    /// <summary>
    /// The last name written, not yet in the table (where it starts, its literal octets, the labels
    /// behind its pointer), or -1: its labels are remembered when something is written after it,
    /// so the last name of a message (a PTR's target, mostly) is never walked for them.
    /// </summary>
    private int _pendingAt, _pendingLength, _pendingBehind;

    private DnsHeader _header;

    public DnsMessageWriter(Span<byte> buffer, int limit)
    {
        _buffer = buffer;
        _limit = Math.Min(limit, buffer.Length);
        _pos = DnsHeader.Size;
        _entries = 0;
        _firstLength = 0;
        _pendingAt = -1;
        _header = default;
    }

    public readonly int Position => _pos;

    /// <summary>Labels remembered for compression, the last name's included (for tests).</summary>
    internal int CompressionEntries
    {
        get
        {
            RememberPending();
            return _entries;
        }
    }

    public readonly int Limit => _limit;

    public readonly ushort AnswerCount => _header.AnCount;

    public readonly ushort AuthorityCount => _header.NsCount;

    public readonly ushort AdditionalCount => _header.ArCount;

    public readonly Span<byte> Buffer => _buffer;

    public ushort Id
    {
        readonly get => _header.Id;
        set => _header.Id = value;
    }

    /// <summary>The raw flags word, opcode and low RCODE bits included (see <see cref="DnsHeader.MakeFlags"/>).</summary>
    public ushort Flags
    {
        readonly get => _header.Flags;
        set => _header.Flags = value;
    }

    /// <summary>Keeps <paramref name="octets"/> at the end of the limit free (for OPT or TSIG written last).</summary>
    public void Reserve(int octets) => _limit = Math.Max(_pos, _limit - octets);

    /// <summary>Returns reserved space to the limit, up to the buffer's size.</summary>
    public void Release(int octets) => _limit = Math.Min(_buffer.Length, _limit + octets);

    /// <summary>Where the message stands, to <see cref="Rollback"/> to (the names written so far are remembered first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Mark GetMark()
    {
        RememberPending();
        return new(_pos, _entries, _header.AnCount, _header.NsCount, _header.ArCount);
    }

    public void Rollback(Mark mark)
    {
        _pos = mark.Position;
        _entries = mark.Entries;
        // A name still pending was written after the mark (taking it remembered the ones before).
        _pendingAt = -1;
        if (_entries == 0)
            _firstLength = 0;
        _header.AnCount = mark.An;
        _header.NsCount = mark.Ns;
        _header.ArCount = mark.Ar;
    }

    public readonly record struct Mark(int Position, int Entries, ushort An, ushort Ns, ushort Ar);

    public bool TryWriteQuestion(scoped ReadOnlySpan<byte> name, RecordType type, RecordClass cls)
    {
        var mark = GetMark();
        if (!TryWriteName(name, compress: true) || !TryWriteUInt16((ushort)type) || !TryWriteUInt16((ushort)cls))
        {
            Rollback(mark);
            return false;
        }
        _header.QdCount++;
        return true;
    }

    /// <summary>Writes one record; RDATA names of the RFC 1035 types are compressed.</summary>
    public bool TryWriteRecord(Section section, scoped ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, scoped ReadOnlySpan<byte> data)
    {
        var mark = GetMark();
        if (!TryWriteHead(owner, type, cls, ttl, out int rdataAt) || !TryWriteData(type, data))
        {
            Rollback(mark);
            return false;
        }
        EndRecord(section, rdataAt);
        return true;
    }

    /// <summary>A record's owner (compressed), type, class and TTL, and room for its RDATA length.</summary>
    private bool TryWriteHead(scoped ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, out int rdataAt)
    {
        rdataAt = 0;
        if (!TryWriteName(owner, compress: true) || _pos + 10 > _limit)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_pos..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_pos + 2)..], (ushort)cls);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[(_pos + 4)..], ttl);
        _pos += 10;
        rdataAt = _pos;
        return true;
    }

    /// <summary>The RDATA length of the record begun by <see cref="TryWriteHead"/> (its RDATA at <paramref name="rdataAt"/>), and the section's count.</summary>
    private void EndRecord(Section section, int rdataAt)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(rdataAt - 2)..], (ushort)(_pos - rdataAt));
        Count(section);
    }

    /// <summary>
    /// As <see cref="TryWriteRecord"/> for a record whose RDATA is one domain name (PTR, CNAME, NS),
    /// in uncompressed wire form, that the caller knows to be valid (a name its own tables hold):
    /// the same octets, without the name read again to check it and find its end.
    /// </summary>
    public bool TryWriteNameRecord(Section section, scoped ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, scoped ReadOnlySpan<byte> name)
    {
        if (type is not (RecordType.PTR or RecordType.CNAME or RecordType.NS))
            return TryWriteRecord(section, owner, type, cls, ttl, name);
        var mark = GetMark();
        if (!TryWriteHead(owner, type, cls, ttl, out int rdataAt) || !TryWriteName(name, compress: true))
        {
            Rollback(mark);
            return false;
        }
        EndRecord(section, rdataAt);
        return true;
    }

    /// <summary>Writes an OPT pseudo-record (RFC 6891 §6.1.2) with no options beyond <paramref name="options"/>.</summary>
    public bool TryWriteOpt(ushort payloadSize, byte extendedRcode, byte version, bool dnssecOk, scoped ReadOnlySpan<byte> options = default, bool compactOk = false)
    {
        if (_pos + 11 + options.Length > _buffer.Length)
            return false;
        var b = _buffer[_pos..];
        b[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b[1..], (ushort)RecordType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(b[3..], payloadSize);
        b[5] = extendedRcode;
        b[6] = version;
        BinaryPrimitives.WriteUInt16BigEndian(b[7..], (ushort)((dnssecOk ? 0x8000 : 0) | (compactOk ? 0x4000 : 0)));
        BinaryPrimitives.WriteUInt16BigEndian(b[9..], (ushort)options.Length);
        options.CopyTo(b[11..]);
        _pos += 11 + options.Length;
        _header.ArCount++;
        return true;
    }

    /// <summary>Appends raw octets (used for records already in wire form, such as a TSIG RR).</summary>
    public bool TryWriteRaw(scoped ReadOnlySpan<byte> raw, Section section)
    {
        if (_pos + raw.Length > _buffer.Length)
            return false;
        raw.CopyTo(_buffer[_pos..]);
        _pos += raw.Length;
        Count(section);
        return true;
    }

    /// <summary>Writes the header with the final counts and returns the message length.</summary>
    public int Finish()
    {
        _header.Write(_buffer);
        return _pos;
    }

    private void Count(Section section)
    {
        switch (section)
        {
            case Section.Answer: _header.AnCount++; break;
            case Section.Authority: _header.NsCount++; break;
            default: _header.ArCount++; break;
        }
    }

    private bool TryWriteData(RecordType type, scoped ReadOnlySpan<byte> data)
    {
        if (!Rdata.HasCompressibleNames(type) || !Rdata.IsValid(type, data))
            return TryWriteBytes(data);
        var (prefix, names) = Rdata.NameLayout(type);
        if (!TryWriteBytes(data[..prefix]))
            return false;
        // One name and nothing after it (NS, CNAME, PTR, MX): checked valid above, so it ends where the data does.
        if (names == 1)
            return TryWriteName(data[prefix..], compress: true);
        int pos = prefix;
        for (int i = 0; i < names; i++)
        {
            int end = pos;
            while (data[end] != 0)
                end += 1 + data[end];
            end++;
            if (!TryWriteName(data[pos..end], compress: true))
                return false;
            pos = end;
        }
        return TryWriteBytes(data[pos..]);
    }

    private bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (_pos + bytes.Length > _limit)
            return false;
        bytes.CopyTo(_buffer[_pos..]);
        _pos += bytes.Length;
        return true;
    }

    private bool TryWriteUInt16(ushort value)
    {
        if (_pos + 2 > _limit)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_pos..], value);
        _pos += 2;
        return true;
    }

    /// <summary>
    /// True when only the first name's labels are in the table (the question, as in most answers)
    /// and <paramref name="name"/> does not end in its last label (a PTR target outside arpa. after
    /// an in-addr.arpa. question): no suffix of one is a suffix of the other, so there is nothing
    /// to search for. Told from the name's last octets alone, without walking its labels: a name
    /// whose last label is the first name's ends in the same octets (label and root); one that
    /// merely ends in them is searched as any other.
    /// </summary>
    internal bool SharesNothingWithFirst(scoped ReadOnlySpan<byte> name)
    {
        RememberPending();
        if (_entries == 0 || _entries != _labels[0])
            return false;
        int firstLast = _offsets[_entries - 1];
        return !name.EndsWith(_buffer.Slice(firstLast, _buffer[firstLast] + 2));
    }

    /// <summary>
    /// Writes an uncompressed wire name, replacing its longest suffix already in the message with
    /// a pointer. Matching is exact (case-sensitive) so compression never changes what is sent.
    /// </summary>
    public bool TryWriteName(scoped ReadOnlySpan<byte> name, bool compress)
    {
        RememberPending();
        // The whole name equal to the first one written: the search below would find that first.
        if (compress && name.Length == _firstLength && name.SequenceEqual(_buffer.Slice(_offsets[0], _firstLength)))
        {
            if (_pos + 2 > _limit)
                return false;
            _buffer[_pos] = (byte)(0xC0 | (_offsets[0] >> 8));
            _buffer[_pos + 1] = (byte)_offsets[0];
            _pos += 2;
            return true;
        }
        int matchAt = -1, matchOffset = 0, matchLabels = 0;
        // Nothing to search in an empty table (the question), nor for a name that can share none
        // of it; otherwise the longest suffix already written, from the longest down.
        if (compress && _entries > 0 && !SharesNothingWithFirst(name))
        {
            int labels = WireName.CountLabels(name);
            int pos = 0;
            for (int i = 0; i < labels && matchAt < 0; i++)
            {
                int remaining = labels - i;
                for (int e = 0; e < _entries; e++)
                {
                    if (_labels[e] == remaining && WireName.EqualsAt(_buffer, _offsets[e], name[pos..]))
                    {
                        matchAt = pos;
                        matchOffset = _offsets[e];
                        matchLabels = remaining;
                        break;
                    }
                }
                if (matchAt < 0)
                    pos += 1 + name[pos];
            }
        }
        int literal = matchAt < 0 ? name.Length : matchAt;
        int total = literal + (matchAt < 0 ? 0 : 2);
        if (_pos + total > _limit)
            return false;
        int start = _pos;
        name[..literal].CopyTo(_buffer[_pos..]);
        if (matchAt >= 0)
        {
            _buffer[_pos + literal] = (byte)(0xC0 | (matchOffset >> 8));
            _buffer[_pos + literal + 1] = (byte)matchOffset;
        }
        _pos += total;

        if (_entries == 0 && matchAt < 0 && name.Length > 1 && start < 0x4000)
            _firstLength = name.Length;
        _pendingAt = start;
        _pendingLength = literal;
        _pendingBehind = matchLabels;
        return true;
    }

    /// <summary>Puts the labels of the last name written into the table, if they are not yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RememberPending()
    {
        if (_pendingAt >= 0)
        {
            Remember(_buffer.Slice(_pendingAt, _pendingLength), _pendingAt, _pendingBehind);
            _pendingAt = -1;
        }
    }

    /// <summary>
    /// Remembers where each label of <paramref name="literal"/> (written at <paramref name="start"/>,
    /// then <paramref name="behind"/> labels behind a pointer, or the root) starts, while pointers
    /// can still reach it, with how many labels run from it to the end of the name: the labels
    /// are walked once, and each given its count once the walk has counted them. Not the root: a
    /// pointer to it would be longer than it.
    /// </summary>
    private void Remember(scoped ReadOnlySpan<byte> literal, int start, int behind)
    {
        int first = _entries, p = 0, n = 0;
        while (p < literal.Length && literal[p] != 0)
        {
            if (_entries < TableSize && start + p < 0x4000)
                _offsets[_entries++] = (ushort)(start + p);
            p += 1 + literal[p];
            n++;
        }
        for (int e = first; e < _entries; e++)
            _labels[e] = (byte)(n - (e - first) + behind);
    }
}
