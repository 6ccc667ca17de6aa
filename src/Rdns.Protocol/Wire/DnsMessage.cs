using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Protocol.Wire;

public sealed record Question(DnsName Name, RecordType Type, RecordClass Class = RecordClass.IN);

/// <summary>EDNS(0) as a whole object, for clients and tests (the server uses <see cref="EdnsInfo"/>).</summary>
public sealed record EdnsOptions(ushort PayloadSize = EdnsInfo.DefaultPayloadSize, byte Version = 0, bool DnssecOk = false, byte[]? Options = null);

/// <summary>
/// A whole message as objects: for clients, transfers and tests, not for the query hot path.
/// </summary>
public sealed class DnsMessage
{
    public ushort Id { get; set; }
    public HeaderFlags Flags { get; set; }
    public Opcode Opcode { get; set; }

    /// <summary>The full RCODE: header bits plus OPT's extended bits when present.</summary>
    public int Rcode { get; set; }

    public List<Question> Questions { get; } = [];
    public List<ResourceRecord> Answers { get; } = [];
    public List<ResourceRecord> Authority { get; } = [];

    /// <summary>Additional records other than OPT.</summary>
    public List<ResourceRecord> Additional { get; } = [];

    public EdnsOptions? Edns { get; set; }

    /// <summary>The raw TSIG record when one ended the message (RFC 8945 §5.1).</summary>
    public ResourceRecord? Tsig { get; set; }

    public bool Has(HeaderFlags flag) => (Flags & flag) != 0;

    public static DnsMessage Query(DnsName name, RecordType type, ushort id = 0, bool recursionDesired = false, EdnsOptions? edns = null)
    {
        var m = new DnsMessage { Id = id, Opcode = Opcode.Query, Flags = recursionDesired ? HeaderFlags.RD : HeaderFlags.None, Edns = edns };
        m.Questions.Add(new Question(name, type));
        return m;
    }

