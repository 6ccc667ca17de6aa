using System.Diagnostics.CodeAnalysis;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tsig;

/// <summary>Why a key could not be used for a message.</summary>
public enum TsigKeyMatch
{
    Found,

    /// <summary>No key has the name (RFC 8945 §5.2.1: BADKEY).</summary>
    UnknownName,

    /// <summary>A key has the name but another algorithm (RFC 8945 §5.2.1: BADKEY too).</summary>
    WrongAlgorithm,
}

/// <summary>
/// The keys a server or client knows, found by name ignoring ASCII case (names compare that way,
/// RFC 4343). Immutable; looking a wire-form name up does not allocate.
/// </summary>
public sealed class TsigKeyRing
{
    private readonly Dictionary<DnsName, TsigKey> _keys;
    private readonly Dictionary<DnsName, TsigKey>.AlternateLookup<ReadOnlySpan<byte>> _byWire;

    public TsigKeyRing(params IEnumerable<TsigKey> keys)
    {
        _keys = new Dictionary<DnsName, TsigKey>(WireNameComparer.Instance);
        foreach (var key in keys)
        {
            if (!_keys.TryAdd(key.Name, key))
                throw new ArgumentException($"two keys are named {key.Name}", nameof(keys));
        }
        _byWire = _keys.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public static TsigKeyRing Empty { get; } = new();

    public int Count => _keys.Count;

    public IEnumerable<TsigKey> Keys => _keys.Values;

    public TsigKey? Find(DnsName name) => _keys.GetValueOrDefault(name);

    /// <summary>Finds a key by its uncompressed wire-form name.</summary>
    public bool TryFind(ReadOnlySpan<byte> wireName, [NotNullWhen(true)] out TsigKey? key) => _byWire.TryGetValue(wireName, out key);

    /// <summary>Finds the key a TSIG record names and checks that it uses the algorithm the record names.</summary>
    public TsigKeyMatch Match(ReadOnlySpan<byte> wireName, ReadOnlySpan<byte> algorithmName, out TsigKey? key)
    {
        if (!_byWire.TryGetValue(wireName, out key))
            return TsigKeyMatch.UnknownName;
        if (!TsigAlgorithms.TryFromWire(algorithmName, out var algorithm) || algorithm != key.Algorithm)
        {
            key = null;
            return TsigKeyMatch.WrongAlgorithm;
        }
        return TsigKeyMatch.Found;
    }

    /// <summary>Hashes and compares names as <see cref="DnsName"/> does, so spans can be looked up directly.</summary>
    private sealed class WireNameComparer : IEqualityComparer<DnsName>, IAlternateEqualityComparer<ReadOnlySpan<byte>, DnsName>
    {
        public static readonly WireNameComparer Instance = new();

        public bool Equals(DnsName? x, DnsName? y) => x == y;

        public int GetHashCode(DnsName obj) => obj.GetHashCode();

        public bool Equals(ReadOnlySpan<byte> alternate, DnsName other) => WireName.EqualsIgnoreCase(alternate, other.Wire);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => WireName.HashIgnoreCase(alternate);

        public DnsName Create(ReadOnlySpan<byte> alternate) => DnsName.FromWire(alternate);
    }
}
