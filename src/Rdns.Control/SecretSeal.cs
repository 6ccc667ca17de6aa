using System.Security.Cryptography;

namespace Rdns.Control;

/// <summary>
/// Encrypts secrets before they reach the store and decrypts them when a node loads them
/// (AES-256-GCM, a random 96-bit nonce per secret, caller-chosen associated data so a sealed
/// secret cannot be moved to another row). A copy of the database (a backup, a replica, a dump)
/// holds no usable secret without the seal key, which never enters the store: it comes from an
/// environment variable (base64 of 32 octets) when the caller names one and it is set, else from a
/// file in the data directory (mode 0600, made on first use). Every node of one store needs the
/// same seal key. TSIG secrets (<see cref="Updates.TsigSecretSeal"/>) and DNSSEC private keys
/// (<see cref="Dnssec.KeySeal"/>) are sealed this way, each under its own key file.
/// </summary>
public sealed class SecretSeal
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const byte Format = 1;

    private readonly byte[] _key;

    public SecretSeal(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
            throw new ArgumentException("a seal key is 32 octets", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>Where the seal key came from (the variable or the file), for logs and errors.</summary>
    public string Source { get; private init; } = "given";

    /// <summary>
    /// The seal key of <paramref name="environmentVariable"/> when it is named and set, else of
    /// <paramref name="fileName"/> in <paramref name="directory"/> (created 0600 on first use).
    /// </summary>
    public static SecretSeal ForDataDirectory(string directory, string fileName, string? environmentVariable = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environmentVariable is not null && environment(environmentVariable) is { Length: > 0 } text)
            return new SecretSeal(Decode(text, environmentVariable)) { Source = environmentVariable };
        var path = Path.Combine(directory, fileName);
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
        return new SecretSeal(Decode(File.ReadAllText(path), path)) { Source = path };
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

    /// <summary>Format octet, nonce, ciphertext, tag.</summary>
    public byte[] Seal(ReadOnlySpan<byte> associated, ReadOnlySpan<byte> secret)
    {
        var sealedSecret = new byte[1 + NonceSize + secret.Length + TagSize];
        sealedSecret[0] = Format;
        var nonce = sealedSecret.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, secret, sealedSecret.AsSpan(1 + NonceSize, secret.Length), sealedSecret.AsSpan(1 + NonceSize + secret.Length), associated);
        return sealedSecret;
    }

    /// <summary>The secret, or null when it was sealed with another seal key or other associated data (or damaged).</summary>
    public byte[]? Open(ReadOnlySpan<byte> associated, ReadOnlySpan<byte> sealedSecret)
    {
        if (sealedSecret.Length < 1 + NonceSize + TagSize + 1 || sealedSecret[0] != Format)
            return null;
        int length = sealedSecret.Length - 1 - NonceSize - TagSize;
        var secret = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedSecret.Slice(1, NonceSize), sealedSecret.Slice(1 + NonceSize, length), sealedSecret[^TagSize..], secret, associated);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return secret;
    }
}
