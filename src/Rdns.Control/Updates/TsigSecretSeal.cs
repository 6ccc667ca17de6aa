using System.Security.Cryptography;

namespace Rdns.Control.Updates;

/// <summary>
/// Encrypts TSIG secrets before they reach the store and decrypts them when keys are loaded
/// (AES-256-GCM, a random 96-bit nonce per secret, the key name as associated data so a sealed
/// secret cannot be moved to another key). TSIG needs the secret itself for its HMAC, so it cannot
/// be hashed as API keys are; sealing means a copy of the database (a backup, a replica, a dump)
/// holds no usable secret without the seal key, which lives in the data directory
/// (<see cref="FileName"/>, mode 0600) and never in the store. Nodes sharing a store need the same
/// file (docs/DDNS.md).
/// </summary>
public sealed class TsigSecretSeal
{
    public const string FileName = "tsig-seal.key";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const byte Format = 1;

    private readonly byte[] _key;

    public TsigSecretSeal(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
            throw new ArgumentException("the seal key is 32 octets", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>The seal key of a data directory, created (0600) on first use.</summary>
    public static TsigSecretSeal ForDataDirectory(string directory)
    {
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
        var text = File.ReadAllText(path).Trim();
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path}: not a base64 seal key");
        }
        if (key.Length != 32)
            throw new InvalidDataException($"{path}: a seal key is 32 octets of base64, this holds {key.Length}");
        return new TsigSecretSeal(key);
    }

    public byte[] Seal(string keyName, ReadOnlySpan<byte> secret)
    {
        var sealedSecret = new byte[1 + NonceSize + secret.Length + TagSize];
        sealedSecret[0] = Format;
        var nonce = sealedSecret.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, secret, sealedSecret.AsSpan(1 + NonceSize, secret.Length), sealedSecret.AsSpan(1 + NonceSize + secret.Length), Associated(keyName));
        return sealedSecret;
    }

    /// <summary>The secret, or null when it was sealed with another seal key (or damaged).</summary>
    public byte[]? Open(string keyName, ReadOnlySpan<byte> sealedSecret)
    {
        if (sealedSecret.Length < 1 + NonceSize + TagSize + 1 || sealedSecret[0] != Format)
            return null;
        int length = sealedSecret.Length - 1 - NonceSize - TagSize;
        var secret = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedSecret.Slice(1, NonceSize), sealedSecret.Slice(1 + NonceSize, length), sealedSecret[^TagSize..], secret, Associated(keyName));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return secret;
    }

    private static byte[] Associated(string keyName) => System.Text.Encoding.UTF8.GetBytes(keyName.ToLowerInvariant());
}
