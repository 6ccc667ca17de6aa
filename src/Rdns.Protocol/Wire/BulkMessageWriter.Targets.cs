using System.Runtime.CompilerServices;

namespace Rdns.Protocol.Wire;

/// <summary>PTR targets whose stored suffix the caller numbers: the suffix looked up once per message.</summary>
public sealed partial class BulkMessageWriter
{
    // Targets whose stored suffix is known by number (TryAddPtr with a suffix id), direct-mapped by
    // number: the suffix's hash (the same in every message) and, in the generation it was seen,
    // how the suffix is written: a pointer, or (out of pointer reach, or the table full, so for
    // the rest of the message) the octets written for it the first time, copied again.
    private const int SuffixSlots = 4096;
    private readonly int[] _suffixIds = new int[SuffixSlots];
    private readonly uint[] _suffixHashOf = new uint[SuffixSlots];
    private readonly int[] _suffixGenerations = new int[SuffixSlots];
    private readonly int[] _suffixPointers = new int[SuffixSlots];
    private readonly int[] _suffixCopyAt = new int[SuffixSlots];
    private readonly int[] _suffixCopyLength = new int[SuffixSlots];

    /// <summary>
    /// As <see cref="TryAddPtr(ReadOnlySpan{byte}, uint, ReadOnlySpan{byte})"/>, for a target whose
    /// labels from <paramref name="suffixAt"/> on are a suffix the caller numbers: the same
    /// <paramref name="suffixId"/> (at least 0) stands for the same octets for as long as this
    /// writer is used, across messages and transfers (as the process-wide numbers of stored
    /// suffixes do). The suffix is then hashed and looked up once per message, not once per record;
    /// only the labels before it are, and the message is the one <see cref="TryAdd"/> writes. A
    /// negative id: as without one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAddPtr(scoped ReadOnlySpan<byte> owner, uint ttl, scoped ReadOnlySpan<byte> target, int suffixAt, int suffixId)
    {
        int mark = _pos, entries = _entries;
        if (!TryWriteOwner(owner) || !TryWriteFixed(RecordType.PTR, ttl))
            return Undo(mark, entries);
        int dataStart = _pos;
        if (suffixId < 0 || suffixAt <= 0 || suffixAt >= target.Length - 1 ? !TryWriteName(target) : !TryWriteTarget(target, suffixAt, suffixId))
            return Undo(mark, entries);
        EndRecord(dataStart);
        return true;
    }

    /// <summary>
    /// A target name through its numbered suffix: the labels before the suffix are looked up as
    /// <see cref="TryWriteName"/> looks them up (with the suffix's hash known); when none is in the
    /// message, the suffix is written as it was the first time in this message. That is what
    /// <see cref="TryWriteName"/> would write: a suffix in the table stays there, at the same offset,
    /// and one that was written but not remembered (past pointer reach, or the table full) means
    /// nothing more is remembered in this message, so neither it nor any of its suffixes appears.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryWriteTarget(scoped ReadOnlySpan<byte> name, int suffixAt, int suffixId)
    {
        int slot = suffixId & (SuffixSlots - 1);
        if (_suffixIds[slot] != suffixId + 1 || _suffixGenerations[slot] != _generation)
            return TryWriteAndLearn(name, suffixAt, suffixId, slot);
        int labels = 0, p = 0;
        for (; p < suffixAt; p += 1 + name[p])
            _labelStarts[labels++] = p;
        if (p != suffixAt)
            return TryWriteName(name);
        uint h = _suffixHashOf[slot];
        for (int k = labels - 1; k >= 0; k--)
        {
            int start = _labelStarts[k];
            h = Mix(h, name, start);
            _suffixHashes[k] = h;
        }
        int at = _pos;
        for (int k = 0; k < labels; k++)
        {
            int offset = Find(_suffixHashes[k], name[_labelStarts[k]..]);
            if (offset >= 0)
            {
                int literal = _labelStarts[k];
                if (at + literal + 2 > _limit)
                    return false;
                name[..literal].CopyTo(_buffer.AsSpan(at));
                _buffer[at + literal] = (byte)(0xC0 | (offset >> 8));
                _buffer[at + literal + 1] = (byte)offset;
                _pos = at + literal + 2;
                RememberPrefix(at, k);
                return true;
            }
        }
        int pointer = _suffixPointers[slot];
        int rest = pointer >= 0 ? 2 : _suffixCopyLength[slot];
        if (at + suffixAt + rest > _limit)
            return false;
        name[..suffixAt].CopyTo(_buffer.AsSpan(at));
        if (pointer >= 0)
        {
            _buffer[at + suffixAt] = (byte)(0xC0 | (pointer >> 8));
            _buffer[at + suffixAt + 1] = (byte)pointer;
        }
        else
        {
            _buffer.AsSpan(_suffixCopyAt[slot], rest).CopyTo(_buffer.AsSpan(at + suffixAt));
        }
        _pos = at + suffixAt + rest;
        RememberPrefix(at, labels);
        return true;
    }

    /// <summary>The suffixes of a name written at <paramref name="at"/> that begin at its first <paramref name="count"/> labels, within reach and room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RememberPrefix(int at, int count)
    {
        for (int k = 0; k < count && at + _labelStarts[k] < PointerReach && _entries < MaxEntries; k++)
            Remember(_suffixHashes[k], at + _labelStarts[k]);
    }

    /// <summary>A target written as any name; then its suffix's hash, and how the suffix is now written in this message, kept under its number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryWriteAndLearn(scoped ReadOnlySpan<byte> name, int suffixAt, int suffixId, int slot)
    {
        if (!TryWriteName(name))
            return false;
        int p = 0;
        while (p < _nameLabels && _labelStarts[p] != suffixAt)
            p++;
        if (p == _nameLabels)
            return true;
        uint h = _suffixHashes[p];
        _suffixIds[slot] = suffixId + 1;
        _suffixHashOf[slot] = h;
        _suffixGenerations[slot] = 0;
        // Where the suffix now is, from what TryWriteName did: pointed to, written out here and
        // remembered, or (before the suffix) inside a name pointed to, where it is looked up.
        int offset = _nameMatched == p ? _nameMatchOffset
            : _nameMatched > p ? (_nameRemembered > p ? _nameAt + suffixAt : -1)
            : Find(h, name[suffixAt..]);
        if (offset >= 0)
        {
            _suffixPointers[slot] = offset;
            _suffixGenerations[slot] = _generation;
        }
        else if (_nameMatched > p)
        {
            // Written out here, not remembered: copied from here for the rest of the message.
            _suffixPointers[slot] = -1;
            _suffixCopyAt[slot] = _nameAt + suffixAt;
            _suffixCopyLength[slot] = _pos - _nameAt - suffixAt;
            _suffixGenerations[slot] = _generation;
        }
        return true;
    }
}
