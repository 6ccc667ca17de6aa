using System.Buffers.Binary;
using System.Security.Cryptography;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Dnssec;

/// <summary>DS and CDS RDATA (RFC 4034 §5, RFC 7344 §3.1): key tag, algorithm, digest type, digest of owner and DNSKEY RDATA.</summary>
public static class DelegationSigner
{
    /// <summary>SHA-256 (RFC 4509): what every parent accepts; SHA-1 (1) must not be used (RFC 8624 §3.3).</summary>
    public const byte Sha256 = 2;

    public const byte Sha384 = 4;

    /// <summary>The DS of <paramref name="dnskey"/> at <paramref name="owner"/>: digest over the lowercased owner and the DNSKEY RDATA (RFC 4034 §5.1.4).</summary>
    public static byte[] Rdata(DnsName owner, ReadOnlySpan<byte> dnskey, byte digestType = Sha256)
    {
        var lower = owner.ToLowerWire();
        var input = new byte[lower.Length + dnskey.Length];
        lower.CopyTo(input, 0);
        dnskey.CopyTo(input.AsSpan(lower.Length));
        byte[] digest = digestType switch
        {
            Sha256 => SHA256.HashData(input),
            Sha384 => SHA384.HashData(input),
            _ => throw new ArgumentOutOfRangeException(nameof(digestType), digestType, "digest types 2 (SHA-256) and 4 (SHA-384) are supported"),
        };
        var data = new byte[4 + digest.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, DnsKey.KeyTag(dnskey));
        data[2] = dnskey[3];
        data[3] = digestType;
        digest.CopyTo(data, 4);
        return data;
    }

    /// <summary>Presentation form: <c>12345 13 2 HEX</c>.</summary>
    public static string ToText(ReadOnlySpan<byte> rdata) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {rdata[2]} {rdata[3]} {Convert.ToHexString(rdata[4..])}");

    /// <summary>The key tag a DS names.</summary>
    public static ushort KeyTag(ReadOnlySpan<byte> rdata) => BinaryPrimitives.ReadUInt16BigEndian(rdata);
}
