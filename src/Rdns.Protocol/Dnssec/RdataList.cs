namespace Rdns.Protocol.Dnssec;

/// <summary>
/// The RDATA of one RRset, however the caller holds it: an array of stored RDATA, or one RDATA
/// made on the stack (a compact-table PTR, a synthesized default name). Nothing is copied.
/// </summary>
public readonly ref struct RdataList
{
    private readonly byte[][]? _many;
    private readonly ReadOnlySpan<byte> _one;

    public RdataList(byte[][] many)
    {
        _many = many;
        _one = default;
    }

    public RdataList(ReadOnlySpan<byte> one)
    {
        _many = null;
        _one = one;
    }

    public int Count => _many?.Length ?? 1;

    public ReadOnlySpan<byte> this[int index] => _many is null ? _one : _many[index];

    /// <summary>Octets of all RDATA together.</summary>
    public int TotalLength
    {
        get
        {
            if (_many is null)
                return _one.Length;
            int total = 0;
            foreach (var d in _many)
                total += d.Length;
            return total;
        }
    }
}
