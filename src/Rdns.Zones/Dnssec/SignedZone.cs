using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Dnssec;

/// <summary>
/// A signed zone as a secondary receives it by AXFR: the stored RRsets, each authoritative one
/// with its RRSIGs, and an NSEC chain over the stored names in canonical order (RFC 4034 §4, §6.1)
/// so that a secondary can deny names by itself. A zone given away whole can be walked anyway, so
/// the chain gives nothing away that the transfer does not. Names below a zone cut are glue, in no
/// NSEC and unsigned; at a cut only DS and NSEC are signed (RFC 4035 §2.2, §2.3). Default names of
/// pools are not zone data and are not in the transfer: they exist only on Rdns nodes.
/// </summary>
public static class SignedZone
{
    /// <summary>The zone's records with RRSIG and NSEC, SOA first (not repeated at the end).</summary>
    public static IEnumerable<(byte[] Owner, RecordType Type, uint Ttl, byte[] Data)> Records(ZoneSnapshot zone, ZoneSigner signer)
    {
        var names = new List<(DnsName Name, ZoneNode? Node, uint Ttl, byte[]? Ptr)>();
        foreach (var node in zone.Nodes)
        {
            bool glue = node.Cut is not null && !ReferenceEquals(node.Cut, node);
            if (node.IsEmptyNonTerminal || glue)
                continue;
            names.Add((DnsName.FromWire(node.Name), node, 0, null));
        }
        foreach (var (owner, ttl, target) in zone.CompactRecords())
            names.Add((DnsName.FromWire(owner), null, ttl, target));
        names.Sort((a, b) => a.Name.CompareTo(b.Name));

        uint negativeTtl = zone.NegativeTtl;
        var signatures = new List<byte[]>();
        // The SOA first, then every name in canonical order (the apex sorts first).
        yield return (zone.Apex.Name, RecordType.SOA, zone.Soa.Ttl, zone.Soa.Data[0]);
        for (int i = 0; i < names.Count; i++)
        {
            var (name, node, ptrTtl, ptr) = names[i];
            var owner = node?.Name ?? name.Wire.ToArray();
            var types = new List<ushort>();
            if (ptr is not null)
            {
                types.Add((ushort)RecordType.PTR);
                yield return (owner, RecordType.PTR, ptrTtl, ptr);
                foreach (var sig in Sign(signer, owner, RecordType.PTR, ptrTtl, [ptr], signatures))
                    yield return (owner, RecordType.RRSIG, ptrTtl, sig);
            }
            else
            {
                bool cut = node!.Cut is not null;
                foreach (var set in node.Sets)
                {
                    if (set.Type is RecordType.RRSIG or RecordType.NSEC)
                        continue;
                    types.Add((ushort)set.Type);
                    if (set.Type != RecordType.SOA)
                    {
                        foreach (var data in set.Data)
                            yield return (owner, set.Type, set.Ttl, data);
                    }
                    // At a cut the NS RRset and glue belong to the child; DS is the parent's (RFC 4035 §2.2).
                    if (cut && set.Type != RecordType.DS)
                        continue;
                    foreach (var sig in Sign(signer, owner, set.Type, set.Ttl, set.Data, signatures))
                        yield return (owner, RecordType.RRSIG, set.Ttl, sig);
                }
            }
            types.Add((ushort)RecordType.RRSIG);
            types.Add((ushort)RecordType.NSEC);
            var next = i + 1 < names.Count ? names[i + 1].Name.ToLowerWire() : zone.Apex.Name;
            var bitmap = types.ToArray();
            var nsec = new byte[next.Length + Nsec.MaxBitmapSize(bitmap.Length)];
            int length = Nsec.Write(next, bitmap, nsec);
            var nsecData = nsec[..length];
            yield return (owner, RecordType.NSEC, negativeTtl, nsecData);
            foreach (var sig in Sign(signer, owner, RecordType.NSEC, negativeTtl, [nsecData], signatures))
                yield return (owner, RecordType.RRSIG, negativeTtl, sig);
        }
    }

    private static List<byte[]> Sign(ZoneSigner signer, byte[] owner, RecordType type, uint ttl, byte[][] data, List<byte[]> into)
    {
        into.Clear();
        signer.Sign(owner, type, ttl, new RdataList(data), into);
        return into;
    }
}
