using System.Buffers.Binary;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Tests.Tsig;

/// <summary>A clock that stands still until a test moves it.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public ManualClock() : this(Start)
    {
    }

    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>Messages and keys the TSIG tests sign and check.</summary>
public static class TsigMessages
{
    public static readonly DnsName Zone = DnsName.Parse("2.0.192.in-addr.arpa.");

    public static TsigKey Key(TsigAlgorithm algorithm = TsigAlgorithm.HmacSha256, string name = "transfer.example.", byte fill = 0x5A)
    {
        var secret = new byte[TsigAlgorithms.MacSize(algorithm)];
        for (int i = 0; i < secret.Length; i++)
            secret[i] = (byte)(fill + i);
        return new TsigKey(DnsName.Parse(name), algorithm, secret);
    }

    /// <summary>A query in a 64 KiB buffer; returns its length.</summary>
    public static int Query(byte[] buffer, ushort id = 0x1234, RecordType type = RecordType.SOA)
    {
        var w = new DnsMessageWriter(buffer, buffer.Length) { Id = id, Flags = DnsHeader.MakeFlags(HeaderFlags.None, Opcode.Query, 0) };
        w.TryWriteQuestion(Zone.Wire, type, RecordClass.IN);
        return w.Finish();
    }

    /// <summary>
    /// Message <paramref name="sequence"/> of an answer to <paramref name="id"/>: the question and
    /// a few PTR records that differ per message, as the messages of a transfer do.
    /// </summary>
    public static int Answer(byte[] buffer, ushort id = 0x1234, int sequence = 0, Rcode rcode = Rcode.NoError)
    {
        var w = new DnsMessageWriter(buffer, buffer.Length) { Id = id, Flags = DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, (int)rcode) };
        w.TryWriteQuestion(Zone.Wire, RecordType.AXFR, RecordClass.IN);
        if (rcode == Rcode.NoError)
        {
            for (int i = 1; i <= 3; i++)
            {
                var owner = Zone.Prepend((sequence * 3 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.TryWriteRecord(Section.Answer, owner.Wire, RecordType.PTR, RecordClass.IN, 3600, Rdata.Ptr(DnsName.Parse($"host{sequence * 3 + i}.example.")));
            }
        }
        return w.Finish();
    }

    public static ushort ArCount(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message[10..]);

    public static int RcodeOf(ReadOnlySpan<byte> message) => message[3] & 0xF;

    public static int FindTsig(ReadOnlySpan<byte> message)
    {
        Assert.True(TsigVerifier.TryFindTsig(message, out int offset), "message is malformed or its TSIG is misplaced");
        return offset;
    }

    /// <summary>The TSIG record's fields, read with the general message parser.</summary>
    public static TsigView View(ReadOnlySpan<byte> message)
    {
        var parsed = DnsMessage.Parse(message);
        var rr = parsed.Tsig ?? throw new InvalidOperationException("no TSIG record");
        var data = rr.Data.AsSpan();
        int pos = WireName.Skip(data, 0);
        var algorithm = DnsName.FromWire(data[..pos]);
        ulong time = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(data[pos..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 2)..]);
        ushort fudge = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 6)..]);
        int macSize = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 8)..]);
        var mac = data.Slice(pos + 10, macSize).ToArray();
        pos += 10 + macSize;
        ushort originalId = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
        var error = (TsigError)BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
        int otherLength = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 4)..]);
        var other = data.Slice(pos + 6, otherLength).ToArray();
        return new TsigView(rr.Owner, rr.Class, rr.Ttl, algorithm, time, fudge, mac, originalId, error, other);
    }

    /// <summary>
    /// Rewrites the message's TSIG MAC to its first <paramref name="macSize"/> octets (padding with
    /// zeros when longer), adjusting MAC Size and RDLENGTH: a sender's truncation (RFC 8945 §5.2.2.1).
    /// </summary>
    public static byte[] WithMacSize(ReadOnlySpan<byte> message, int macSize)
    {
        int tsig = FindTsig(message);
        int afterOwner = WireName.Skip(message, tsig);
        int rdStart = afterOwner + 10;
        int afterAlgorithm = WireName.Skip(message, rdStart);
        int macSizeAt = afterAlgorithm + 8;
        int oldSize = BinaryPrimitives.ReadUInt16BigEndian(message[macSizeAt..]);
        var mac = message.Slice(macSizeAt + 2, oldSize).ToArray();
        Array.Resize(ref mac, macSize);
        var result = new List<byte>();
        result.AddRange(message[..(macSizeAt)].ToArray());
        result.Add((byte)(macSize >> 8));
        result.Add((byte)macSize);
        result.AddRange(mac);
        result.AddRange(message[(macSizeAt + 2 + oldSize)..].ToArray());
        var bytes = result.ToArray();
        int rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(afterOwner + 8)..]) + macSize - oldSize;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(afterOwner + 8), (ushort)rdLength);
        return bytes;
    }
}

public sealed record TsigView(DnsName KeyName, RecordClass Class, uint Ttl, DnsName Algorithm, ulong TimeSigned, ushort Fudge,
    byte[] Mac, ushort OriginalId, TsigError Error, byte[] OtherData);
