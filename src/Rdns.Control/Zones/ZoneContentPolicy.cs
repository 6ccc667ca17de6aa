using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Control.Zones;

/// <summary>
/// What may live in a zone we host. Reverse zones (under in-addr.arpa and ip6.arpa) hold only the
/// types that belong there: SOA, NS, PTR, CNAME (RFC 2317), DNAME (RFC 6672, for renumbered or
/// delegated blocks), TXT and DHCID (RFC 4701), plus A and AAAA as glue below a delegation and DS
/// at one; DNSKEY, CDS and CDNSKEY are written by DNSSEC signing (docs/DNSSEC.md), not by hand.
/// Forward zones (for default names) hold any data type.
/// </summary>
public static class ZoneContentPolicy
{
    private static readonly DnsName InAddrArpa = DnsName.Parse("in-addr.arpa.");
    private static readonly DnsName Ip6Arpa = DnsName.Parse("ip6.arpa.");

    public static bool IsReverse(DnsName zone) => zone.IsSubdomainOf(InAddrArpa) || zone.IsSubdomainOf(Ip6Arpa);

    public static bool AllowedInReverse(RecordType type) =>
        type is RecordType.SOA or RecordType.NS or RecordType.PTR or RecordType.CNAME or RecordType.DNAME or RecordType.TXT or RecordType.DHCID;

    /// <summary>Checks every record of a zone; throws <see cref="ZoneDataException"/> naming the record and the rule it breaks.</summary>
    public static void Check(ZoneSnapshot zone)
    {
        if (!IsReverse(zone.Origin))
            return;
        foreach (var node in zone.Nodes)
        {
            foreach (var set in node.Sets)
                Check(zone, node, set.Type);
        }
    }

    /// <summary>
    /// Checks only what a change adds (the rest was accepted before, or came from an operator's
    /// zone file, which may hold any type, RFC 3597), judged in the zone as it will be.
    /// </summary>
    public static void Check(ZoneSnapshot after, IEnumerable<ResourceRecord> added)
    {
        if (!IsReverse(after.Origin))
            return;
        foreach (var r in added)
        {
            var node = after.Find(r.Owner.Wire);
            if (node is not null)
                Check(after, node, r.Type);
        }
    }

    private static void Check(ZoneSnapshot zone, ZoneNode node, RecordType type)
    {
        if (AllowedInReverse(type))
            return;
        var owner = DnsName.FromWire(node.Name);
        if (type is RecordType.A or RecordType.AAAA)
        {
            if (node.Cut is not null && !ReferenceEquals(node, node.Cut))
                return;
            throw new ZoneDataException($"{owner} {type}: in a reverse zone, A and AAAA are allowed only as glue below a delegation");
        }
        // The DS of a signed child lives at the cut on the parent's side (RFC 4035 §2.4).
        if (type == RecordType.DS)
        {
            if (ReferenceEquals(node, node.Cut))
                return;
            throw new ZoneDataException($"{owner} DS: a DS belongs at a delegation (a name with NS records below the apex)");
        }
        throw new ZoneDataException($"{owner} {RecordTypeText.ToText(type)}: type not allowed in a reverse zone (allowed: SOA, NS, PTR, CNAME, DNAME, TXT, DHCID; DS at a delegation; A/AAAA as glue; DNSKEY, CDS and CDNSKEY are made by DNSSEC signing)");
    }
}
