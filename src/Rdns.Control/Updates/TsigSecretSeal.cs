namespace Rdns.Control.Updates;

/// <summary>
/// Seals TSIG secrets before they reach the store (<see cref="SecretSeal"/>, the key name as
/// associated data so a sealed secret cannot be moved to another key). TSIG needs the secret
/// itself for its HMAC, so it cannot be hashed as API keys are; the seal key lives in the data
/// directory (<see cref="FileName"/>, mode 0600) and never in the store. Nodes sharing a store
/// need the same file (docs/DDNS.md).
/// </summary>
public sealed class TsigSecretSeal
{
    public const string FileName = "tsig-seal.key";

    private readonly SecretSeal _seal;

    public TsigSecretSeal(ReadOnlySpan<byte> key)
        : this(new SecretSeal(key))
    {
    }

    private TsigSecretSeal(SecretSeal seal)
    {
        _seal = seal;
    }

    /// <summary>The seal key of a data directory, created (0600) on first use.</summary>
    public static TsigSecretSeal ForDataDirectory(string directory) => new(SecretSeal.ForDataDirectory(directory, FileName));

    public byte[] Seal(string keyName, ReadOnlySpan<byte> secret) => _seal.Seal(Associated(keyName), secret);

    /// <summary>The secret, or null when it was sealed with another seal key (or damaged).</summary>
    public byte[]? Open(string keyName, ReadOnlySpan<byte> sealedSecret) => _seal.Open(Associated(keyName), sealedSecret);

    private static byte[] Associated(string keyName) => System.Text.Encoding.UTF8.GetBytes(keyName.ToLowerInvariant());
}
