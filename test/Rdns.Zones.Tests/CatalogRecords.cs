using System.Security.Cryptography;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Tests;

/// <summary>Catalog zones (RFC 9432) as Rdns writes them, for the tests of the catalog's member table.</summary>
internal static class CatalogRecords
{
    internal static readonly DnsName Catalog = DnsName.Parse("catalog.invalid.");
    private static readonly DnsName Invalid = DnsName.Parse("invalid.");

    /// <summary>The member label Rdns gives a zone (as CatalogZone.MemberName does).</summary>
    private static DnsName MemberName(DnsName catalog, DnsName zone) =>
        catalog.Prepend("zones").Prepend(Convert.ToHexStringLower(SHA256.HashData(zone.ToLowerWire()).AsSpan(0, 10)));

    internal static DnsName MemberName(DnsName zone) => MemberName(Catalog, zone);

    internal static DnsName Zone(int i) => DnsName.Parse($"{i & 0xFF}.{(i >> 8) & 0xFF}.{10 + (i >> 16)}.in-addr.arpa.");

    internal static List<ResourceRecord> Records(int members, uint serial = 1, DnsName? catalog = null)
    {
        var origin = catalog ?? Catalog;
        var records = new List<ResourceRecord>
        {
            new(origin, RecordType.SOA, 0, Rdata.Soa(Invalid, Invalid, serial, 3600, 600, 2147483646, 0)),
            new(origin, RecordType.NS, 0, Invalid.Wire.ToArray()),
            new(origin.Prepend("version"), RecordType.TXT, 0, Rdata.Txt("2")),
            new(origin.Prepend("ext").Prepend("rdns").Prepend("pools").Prepend("5f1c0b1e9a3d2c47"), RecordType.TXT, 0,
                Rdata.Txt("prefix=203.0.113.0/24", "template=ip-{ip}.pool.example.net.", "ttl=3600", "zone=pool.example.net.")),
        };
        for (int i = 0; i < members; i++)
        {
            var zone = Zone(i);
            records.Add(new(MemberName(origin, zone), RecordType.PTR, 0, zone.Wire.ToArray()));
        }
        return records;
    }

    /// <summary>The same records with every name a node: how a catalog was kept before its table.</summary>
    internal static ZoneSnapshot AsNodes(DnsName origin, IEnumerable<ResourceRecord> records)
    {
        var builder = new ZoneSnapshotBuilder(origin);
        foreach (var r in records)
            builder.AddNodeRecord(r);
        return builder.Build();
    }
}
