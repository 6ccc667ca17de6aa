using System.Buffers.Binary;

namespace Rdns.Protocol.Wire;

/// <summary>What a message's OPT record says (RFC 6891 §6.1).</summary>
public struct EdnsInfo
{
    /// <summary>1232: fits the 1280-octet IPv6 minimum MTU minus IPv6 and UDP headers (DNS Flag Day 2020).</summary>
    public const ushort DefaultPayloadSize = 1232;

    /// <summary>RFC 6891 §6.2.5: values below 512 are treated as 512.</summary>
    public const ushort MinimumPayloadSize = 512;

    public bool Present;
    public ushort PayloadSize;
    public byte ExtendedRcode;
    public byte Version;
    public bool DnssecOk;

    /// <summary>Compact Answers OK (RFC 9824 §4): the client takes NXDOMAIN with a compact denial.</summary>
    public bool CompactOk;
    public int OptionsOffset;
    public int OptionsLength;

    /// <summary>Reads the fixed part of an OPT record from its <see cref="RecordView"/>.</summary>
    public static EdnsInfo FromRecord(in RecordView record)
    {
        uint ttl = record.Ttl;
        return new EdnsInfo
        {
            Present = true,
            PayloadSize = (ushort)record.Class,
            ExtendedRcode = (byte)(ttl >> 24),
            Version = (byte)(ttl >> 16),
            DnssecOk = (ttl & 0x8000) != 0,
            CompactOk = (ttl & 0x4000) != 0,
            OptionsOffset = record.DataOffset,
            OptionsLength = record.DataLength,
        };
    }

    /// <summary>Checks that the options are well-formed TLVs (RFC 6891 §6.1.2).</summary>
    public readonly bool OptionsWellFormed(ReadOnlySpan<byte> message)
    {
        var options = message.Slice(OptionsOffset, OptionsLength);
        int pos = 0;
        while (pos < options.Length)
        {
            if (pos + 4 > options.Length)
                return false;
            int len = BinaryPrimitives.ReadUInt16BigEndian(options[(pos + 2)..]);
            pos += 4 + len;
        }
        return pos == options.Length;
    }
}
