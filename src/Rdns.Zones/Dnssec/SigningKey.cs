using Rdns.Protocol.Dnssec;

namespace Rdns.Zones.Dnssec;

/// <summary>
/// A DNSSEC private key ready to sign: its DNSKEY RDATA (flags, algorithm, public key), key tag,
/// and a signing operation that is safe to call from every worker at once and writes the
/// signature into the caller's span.
/// </summary>
public abstract class SigningKey : IDisposable
{
    protected SigningKey(DnssecAlgorithm algorithm, ushort flags, ReadOnlySpan<byte> publicKey)
    {
        Algorithm = algorithm;
        Flags = flags;
        DnsKeyRdata = DnsKey.Rdata(flags, algorithm, publicKey);
        KeyTag = DnsKey.KeyTag(DnsKeyRdata);
    }

    public DnssecAlgorithm Algorithm { get; }

    public ushort Flags { get; }

    /// <summary>The DNSKEY RDATA this key publishes.</summary>
    public byte[] DnsKeyRdata { get; }

    public ushort KeyTag { get; }

    /// <summary>True when the SEP flag is set: a KSK or CSK, what a DS points at.</summary>
    public bool IsSecureEntryPoint => (Flags & DnsKey.SepFlag) != 0;

    public int SignatureSize => DnssecAlgorithms.SignatureSize(Algorithm);

    /// <summary>Signs <paramref name="data"/> into <paramref name="signature"/> (at least <see cref="SignatureSize"/>); returns the octets written.</summary>
    public abstract int Sign(ReadOnlySpan<byte> data, Span<byte> signature);

    /// <summary>The private key for the store (PKCS#8 for ECDSA, the 32-octet seed for Ed25519); seal it before it leaves the process.</summary>
    public abstract byte[] ExportPrivateKey();

    public static SigningKey Generate(DnssecAlgorithm algorithm, ushort flags) => algorithm switch
    {
        DnssecAlgorithm.EcdsaP256Sha256 => EcdsaSigningKey.Generate(flags),
        DnssecAlgorithm.Ed25519 => Ed25519SigningKey.Generate(flags),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "algorithms 13 (ECDSA P-256) and 15 (Ed25519) are supported"),
    };

    public static SigningKey Import(DnssecAlgorithm algorithm, ushort flags, ReadOnlySpan<byte> privateKey) => algorithm switch
    {
        DnssecAlgorithm.EcdsaP256Sha256 => EcdsaSigningKey.Import(flags, privateKey),
        DnssecAlgorithm.Ed25519 => Ed25519SigningKey.Import(flags, privateKey),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "algorithms 13 (ECDSA P-256) and 15 (Ed25519) are supported"),
    };

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
