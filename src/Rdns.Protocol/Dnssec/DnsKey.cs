using System.Buffers.Binary;

namespace Rdns.Protocol.Dnssec;

/// <summary>DNSKEY RDATA (RFC 4034 §2): flags, protocol 3, algorithm, public key; and its key tag.</summary>
public static class DnsKey
{
    /// <summary>Zone Key flag (bit 7): the key signs zone data (RFC 4034 §2.1.1).</summary>
    public const ushort ZoneKeyFlag = 0x0100;

    /// <summary>Secure Entry Point flag (bit 15): a key-signing key, the one a DS points at (RFC 3757).</summary>
    public const ushort SepFlag = 0x0001;

    /// <summary>Flags of a zone-signing key.</summary>
    public const ushort ZskFlags = ZoneKeyFlag;

    /// <summary>Flags of a key-signing key or a combined signing key.</summary>
    public const ushort KskFlags = ZoneKeyFlag | SepFlag;

    public const byte Protocol = 3;

    public static byte[] Rdata(ushort flags, DnssecAlgorithm algorithm, ReadOnlySpan<byte> publicKey)
    {
        var data = new byte[4 + publicKey.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, flags);
        data[2] = Protocol;
        data[3] = (byte)algorithm;
        publicKey.CopyTo(data.AsSpan(4));
        return data;
    }

    public static ushort Flags(ReadOnlySpan<byte> rdata) => BinaryPrimitives.ReadUInt16BigEndian(rdata);

    public static DnssecAlgorithm Algorithm(ReadOnlySpan<byte> rdata) => (DnssecAlgorithm)rdata[3];

    public static ReadOnlySpan<byte> PublicKey(ReadOnlySpan<byte> rdata) => rdata[4..];

    /// <summary>The key tag of RFC 4034 Appendix B (every algorithm but RSA/MD5, which we do not have).</summary>
    public static ushort KeyTag(ReadOnlySpan<byte> rdata)
    {
        uint ac = 0;
        for (int i = 0; i < rdata.Length; i++)
            ac += (i & 1) != 0 ? rdata[i] : (uint)rdata[i] << 8;
        ac += (ac >> 16) & 0xFFFF;
        return (ushort)(ac & 0xFFFF);
    }

    /// <summary>Presentation form: <c>257 3 13 base64</c>.</summary>
    public static string ToText(ReadOnlySpan<byte> rdata) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Flags(rdata)} {rdata[2]} {rdata[3]} {Convert.ToBase64String(PublicKey(rdata))}");
}
