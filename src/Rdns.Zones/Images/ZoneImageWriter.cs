namespace Rdns.Zones.Images;

/// <summary>
/// Writes a zone image: the built zones of a store, each under the store row id, revision and
/// serial it was built at, so a later start can take a zone from the image instead of its rows
/// when, and only when, the store still has it at that revision (<see cref="ZoneImage"/>).
/// <code>
/// "RDNSZIMG" version:u32 store-id:short zones:i32
/// per zone: id:i64 revision:i64 serial:u32 origin:short body-length:i32 body
///   body: records:i32 (owner:short type:u16 ttl:u32 rdata-length:u16 rdata)* table?:u8 [table]
/// suffixes-at:i64 suffixes:i32 (suffix:short)*
/// checksum:u64 (of every octet before it)
/// </code>
/// Numbers are little-endian; a name is a length octet and its wire form. Zones come first so the
/// image streams out as it is made: the suffixes they name are known only at the end.
/// </summary>
public static class ZoneImageWriter
{
    public static ReadOnlySpan<byte> Magic => "RDNSZIMG"u8;

    /// <summary>Bumped whenever the layout of the image or of a compact table changes: an image of another version is not read.</summary>
    /// <remarks>2: a catalog zone's member PTRs are a compact table (version 1 held them as nodes, and they would stay nodes).</remarks>
    public const uint FormatVersion = 2;

    /// <summary>
    /// Writes the image of <paramref name="zones"/> for the store <paramref name="storeId"/> to
    /// <paramref name="sink"/>; returns how many zones it holds. A zone whose compact table has
    /// changes patched over it is left out (a start builds it from rows).
    /// </summary>
    public static int Write(Stream sink, string storeId, IReadOnlyList<ZoneImageSource> zones)
    {
        var output = new ImageOctets(sink);
        var suffixes = new ImageSuffixNumbers();
        var written = zones.Where(z => z.Zone.CompactState is not (null, true)).ToList();
        output.Octets(Magic);
        output.U32(FormatVersion);
        output.Short(System.Text.Encoding.UTF8.GetBytes(storeId));
        output.I32(written.Count);
        foreach (var (id, revision, zone) in written)
        {
            var table = zone.CompactState.Table;
            output.I64(id);
            output.I64(revision);
            output.U32(zone.Serial);
            output.Short(zone.Origin.Wire);
            long targets = table?.ImageTargetsLength() ?? 0;
            long body = NodesSize(zone) + 1 + (table?.ImageSize(targets) ?? 0);
            output.I32(body <= int.MaxValue ? (int)body : throw new InvalidOperationException($"{zone.Origin}: too large for a zone image"));
            long start = output.Position;
            WriteNodes(output, zone);
            if (table is null)
                output.U8(0);
            else
            {
                output.U8(1);
                table.WriteImage(output, suffixes, targets);
            }
            if (output.Position - start != body)
                throw new InvalidOperationException($"{zone.Origin}: the image's zone is {output.Position - start} octets, {body} were announced");
        }
        output.I64(output.Position + 8);
        suffixes.WriteTo(output);
        output.Finish();
        return written.Count;
    }

    private static long NodesSize(ZoneSnapshot zone)
    {
        long size = 4;
        foreach (var node in zone.Nodes)
        {
            foreach (var set in node.Sets)
            {
                foreach (var data in set.Data)
                    size += 1 + node.Name.Length + 2 + 4 + 2 + data.Length;
            }
        }
        return size;
    }

    /// <summary>The records of the zone's nodes (everything but its compact table); empty non-terminals have none.</summary>
    private static void WriteNodes(ImageOctets output, ZoneSnapshot zone)
    {
        int count = 0;
        foreach (var node in zone.Nodes)
        {
            foreach (var set in node.Sets)
                count += set.Data.Length;
        }
        output.I32(count);
        foreach (var node in zone.Nodes)
        {
            foreach (var set in node.Sets)
            {
                foreach (var data in set.Data)
                {
                    output.Short(node.Name);
                    output.U16((ushort)set.Type);
                    output.U32(set.Ttl);
                    output.U16(data.Length);
                    output.Octets(data);
                }
            }
        }
    }
}
