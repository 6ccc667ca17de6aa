namespace Rdns.Control.Dnssec;

/// <summary>
/// Seals DNSSEC private keys before they reach the store, as TSIG secrets are
/// (<see cref="SecretSeal"/>: AES-256-GCM, the zone and key id as associated data so a sealed key
/// cannot be moved to another zone or row). The seal key comes from <see cref="EnvironmentVariable"/>
/// (base64 of 32 octets) when set, else from the data directory (<see cref="FileName"/>, mode
/// 0600, made on first use). Every node of one store needs the same seal key (docs/DNSSEC.md).
/// </summary>
public sealed class KeySeal
{
    public const string FileName = "dnssec-seal.key";

    public const string EnvironmentVariable = "RDNS_DNSSEC_SEAL_KEY";

    private readonly SecretSeal _seal;

    public KeySeal(ReadOnlySpan<byte> key)
        : this(new SecretSeal(key))
    {
    }

    private KeySeal(SecretSeal seal)
    {
        _seal = seal;
    }

    /// <summary>Where the seal key came from, for the log and errors.</summary>
    public string Source => _seal.Source;

    /// <summary>The seal key of <see cref="EnvironmentVariable"/> when set, else of the data directory (created 0600 on first use).</summary>
    public static KeySeal ForDataDirectory(string directory, Func<string, string?>? environment = null) =>
        new(SecretSeal.ForDataDirectory(directory, FileName, EnvironmentVariable, environment));

    public byte[] Seal(string zone, string keyId, ReadOnlySpan<byte> privateKey) => _seal.Seal(Associated(zone, keyId), privateKey);

    /// <summary>The private key, or null when it was sealed with another seal key (or damaged, or moved).</summary>
    public byte[]? Open(string zone, string keyId, ReadOnlySpan<byte> sealedKey) => _seal.Open(Associated(zone, keyId), sealedKey);

    private static byte[] Associated(string zone, string keyId) => System.Text.Encoding.UTF8.GetBytes(zone.ToLowerInvariant() + " " + keyId);
}
