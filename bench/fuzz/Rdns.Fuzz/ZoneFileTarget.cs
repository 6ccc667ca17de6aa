using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using static Rdns.Fuzz.FuzzTargets;

namespace Rdns.Fuzz;

/// <summary>
/// The zone-file reader on any text (as <c>POST /v1/zones/{name}/import</c> and
/// <c>rdns serve --zones</c> feed it). The first octet picks the options (bit 0: an origin, bit 1:
/// zone checking, bit 2: a default TTL); the rest is the text, as UTF-8. <c>$INCLUDE</c> stays
/// off, as for every text that does not come from the operator's own disk, so the fuzzer never
/// touches the file system. The only exception allowed is <see cref="ZoneFileException"/>, and
/// its line must be one of the input's. Whatever is read must also survive
/// <see cref="ZoneFileWriter"/>: written out and read back, the same records.
/// </summary>
internal sealed class ZoneFileTarget : IFuzzTarget
{
    private static readonly DnsName Origin = DnsName.Parse("2.0.192.in-addr.arpa.");

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        byte mode = input[0];
        var text = Encoding.UTF8.GetString(input[1..]);
        var options = new ZoneFileOptions
        {
            Origin = (mode & 1) != 0 ? Origin : null,
            CheckZone = (mode & 3) == 3,
            DefaultTtl = (mode & 4) != 0 ? 300 : null,
            // Small limits keep one execution short; the limits themselves are what is checked.
            MaxGenerateCount = 64,
            MaxRecords = 2048,
        };
        List<ResourceRecord> records;
        try
        {
            records = ZoneFileReader.ReadText(text, options, "fuzz");
        }
        catch (ZoneFileException e)
        {
            int lines = 1 + text.Count(c => c == '\n');
            Check(e.Line >= 1 && e.Line <= lines, $"error on line {e.Line} of a {lines}-line text: {e.Message}");
            Check(e.FileName == "fuzz", $"error names file '{e.FileName}'");
            return;
        }
        foreach (var r in records)
            Check(Rdata.IsValid(r.Type, r.Data), $"the reader produced malformed RDATA: {r.Owner} {r.Type}");
        RoundTrip(records, options);
    }

    /// <summary>
    /// A zone (one SOA, everything at or below it) written by <see cref="ZoneFileWriter"/> reads
    /// back as the same records, octet for octet (names keep their case).
    /// </summary>
    private static void RoundTrip(List<ResourceRecord> records, ZoneFileOptions options)
    {
        var soas = records.Where(r => r.Type == RecordType.SOA).ToList();
        if (soas.Count != 1)
            return;
        var origin = soas[0].Owner;
        if (records.Any(r => !r.Owner.IsSubdomainOf(origin)))
            return;
        var text = ZoneFileWriter.ToText(origin, records);
        List<ResourceRecord> again;
        try
        {
            again = ZoneFileReader.ReadText(text, new ZoneFileOptions { Class = options.Class }, "written");
        }
        catch (ZoneFileException e)
        {
            throw new InvariantViolation($"the writer's text does not read back: {e.Message}\n{text}");
        }
        Check(again.Count == records.Count, $"{records.Count} records written, {again.Count} read back\n{text}");
        var expected = records.OrderBy(Key, StringComparer.Ordinal).ToList();
        var actual = again.OrderBy(Key, StringComparer.Ordinal).ToList();
        for (int i = 0; i < expected.Count; i++)
            Check(Key(expected[i]) == Key(actual[i]), $"'{expected[i]}' read back as '{actual[i]}'\n{text}");
    }

    private static string Key(ResourceRecord r) =>
        $"{Convert.ToHexString(r.Owner.Wire)} {(ushort)r.Type} {(ushort)r.Class} {r.Ttl} {Convert.ToHexString(r.Data)}";
}