    public byte[] ToWire(int maxSize = 65535)
    {
        // Written into a pooled buffer and copied out at its length: the 64 KiB a message may
        // reach is not allocated for every (usually small) message.
        var buffer = ArrayPool<byte>.Shared.Rent(maxSize);
        try
        {
            return buffer.AsSpan(0, Write(buffer, maxSize)).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int Write(byte[] buffer, int maxSize)
    {
        var w = new DnsMessageWriter(buffer, maxSize);
        int rcodeLow = Rcode & 0xF;
        w.Id = Id;
        w.Flags = DnsHeader.MakeFlags(Flags, Opcode, rcodeLow);
        int reserve = Edns is null ? 0 : 11 + (Edns.Options?.Length ?? 0);
        w.Reserve(reserve);
        foreach (var q in Questions)
            Check(w.TryWriteQuestion(q.Name.Wire, q.Type, q.Class));
        foreach (var r in Answers)
            Check(w.TryWriteRecord(Section.Answer, r.Owner.Wire, r.Type, r.Class, r.Ttl, r.Data));
        foreach (var r in Authority)
            Check(w.TryWriteRecord(Section.Authority, r.Owner.Wire, r.Type, r.Class, r.Ttl, r.Data));
        foreach (var r in Additional)
            Check(w.TryWriteRecord(Section.Additional, r.Owner.Wire, r.Type, r.Class, r.Ttl, r.Data));
        w.Release(reserve);
        if (Edns is not null)
            Check(w.TryWriteOpt(Edns.PayloadSize, (byte)(Rcode >> 4), Edns.Version, Edns.DnssecOk, Edns.Options));
        if (Tsig is not null)
            Check(w.TryWriteRecord(Section.Additional, Tsig.Owner.Wire, Tsig.Type, Tsig.Class, Tsig.Ttl, Tsig.Data));
        return w.Finish();

        static void Check(bool ok)
        {
            if (!ok)
                throw new InvalidOperationException("message does not fit");
        }
    }

    public static DnsMessage Parse(ReadOnlySpan<byte> wire)
    {
        if (!TryParse(wire, out var message, out var error))
            throw new FormatException(error);
        return message;
    }

    public static bool TryParse(ReadOnlySpan<byte> wire, [NotNullWhen(true)] out DnsMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        var reader = new DnsMessageReader(wire);
        if (!reader.TryReadHeader(out var header))
        {
            error = "shorter than a header";
            return false;
        }
        var m = new DnsMessage
        {
            Id = header.Id,
            Flags = (HeaderFlags)(header.Flags & 0x87F0),
            Opcode = header.Opcode,
            Rcode = header.Rcode,
        };
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        for (int i = 0; i < header.QdCount; i++)
        {
            if (!reader.TryReadQuestion(name, out int len, out var type, out var cls))
            {
                error = $"question {i + 1} malformed";
                return false;
            }
            m.Questions.Add(new Question(DnsName.FromWire(name[..len]), type, cls));
        }
        int total = header.AnCount + header.NsCount + header.ArCount;
        for (int i = 0; i < total; i++)
        {
            if (!reader.TryReadRecord(name, out var view))
            {
                error = $"record {i + 1} malformed";
                return false;
            }
            var owner = DnsName.FromWire(name[..view.OwnerLength]);
            if (view.Type == RecordType.OPT && i >= header.AnCount + header.NsCount)
            {
                var info = EdnsInfo.FromRecord(view);
                m.Edns = new EdnsOptions(info.PayloadSize, info.Version, info.DnssecOk, wire.Slice(view.DataOffset, view.DataLength).ToArray());
                m.Rcode |= info.ExtendedRcode << 4;
                continue;
            }
            if (!TryDecompressData(wire, view, out var data))
            {
                error = $"record {i + 1} has malformed RDATA";
                return false;
            }
            var rr = new ResourceRecord(owner, view.Type, view.Class, view.Ttl, data);
            if (view.Type == RecordType.TSIG && i == total - 1)
                m.Tsig = rr;
            else if (i < header.AnCount)
                m.Answers.Add(rr);
            else if (i < header.AnCount + header.NsCount)
                m.Authority.Add(rr);
            else
                m.Additional.Add(rr);
        }
        message = m;
        error = null;
        return true;
    }

    /// <summary>
    /// Copies RDATA out of a message, expanding compressed names of the types whose layout we know;
    /// the in-message part of each name must stay inside the RDATA.
    /// </summary>
    public static bool TryDecompressData(ReadOnlySpan<byte> message, in RecordView view, [NotNullWhen(true)] out byte[]? data)
    {
        data = null;
        var (prefix, names) = Rdata.NameLayout(view.Type);
        int end = view.DataOffset + view.DataLength;
        if (names == 0)
        {
            data = message.Slice(view.DataOffset, view.DataLength).ToArray();
            return true;
        }
        if (view.DataLength < prefix)
            return false;
        Span<byte> buffer = stackalloc byte[prefix + names * DnsName.MaxLength + 20];
        message.Slice(view.DataOffset, prefix).CopyTo(buffer);
        int written = prefix;
        int pos = view.DataOffset + prefix;
        for (int i = 0; i < names; i++)
        {
            int len = WireName.Read(message, pos, buffer[written..], out int next);
            if (len < 0 || next > end)
                return false;
            written += len;
            pos = next;
        }
        int tail = end - pos;
        if (tail != (view.Type == RecordType.SOA ? 20 : 0))
            return false;
        message.Slice(pos, tail).CopyTo(buffer[written..]);
        written += tail;
        data = buffer[..written].ToArray();
        return true;
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($";; id {Id} opcode {Opcode} rcode {Rcode} flags {Flags}\n");
        foreach (var q in Questions)
            sb.Append($";{q.Name} {RecordTypeText.ClassToText(q.Class)} {RecordTypeText.ToText(q.Type)}\n");
        foreach (var (title, list) in new[] { ("ANSWER", Answers), ("AUTHORITY", Authority), ("ADDITIONAL", Additional) })
        {
            if (list.Count == 0)
                continue;
            sb.Append($";; {title}\n");
            foreach (var r in list)
                sb.Append(r).Append('\n');
        }
        return sb.ToString();
    }
}
