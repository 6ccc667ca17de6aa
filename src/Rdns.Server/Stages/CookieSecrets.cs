using System.Security.Cryptography;

namespace Rdns.Server.Stages;

/// <summary>
/// The server secret cookies are made with, and the previous one, which still validates cookies
/// handed out before a rollover (RFC 9018 §5). Every node of one store must hold the same pair,
/// so a client's cookie is good at any of them (anycast); the host keeps it in step with the store.
/// </summary>
public sealed class CookieSecrets
{
    public const int Size = 16;

    private volatile Pair _pair;

    private sealed record Pair(byte[] Current, byte[]? Previous);

    public CookieSecrets(byte[]? current = null, byte[]? previous = null)
    {
        _pair = new Pair(Check(current ?? RandomNumberGenerator.GetBytes(Size)), previous is null ? null : Check(previous));
    }

    public byte[] Current => _pair.Current;

    public byte[]? Previous => _pair.Previous;

    /// <summary>Swaps in a new pair at once; queries in flight finish with the old one.</summary>
    public void Set(byte[] current, byte[]? previous) => _pair = new Pair(Check(current), previous is null ? null : Check(previous));

    private static byte[] Check(byte[] secret) =>
        secret.Length == Size ? secret : throw new ArgumentException($"a cookie secret is {Size} octets (SipHash-2-4 key), not {secret.Length}");
}
