using System.Diagnostics.CodeAnalysis;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

using Rdns.Zones.Updates;

namespace Rdns.Server.Update;

/// <summary>
/// An UPDATE request (RFC 2136 §2): the zone section (the header's QDCOUNT is ZOCOUNT), the
/// prerequisites (ANCOUNT is PRCOUNT), the updates (NSCOUNT is UPCOUNT). The additional section
/// carries only OPT and TSIG, which the pipeline has already found. Parsed off the receive loop,
/// so it may allocate.
/// </summary>
public sealed class UpdateMessage
{
    private UpdateMessage(DnsName zone, RecordClass zoneClass, IReadOnlyList<UpdateRecord> prerequisites, IReadOnlyList<UpdateRecord> updates)
    {
        Zone = zone;
        ZoneClass = zoneClass;
        Prerequisites = prerequisites;
        Updates = updates;
    }

    public DnsName Zone { get; }

    public RecordClass ZoneClass { get; }

    public IReadOnlyList<UpdateRecord> Prerequisites { get; }

    public IReadOnlyList<UpdateRecord> Updates { get; }

    /// <summary>
    /// Reads the message; false (with the reason) when it is malformed: FORMERR (RFC 2136 §3.1.1:
    /// ZOCOUNT must be 1 and ZTYPE SOA; §3.8 answers FORMERR to anything it cannot parse).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, [NotNullWhen(true)] out UpdateMessage? update, [NotNullWhen(false)] out string? error)
    {
        update = null;
        var reader = new DnsMessageReader(message);
        if (!reader.TryReadHeader(out var header))
        {
            error = "shorter than a header";
            return false;
        }
        if (header.QdCount != 1)
        {
            error = $"the zone section holds {header.QdCount} entries; RFC 2136 §3.1.1 wants exactly one";
            return false;
        }
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        if (!reader.TryReadQuestion(name, out int zoneLength, out var zoneType, out var zoneClass))
        {
            error = "the zone section is malformed";
            return false;
        }
        if (zoneType != RecordType.SOA)
        {
            error = $"the zone section's type is {RecordTypeText.ToText(zoneType)}; RFC 2136 §3.1.1 wants SOA";
            return false;
        }
        var zone = DnsName.FromWire(name[..zoneLength]);
        var prerequisites = new List<UpdateRecord>(header.AnCount);
        var updates = new List<UpdateRecord>(header.NsCount);
        for (int i = 0; i < header.AnCount + header.NsCount; i++)
        {
            if (!reader.TryReadRecord(name, out var view))
            {
                error = $"record {i + 1} is malformed";
                return false;
            }
            byte[] data;
            if (view.DataLength == 0)
                data = [];
            else if (!DnsMessage.TryDecompressData(message, view, out data!))
            {
                error = $"record {i + 1} has malformed RDATA";
                return false;
            }
            var record = new UpdateRecord(DnsName.FromWire(name[..view.OwnerLength]), view.Type, view.Class, view.Ttl, data);
            (i < header.AnCount ? prerequisites : updates).Add(record);
        }
        update = new UpdateMessage(zone, zoneClass, prerequisites, updates);
        error = null;
        return true;
    }
}
