using System.Buffers.Binary;
using System.Security.Cryptography;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Protocol.Tests.Tsig;

/// <summary>
/// TSIG computed the long way, straight from the RFC 8945 text with one-shot HMAC over a
/// concatenated buffer: an independent check of the signer's layout, and a way to build
/// message streams the signer never produces (unsigned messages in between, §5.3.1).
/// </summary>
public static class HandMadeTsig
{
    public static byte[] Hmac(TsigKey key, byte[] data) => key.Algorithm switch
    {
        TsigAlgorithm.HmacSha1 => HMACSHA1.HashData(key.Secret, data),
        TsigAlgorithm.HmacSha256 => HMACSHA256.HashData(key.Secret, data),
        TsigAlgorithm.HmacSha384 => HMACSHA384.HashData(key.Secret, data),
        TsigAlgorithm.HmacSha512 => HMACSHA512.HashData(key.Secret, data),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    public static byte[] U16(int v) => [(byte)(v >> 8), (byte)v];

    public static byte[] U48(ulong v) => [(byte)(v >> 40), (byte)(v >> 32), (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    /// <summary>§4.3.3: key name and algorithm in canonical (lower-case) form, class ANY, TTL 0, times, error, other.</summary>
    public static byte[] Variables(TsigKey key, ulong time, ushort fudge, TsigError error = TsigError.NoError, byte[]? other = null)
    {
        other ??= [];
        return [.. key.Name.ToLowerWire(), .. U16(255), 0, 0, 0, 0, .. TsigAlgorithms.NameOf(key.Algorithm).ToLowerWire(),
            .. U48(time), .. U16(fudge), .. U16((int)error), .. U16(other.Length), .. other];
    }

    /// <summary>§5.3.1: Time Signed and Fudge only.</summary>
    public static byte[] Timers(ulong time, ushort fudge) => [.. U48(time), .. U16(fudge)];

    /// <summary>A MAC as digested before a message: MAC Size, then MAC.</summary>
    public static byte[] Prior(byte[] mac) => [.. U16(mac.Length), .. mac];

    /// <summary>Appends a TSIG record carrying <paramref name="mac"/> and increments ARCOUNT.</summary>
    public static byte[] Append(byte[] message, TsigKey key, ulong time, ushort fudge, byte[] mac, TsigError error = TsigError.NoError, byte[]? other = null)
    {
        other ??= [];
        byte[] algorithm = TsigAlgorithms.NameOf(key.Algorithm).Wire.ToArray();
        byte[] rdata = [.. algorithm, .. U48(time), .. U16(fudge), .. U16(mac.Length), .. mac,
            .. message.AsSpan(0, 2).ToArray(), .. U16((int)error), .. U16(other.Length), .. other];
        byte[] result = [.. message, .. key.Name.Wire, .. U16(250), .. U16(255), 0, 0, 0, 0, .. U16(rdata.Length), .. rdata];
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(result.AsSpan(10)) + 1));
        return result;
    }

    /// <summary>The message as the MAC sees it: Original ID in the header, TSIG and its count gone.</summary>
    public static byte[] WithoutTsig(byte[] message, int tsigOffset)
    {
        var copy = message[..tsigOffset];
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(10)) - 1));
        return copy;
    }
}
