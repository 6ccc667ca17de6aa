using Rdns.Control.Dnssec;
using Rdns.Control.Updates;

namespace Rdns.Control.Tests.Dnssec;

/// <summary>DNSSEC private keys sealed like TSIG secrets: under a key from the environment or the data directory (0600), bound to their zone and row.</summary>
public sealed class KeySealTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rdns-seal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_sealed_key_opens_only_with_its_seal_key_zone_and_id()
    {
        var seal = KeySeal.ForDataDirectory(_directory, _ => null);
        byte[] secret = [1, 2, 3, 4, 5, 6, 7, 8];
        var sealedKey = seal.Seal("2.0.192.in-addr.arpa.", "k1", secret);
        Assert.Equal(-1, sealedKey.AsSpan().IndexOf(secret));
        Assert.Equal(secret, seal.Open("2.0.192.IN-ADDR.ARPA.", "k1", sealedKey));
        Assert.Null(seal.Open("3.0.192.in-addr.arpa.", "k1", sealedKey));
        Assert.Null(seal.Open("2.0.192.in-addr.arpa.", "k2", sealedKey));
        // The same directory gives the same key (a restart); another directory another one.
        Assert.Equal(secret, KeySeal.ForDataDirectory(_directory, _ => null).Open("2.0.192.in-addr.arpa.", "k1", sealedKey));
        var elsewhere = Directory.CreateTempSubdirectory("rdns-seal-").FullName;
        try
        {
            Assert.Null(KeySeal.ForDataDirectory(elsewhere, _ => null).Open("2.0.192.in-addr.arpa.", "k1", sealedKey));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, KeySeal.FileName)));
    }

    [Fact]
    public void The_environment_variable_wins_over_the_file_and_bad_values_are_named()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var fromEnvironment = KeySeal.ForDataDirectory(_directory, name => name == KeySeal.EnvironmentVariable ? key : null);
        Assert.Equal(KeySeal.EnvironmentVariable, fromEnvironment.Source);
        Assert.False(File.Exists(Path.Combine(_directory, KeySeal.FileName)));
        var sealedKey = fromEnvironment.Seal("z.", "k", [9, 9]);
        Assert.Equal([9, 9], new KeySeal(Convert.FromBase64String(key)).Open("z.", "k", sealedKey));

        var bad = Assert.Throws<InvalidDataException>(() => KeySeal.ForDataDirectory(_directory, _ => "AAAA"));
        Assert.Contains(KeySeal.EnvironmentVariable, bad.Message, StringComparison.Ordinal);
        Assert.Contains("32 octets", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tsig_secrets_sealed_before_still_open()
    {
        // The format is the one TSIG secrets were sealed with: one octet, nonce, ciphertext, tag.
        var seal = TsigSecretSeal.ForDataDirectory(_directory);
        var sealedSecret = seal.Seal("Ops.", [7, 7, 7]);
        Assert.Equal(1, sealedSecret[0]);
        Assert.Equal(1 + 12 + 3 + 16, sealedSecret.Length);
        Assert.Equal([7, 7, 7], TsigSecretSeal.ForDataDirectory(_directory).Open("ops.", sealedSecret));
    }
}
