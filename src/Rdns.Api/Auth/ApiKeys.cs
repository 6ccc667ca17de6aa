using System.Security.Cryptography;
using System.Text;

namespace Rdns.Api.Auth;

/// <summary>API keys: 256 random bits, shown once; only their SHA-256 is stored.</summary>
public static class ApiKeys
{
    public const string Prefix = "rdns_";
    public const string AdminRole = "admin";
    public const string TenantRole = "tenant";

    /// <summary>A new key and its id (the id is public: it names the key in audit logs without revealing it).</summary>
    public static (string Id, string Key) Generate()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        var key = Prefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var id = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return (id, key);
    }

    /// <summary>
    /// SHA-256 of the key. A fast hash is right here: the key has 256 bits of entropy, so there is
    /// nothing for a slow password hash to protect against.
    /// </summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
