using System.Security.Cryptography;
using System.Text;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tsig;

/// <summary>
/// A shared secret for TSIG (RFC 8945): the key's name, its algorithm and the secret octets. A key
/// is used by one algorithm only (RFC 8945 §5.2.1 "to prevent cross-algorithm attacks").
/// Thread-safe: keyed-hash states are pooled per key, so signing and verifying do not allocate
/// once the pool is warm.
/// </summary>
public sealed class TsigKey
{
    private readonly byte[] _secret;
    private readonly byte[] _canonicalName;
    private readonly IncrementalHash?[] _spare;

    public TsigKey(DnsName name, TsigAlgorithm algorithm, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(name);
        _ = TsigAlgorithms.MacSize(algorithm);
        if (secret.IsEmpty)
            throw new ArgumentException("a TSIG secret must not be empty", nameof(secret));
        Name = name;
        Algorithm = algorithm;
        _secret = secret.ToArray();
        _canonicalName = name.ToLowerWire();
        _spare = new IncrementalHash?[Math.Clamp(Environment.ProcessorCount, 2, 16)];
    }

    public DnsName Name { get; }

    public TsigAlgorithm Algorithm { get; }

    public ReadOnlySpan<byte> Secret => _secret;

    /// <summary>The full MAC size of the key's algorithm, in octets.</summary>
    public int MacSize => TsigAlgorithms.MacSize(Algorithm);

    /// <summary>The key name in canonical form (lower case, RFC 8945 §4.3.3), as the MAC covers it.</summary>
    internal ReadOnlySpan<byte> CanonicalName => _canonicalName;

    /// <summary>A key with a fresh random secret as long as the algorithm's output (RFC 2104 §3's recommendation).</summary>
    public static TsigKey Generate(DnsName name, TsigAlgorithm algorithm)
    {
        Span<byte> secret = stackalloc byte[TsigAlgorithms.MacSize(algorithm)];
        RandomNumberGenerator.Fill(secret);
        var key = new TsigKey(name, algorithm, secret);
        CryptographicOperations.ZeroMemory(secret);
        return key;
    }

    /// <summary>
    /// The key as a BIND <c>key</c> statement, the form <see cref="TsigKeyFile"/>, <c>named</c>,
    /// <c>dig -k</c> and <c>nsupdate -k</c> read. The name is written without its final dot, as
    /// BIND's <c>tsig-keygen</c> writes it.
    /// </summary>
    public string ToBindText()
    {
        string name = Name.IsRoot ? "." : Name.ToString()[..^1];
        return new StringBuilder()
            .Append("key \"").Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\" {\n")
            .Append("\talgorithm ").Append(TsigAlgorithms.ToText(Algorithm)).Append(";\n")
            .Append("\tsecret \"").Append(Convert.ToBase64String(_secret)).Append("\";\n")
            .Append("};\n")
            .ToString();
    }

    public override string ToString() => $"{Name} ({TsigAlgorithms.ToText(Algorithm)})";

    /// <summary>A keyed-hash state, reset and ready; give it back with <see cref="Return"/>.</summary>
    internal IncrementalHash Rent()
    {
        for (int i = 0; i < _spare.Length; i++)
        {
            var hash = Interlocked.Exchange(ref _spare[i], null);
            if (hash is not null)
                return hash;
        }
        return IncrementalHash.CreateHMAC(TsigAlgorithms.HashName(Algorithm), _secret);
    }

    /// <summary>Takes back a state that has been finished (or is reset here), keeping a few for reuse.</summary>
    internal void Return(IncrementalHash hash, bool finished = true)
    {
        if (!finished)
        {
            Span<byte> discard = stackalloc byte[TsigAlgorithms.MaxMacSize];
            hash.TryGetHashAndReset(discard, out _);
        }
        for (int i = 0; i < _spare.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _spare[i], hash, null) is null)
                return;
        }
        hash.Dispose();
    }
}
