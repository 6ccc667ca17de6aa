using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Text;

/// <summary>
/// Writes a zone as an RFC 1035 §5 master file that BIND's named-checkzone and our
/// <see cref="ZoneFileReader"/> both read back to the same records: an <c>$ORIGIN</c> line, the
/// SOA first, then the rest grouped by owner in canonical order (RFC 4034 §6.1), one record per
/// line with owner, TTL and class always written, and names relative to the origin where that
/// is shorter. Nothing depends on an earlier line, so any line can be read, grepped or diffed alone.
/// </summary>
public static class ZoneFileWriter
{
    /// <summary>Writes the zone; throws <see cref="ArgumentException"/> unless it has exactly one SOA, at the origin, and every record is in the zone.</summary>
    public static void Write(TextWriter output, DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var ordered = Order(origin, records);
        var line = new StringBuilder(256);
        output.Write("$ORIGIN ");
        output.Write(origin.ToString());
        output.Write('\n');
        foreach (var r in ordered)
        {
            line.Clear();
            line.Append(Relative(r.Owner, origin)).Append('\t')
                .Append(r.Ttl.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(RecordTypeText.ClassToText(r.Class)).Append('\t')
                .Append(RecordTypeText.ToText(r.Type)).Append('\t');
            AppendRdata(line, r.Type, r.Data, origin);
            line.Append('\n');
            output.Write(line);
        }
    }

    /// <summary>Writes the zone to <paramref name="path"/> through a temporary file, so a reader never sees half a zone.</summary>
    public static void WriteFile(string path, DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var temp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
                Write(writer, origin, records);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The zone as text.</summary>
    public static string ToText(DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, origin, records);
        return writer.ToString();
    }

    private static List<ResourceRecord> Order(DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var list = new List<ResourceRecord>();
        ResourceRecord? soa = null;
        foreach (var r in records)
        {
            if (!r.Owner.IsSubdomainOf(origin))
                throw new ArgumentException($"record '{r}' is out of zone {origin}", nameof(records));
            // A known type whose RDATA is malformed would come out as \# text that no reader takes.
            if (!Rdata.IsValid(r.Type, r.Data))
                throw new ArgumentException($"record '{r.Owner} {RecordTypeText.ToText(r.Type)}' has malformed RDATA", nameof(records));
            if (r.Type == RecordType.SOA)
            {
                if (soa is not null)
                    throw new ArgumentException("the zone has more than one SOA", nameof(records));
                if (!r.Owner.Equals(origin))
                    throw new ArgumentException($"the SOA is at '{r.Owner}', not at the origin {origin}", nameof(records));
                soa = r;
                continue;
            }
            list.Add(r);
        }
        if (soa is null)
            throw new ArgumentException($"the zone {origin} has no SOA", nameof(records));
        // The data octets break ties only so that the output does not depend on input order.
        list.Sort(static (a, b) =>
        {
            int c = a.Owner.CompareTo(b.Owner);
            if (c == 0)
                c = ((ushort)a.Type).CompareTo((ushort)b.Type);
            return c != 0 ? c : a.Data.AsSpan().SequenceCompareTo(b.Data);
        });
        list.Insert(0, soa);
        return list;
    }

    // A relative name takes its suffix from $ORIGIN, case and all; it is used only when that
    // suffix is the same octets, so that names read back with the case they were written with.
    private static string Relative(DnsName name, DnsName origin)
    {
        var absolute = name.ToString();
        if (!name.IsSubdomainOf(origin) || !name.Wire[(name.Length - origin.Length)..].SequenceEqual(origin.Wire))
            return absolute;
        var relative = name.ToString(origin);
        return relative.Length < absolute.Length ? relative : absolute;
    }

    // Types whose RDATA carries names get them relative to the origin too; the rest use the
    // shared presentation code, which writes absolute names.
    private static void AppendRdata(StringBuilder sb, RecordType type, byte[] data, DnsName origin)
    {
        ReadOnlySpan<byte> d = data;
        switch (type)
        {
            case RecordType.NS:
            case RecordType.CNAME:
            case RecordType.PTR:
            case RecordType.DNAME:
                sb.Append(Relative(DnsName.FromWire(d), origin));
                return;
            case RecordType.MX:
                sb.Append(BinaryPrimitives.ReadUInt16BigEndian(d).ToString(CultureInfo.InvariantCulture)).Append(' ')
                    .Append(Relative(DnsName.FromWire(d[2..]), origin));
                return;
            case RecordType.SRV:
                for (int i = 0; i < 6; i += 2)
                    sb.Append(BinaryPrimitives.ReadUInt16BigEndian(d[i..]).ToString(CultureInfo.InvariantCulture)).Append(' ');
                sb.Append(Relative(DnsName.FromWire(d[6..]), origin));
                return;
            case RecordType.SOA:
                {
                    int m = NameEnd(d, 0);
                    int r = NameEnd(d, m);
                    sb.Append(Relative(DnsName.FromWire(d[..m]), origin)).Append(' ')
                        .Append(Relative(DnsName.FromWire(d[m..r]), origin));
                    for (int i = r; i < d.Length; i += 4)
                        sb.Append(' ').Append(BinaryPrimitives.ReadUInt32BigEndian(d[i..]).ToString(CultureInfo.InvariantCulture));
                    return;
                }
            default:
                sb.Append(Rdata.ToText(type, d));
                return;
        }
    }

    private static int NameEnd(ReadOnlySpan<byte> data, int pos)
    {
        while (data[pos] != 0)
            pos += 1 + data[pos];
        return pos + 1;
    }
}
