namespace Rdns.Protocol.Dnssec;

/// <summary>DNSSEC signing algorithms we sign with (IANA "DNS Security Algorithm Numbers").</summary>
public enum DnssecAlgorithm : byte
{
    /// <summary>ECDSA over P-256 with SHA-256 (RFC 6605): the most widely validated modern algorithm, and our default.</summary>
    EcdsaP256Sha256 = 13,

    /// <summary>Ed25519 (RFC 8080): smaller and faster to sign; validated by current resolvers.</summary>
    Ed25519 = 15,
}

/// <summary>What an algorithm's records look like on the wire.</summary>
public static class DnssecAlgorithms
{
    public static bool IsSupported(int algorithm) => algorithm is 13 or 15;

    /// <summary>Octets of a signature: r||s of 32 octets each for P-256 (RFC 6605 §4), 64 for Ed25519 (RFC 8080 §4).</summary>
    public static int SignatureSize(DnssecAlgorithm algorithm) => 64;

    /// <summary>Octets of the public key in DNSKEY: Qx||Qy for P-256 (RFC 6605 §4), the 32-octet key for Ed25519 (RFC 8080 §3).</summary>
    public static int PublicKeySize(DnssecAlgorithm algorithm) => algorithm == DnssecAlgorithm.Ed25519 ? 32 : 64;

    public static string Mnemonic(DnssecAlgorithm algorithm) => algorithm switch
    {
        DnssecAlgorithm.EcdsaP256Sha256 => "ECDSAP256SHA256",
        DnssecAlgorithm.Ed25519 => "ED25519",
        _ => ((int)algorithm).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
