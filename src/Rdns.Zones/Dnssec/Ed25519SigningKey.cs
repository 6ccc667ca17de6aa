using NSec.Cryptography;
using Rdns.Protocol.Dnssec;

namespace Rdns.Zones.Dnssec;

/// <summary>Ed25519 (RFC 8080) through libsodium: a 64-octet signature, the 32-octet public key in DNSKEY; signing is thread-safe.</summary>
public sealed class Ed25519SigningKey : SigningKey
{
    private readonly Key _key;

    private Ed25519SigningKey(ushort flags, Key key)
        : base(DnssecAlgorithm.Ed25519, flags, key.PublicKey.Export(KeyBlobFormat.RawPublicKey))
    {
        _key = key;
    }

    public static Ed25519SigningKey Generate(ushort flags) =>
        new(flags, Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public static Ed25519SigningKey Import(ushort flags, ReadOnlySpan<byte> seed) =>
        new(flags, Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public override int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        SignatureAlgorithm.Ed25519.Sign(_key, data, signature[..64]);
        return 64;
    }

    public override byte[] ExportPrivateKey() => _key.Export(KeyBlobFormat.RawPrivateKey);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _key.Dispose();
    }
}
