using System.Security.Cryptography;
using Rdns.Protocol.Dnssec;

namespace Rdns.Zones.Dnssec;

/// <summary>
/// ECDSA P-256 with SHA-256 (RFC 6605): the signature is r||s, 32 octets each, and the DNSKEY's
/// public key Qx||Qy. An <see cref="ECDsa"/> object is not documented as safe for concurrent use,
/// so each signing takes one from a small pool (one per core), made from the same private key.
/// </summary>
public sealed class EcdsaSigningKey : SigningKey
{
    private readonly byte[] _pkcs8;
    private readonly ECDsa?[] _pool;

    private EcdsaSigningKey(ushort flags, ECDsa key, byte[] pkcs8)
        : base(DnssecAlgorithm.EcdsaP256Sha256, flags, PublicKeyOf(key))
    {
        _pkcs8 = pkcs8;
        _pool = new ECDsa?[Math.Max(2, Environment.ProcessorCount)];
        _pool[0] = key;
    }

    public static EcdsaSigningKey Generate(ushort flags)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new EcdsaSigningKey(flags, key, key.ExportPkcs8PrivateKey());
    }

    public static EcdsaSigningKey Import(ushort flags, ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        if (key.KeySize != 256)
            throw new CryptographicException($"a P-256 key was expected, this one has {key.KeySize} bits");
        return new EcdsaSigningKey(flags, key, pkcs8.ToArray());
    }

    private static byte[] PublicKeyOf(ECDsa key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return [.. p.Q.X!, .. p.Q.Y!];
    }

    public override int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        var key = Rent();
        try
        {
            if (!key.TrySignData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out int written))
                throw new ArgumentException("the signature span is too small", nameof(signature));
            return written;
        }
        finally
        {
            Return(key);
        }
    }

    private ECDsa Rent()
    {
        for (int i = 0; i < _pool.Length; i++)
        {
            var key = Interlocked.Exchange(ref _pool[i], null);
            if (key is not null)
                return key;
        }
        var fresh = ECDsa.Create();
        fresh.ImportPkcs8PrivateKey(_pkcs8, out _);
        return fresh;
    }

    private void Return(ECDsa key)
    {
        for (int i = 0; i < _pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _pool[i], key, null) is null)
                return;
        }
        key.Dispose();
    }

    public override byte[] ExportPrivateKey() => (byte[])_pkcs8.Clone();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            for (int i = 0; i < _pool.Length; i++)
                Interlocked.Exchange(ref _pool[i], null)?.Dispose();
        }
    }
}
