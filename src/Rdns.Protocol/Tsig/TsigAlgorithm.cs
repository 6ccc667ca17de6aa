using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tsig;

/// <summary>
/// The HMAC algorithms a TSIG key can use (RFC 8945 §6). HMAC-MD5 (MUST NOT be used) and
/// HMAC-SHA224 (no implementation in .NET's cryptography) are not offered.
/// </summary>
public enum TsigAlgorithm
{
    /// <summary>For old peers only: RFC 8945 §6 marks it NOT RECOMMENDED for use.</summary>
    HmacSha1,

    /// <summary>RFC 8945 §6: mandatory to implement and RECOMMENDED for use.</summary>
    HmacSha256,
    HmacSha384,
    HmacSha512,
}

/// <summary>Names, sizes and hash functions of the <see cref="TsigAlgorithm"/> values.</summary>
public static class TsigAlgorithms
{
    private static readonly TsigAlgorithm[] All = [TsigAlgorithm.HmacSha256, TsigAlgorithm.HmacSha512, TsigAlgorithm.HmacSha384, TsigAlgorithm.HmacSha1];

    // The algorithm names are domain names (RFC 8945 §6); held here in wire form, lower case.
    private static readonly DnsName Sha1Name = DnsName.Parse("hmac-sha1.");
    private static readonly DnsName Sha256Name = DnsName.Parse("hmac-sha256.");
    private static readonly DnsName Sha384Name = DnsName.Parse("hmac-sha384.");
    private static readonly DnsName Sha512Name = DnsName.Parse("hmac-sha512.");

    /// <summary>Every supported algorithm, the recommended one first.</summary>
    public static IReadOnlyList<TsigAlgorithm> Supported => All;

    /// <summary>The algorithm's name as it appears in the TSIG record, e.g. <c>hmac-sha256.</c>.</summary>
    public static DnsName NameOf(TsigAlgorithm algorithm) => algorithm switch
    {
        TsigAlgorithm.HmacSha1 => Sha1Name,
        TsigAlgorithm.HmacSha256 => Sha256Name,
        TsigAlgorithm.HmacSha384 => Sha384Name,
        TsigAlgorithm.HmacSha512 => Sha512Name,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The name as BIND's and Knot's configuration spell it: <c>hmac-sha256</c>.</summary>
    public static string ToText(TsigAlgorithm algorithm) => algorithm switch
    {
        TsigAlgorithm.HmacSha1 => "hmac-sha1",
        TsigAlgorithm.HmacSha256 => "hmac-sha256",
        TsigAlgorithm.HmacSha384 => "hmac-sha384",
        TsigAlgorithm.HmacSha512 => "hmac-sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The output of the keyed hash in octets: the full MAC size and the size of a generated secret.</summary>
    public static int MacSize(TsigAlgorithm algorithm) => algorithm switch
    {
        TsigAlgorithm.HmacSha1 => 20,
        TsigAlgorithm.HmacSha256 => 32,
        TsigAlgorithm.HmacSha384 => 48,
        TsigAlgorithm.HmacSha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>
    /// The shortest MAC accepted: RFC 8945 §5.2.2.1 forbids truncating below the larger of 10
    /// octets and half the hash output.
    /// </summary>
    public static int MinimumMacSize(TsigAlgorithm algorithm) => Math.Max(10, MacSize(algorithm) / 2);

    /// <summary>The largest MAC of any supported algorithm.</summary>
    public const int MaxMacSize = 64;

    /// <summary>
    /// Parses the configuration spelling (<c>hmac-sha256</c>, any case, a trailing dot allowed).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TsigAlgorithm algorithm)
    {
        if (text.EndsWith("."))
            text = text[..^1];
        foreach (var candidate in All)
        {
            if (text.Equals(ToText(candidate), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }
        algorithm = default;
        return false;
    }

    /// <summary>Recognises an algorithm name in wire form, ignoring case (names compare that way, RFC 4343).</summary>
    public static bool TryFromWire(ReadOnlySpan<byte> wireName, out TsigAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (WireName.EqualsIgnoreCase(wireName, NameOf(candidate).Wire))
            {
                algorithm = candidate;
                return true;
            }
        }
        algorithm = default;
        return false;
    }

    /// <summary>The supported spellings, for error messages: <c>hmac-sha256, hmac-sha512, ...</c>.</summary>
    public static string SupportedText => string.Join(", ", All.Select(ToText));

    internal static HashAlgorithmName HashName(TsigAlgorithm algorithm) => algorithm switch
    {
        TsigAlgorithm.HmacSha1 => HashAlgorithmName.SHA1,
        TsigAlgorithm.HmacSha256 => HashAlgorithmName.SHA256,
        TsigAlgorithm.HmacSha384 => HashAlgorithmName.SHA384,
        TsigAlgorithm.HmacSha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>True for a name the RFC lists but we do not implement, so a message can say so.</summary>
    internal static bool IsKnownUnsupported(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? reason)
    {
        if (text.EndsWith("."))
            text = text[..^1];
        string lowered = text.ToString().ToLowerInvariant();
        reason = lowered switch
        {
            "hmac-md5" or "hmac-md5.sig-alg.reg.int" => "RFC 8945 §6 says HMAC-MD5 MUST NOT be used",
            "hmac-sha224" => "HMAC-SHA224 is not implemented",
            "hmac-sha256-128" or "hmac-sha384-192" or "hmac-sha512-256" => "truncated-MAC algorithm names are not implemented",
            _ => null,
        };
        return reason is not null;
    }
}
