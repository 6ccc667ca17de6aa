using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using static Rdns.Fuzz.FuzzTargets;

namespace Rdns.Fuzz;

/// <summary>
/// The slot for RFC 2136 UPDATE. UPDATE parsing does not exist yet; until it does, this target
/// fuzzes what it will be built on: the generic reading of every section of a message (zone,
/// prerequisite, update and additional sections are the question, answer, authority and
/// additional sections on the wire, RFC 2136 §2), with compressed names in owners and RDATA, and
/// the RDATA codecs both ways. The seeds are UPDATE messages (opcode 5, class NONE and ANY,
/// empty RDATA). When the UPDATE parser lands, call it in <see cref="Run"/> after the checks below.
/// </summary>
internal sealed class UpdateTarget : IFuzzTarget
{
    public void Run(ReadOnlySpan<byte> input)
    {
        // The reader the hot path uses: no allocation, no exception, positions only move forward.
        var reader = new DnsMessageReader(input);
        if (!reader.TryReadHeader(out var header))
            return;
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        for (int i = 0; i < header.QdCount; i++)
        {
            if (!reader.TryReadQuestion(name, out int length, out _, out _))
                return;
            Check(length is >= 1 and <= DnsName.MaxLength, $"a question name of {length} octets");
        }
        int total = header.AnCount + header.NsCount + header.ArCount;
        for (int i = 0; i < total; i++)
        {
            int before = reader.Position;
            if (!reader.TryReadRecord(name, out var view))
                break;
            Check(reader.Position > before && view.DataOffset + view.DataLength == reader.Position, "a record that does not advance the reader");
            var owner = DnsName.FromWire(name[..view.OwnerLength]);
            if (DnsMessage.TryDecompressData(input, view, out var data))
                TextRoundTrip(owner, view.Type, data);
        }

        // The object model clients, transfers and tests use: what parses writes back the same.
        if (!DnsMessage.TryParse(input, out var message, out _))
            return;
        byte[] wire;
        try
        {
            wire = message.ToWire();
        }
        catch (InvalidOperationException) when (input.Length > 16 * 1024)
        {
            // Compressed names expand when copied out of a message: a large enough input
            // rightly no longer fits in one.
            return;
        }
        Check(DnsMessage.TryParse(wire, out var again, out var error), $"a parsed message written back does not parse: {error}");
        Check(again.ToString() == message.ToString() && again.Edns?.PayloadSize == message.Edns?.PayloadSize &&
            again.Tsig?.Data.AsSpan().SequenceEqual(message.Tsig!.Data) != false, $"a message changed when written back:\n{message}\n{again}");
    }

    /// <summary>Valid RDATA of a data type presents as text that parses back to the same RDATA.</summary>
    private static void TextRoundTrip(DnsName owner, RecordType type, byte[] data)
    {
        if (!RdataParser.IsDataType(type) || !Rdata.IsValid(type, data))
            return;
        var text = Rdata.ToText(type, data);
        Check(RdataParser.TryParse(type, text, null, out var parsed, out var error), $"{owner} {type} '{text}' does not parse back: {error}");
        Check(Rdata.Equal(type, parsed, data), $"{owner} {type} '{text}' parses back as other RDATA");
    }
}
