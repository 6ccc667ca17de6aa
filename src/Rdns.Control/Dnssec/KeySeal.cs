using System.Security.Cryptography;

namespace Rdns.Control.Dnssec;

/// <summary>
/// Encrypts DNSSEC private keys before they reach the store and decrypts them when a node loads
/// them (AES-256-GCM, a random 96-bit nonce per key, the zone and key id as associated data so a
/// sealed key cannot be moved to another zone or row). A copy of the database (a backup, a
/// replica) holds no usable key without the seal key, which comes from the environment
/// (<see cref="EnvironmentVariable"/>, base64 of 32 octets) or else from the data directory
/// (<see cref="FileName"/>, mode 0600, made on first use). Every node of one store needs the same
/// seal key (docs/DNSSEC.md).
/// </summary>
public sealed class KeySeal
{
    public const string FileName = "dnssec-seal.key";

    public const string EnvironmentVariable = "RDNS_DNSSEC_SEAL_KEY";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const byte Format = 1;

    private readonly byte[] _key;

    public KeySeal(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
            throw new ArgumentException("a seal key is 32 octets", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>Where the seal key came from, for the start-up log.</summary>
    public string Source { get; private init; } = "given";

    /// <summary>The seal key of <see cref="EnvironmentVariable"/> when set, else of the data directory (created 0600 on first use).</summary>
    public static KeySeal ForDataDirectory(string directory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(EnvironmentVariable) is { Length: > 0 } text)
            return new KeySeal(Decode(text, EnvironmentVariable)) { Source = EnvironmentVariable };
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using var stream = new FileStream(path, options);
                using var writer = new StreamWriter(stream);
                writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process wrote it first; use theirs.
            }
        }
        return new KeySeal(Decode(File.ReadAllText(path).Trim(), path)) { Source = path };
    }

    private static byte[] Decode(string text, string where)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{where}: not a base64 seal key");
        }
        if (key.Length != 32)
            throw new InvalidDataException($"{where}: a seal key is 32 octets of base64, this holds {key.Length}");
        return key;
    }

    public byte[] Seal(string zone, string keyId, ReadOnlySpan<byte> privateKey)
    {
        var sealedKey = new byte[1 + NonceSize + privateKey.Length + TagSize];
        sealedKey[0] = Format;
        var nonce = sealedKey.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, privateKey, sealedKey.AsSpan(1 + NonceSize, privateKey.Length), sealedKey.AsSpan(1 + NonceSize + privateKey.Length), Associated(zone, keyId));
        return sealedKey;
    }

    /// <summary>The private key, or null when it was sealed with another seal key (or damaged).</summary>
    public byte[]? Open(string zone, string keyId, ReadOnlySpan<byte> sealedKey)
    {
        if (sealedKey.Length < 1 + NonceSize + TagSize + 1 || sealedKey[0] != Format)
            return null;
        int length = sealedKey.Length - 1 - NonceSize - TagSize;
        var privateKey = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedKey.Slice(1, NonceSize), sealedKey.Slice(1 + NonceSize, length), sealedKey[^TagSize..], privateKey, Associated(zone, keyId));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return privateKey;
    }

    private static byte[] Associated(string zone, string keyId) => System.Text.Encoding.UTF8.GetBytes(zone.ToLowerInvariant() + " " + keyId);
}
