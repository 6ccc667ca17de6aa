using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;

namespace Rdns.Zones;

/// <summary>
/// Reads a zone's compact PTR records in key order into caller buffers, for zone transfers: the
/// same records as <see cref="ZoneSnapshot.CompactRecords"/>, without an object per record.
/// </summary>
public sealed class CompactRecordCursor
{
    private readonly CompactPtrs? _compact;
    private readonly Synthesis.ReverseZoneInfo? _reverse;
    private readonly byte[] _origin;
    private int _tableAt;
    private int _patchAt;
    private int _next = -1;
    private int _nextAt;
    // The last owner written in full, below its first label, and the address bits above that label:
    // owners that follow it under the same parent take only a new first label.
    private readonly int _firstBits;
    private readonly byte[] _parent = new byte[DnsName.MaxLength];
    private int _parentLength = -1;
    private UInt128 _parentKey;

    internal CompactRecordCursor(CompactPtrs? compact, Synthesis.ReverseZoneInfo? reverse, DnsName origin)
    {
        _compact = compact;
        _reverse = reverse;
        _origin = origin.Wire.ToArray();
        _firstBits = reverse?.FirstLabelBits ?? 0;
    }

    /// <summary>
    /// The next record: its owner and target wire names written into <paramref name="owner"/> and
    /// <paramref name="target"/> (each at least <see cref="DnsName.MaxLength"/> octets). False at the end.
    /// </summary>
    public bool Next(Span<byte> owner, Span<byte> target, out int ownerLength, out int targetLength, out uint ttl)
        => Next(owner, target, out ownerLength, out targetLength, out ttl, out _, out _);

    /// <summary>
    /// As the other <c>Next</c>, and where the target's stored suffix begins in it and a number
    /// that stands for the suffix's octets wherever it occurs in this process (-1 when the record
    /// has none: the writer then treats the target as any name).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Next(Span<byte> owner, Span<byte> target, out int ownerLength, out int targetLength, out uint ttl, out int suffixAt, out int suffixId)
    {
        if (_compact is null || _reverse is null
            || !_compact.Next(ref _tableAt, ref _patchAt, ref _next, ref _nextAt, target, out var key, out ttl, out targetLength, out suffixAt, out suffixId))
        {
            suffixAt = 0;
            suffixId = -1;
            ownerLength = 0;
            targetLength = 0;
            ttl = 0;
            return false;
        }
        ownerLength = WriteOwner(_reverse, key, owner);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int WriteOwner(Synthesis.ReverseZoneInfo reverse, UInt128 key, Span<byte> owner)
    {
        if (_firstBits == 0)
            return reverse.WriteName(key, _origin, owner);
        var parentKey = key >> _firstBits;
        if (_parentLength >= 0 && parentKey == _parentKey)
        {
            int n = reverse.WriteFirstLabel(key, owner);
            _parent.AsSpan(0, _parentLength).CopyTo(owner[n..]);
            return n + _parentLength;
        }
        int length = reverse.WriteName(key, _origin, owner);
        int first = 1 + owner[0];
        owner[first..length].CopyTo(_parent);
        _parentLength = length - first;
        _parentKey = parentKey;
        return length;
    }
}
