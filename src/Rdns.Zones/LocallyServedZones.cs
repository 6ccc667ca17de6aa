using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>
/// The reverse zones of private and special-use address space that every view of a private
/// network serves itself, empty (RFC 6303 §4, RFC 7793 for 100.64.0.0/10), so its queries for
/// them never leave the network; and the private subset the public view refuses unless it hosts
/// them. Built once: the zones never change.
/// </summary>
public static class LocallyServedZones
{
    /// <summary>RFC 6303 §4.1-4.6 and RFC 7793 §4.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        // §4.1 RFC 1918
        "10.in-addr.arpa.", .. Enumerable.Range(16, 16).Select(i => $"{i}.172.in-addr.arpa."), "168.192.in-addr.arpa.",
        // §4.2 RFC 5735 and RFC 5737
        "0.in-addr.arpa.", "127.in-addr.arpa.", "254.169.in-addr.arpa.", "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.",
        "113.0.203.in-addr.arpa.", "255.255.255.255.in-addr.arpa.",
        // §4.3 ::/128 and ::1/128
        string.Concat(Enumerable.Repeat("0.", 32)) + "ip6.arpa.",
        "1." + string.Concat(Enumerable.Repeat("0.", 31)) + "ip6.arpa.",
        // §4.4 fd00::/8, §4.5 fe80::/10, §4.6 2001:db8::/32
        "d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.", "b.e.f.ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.",
        // RFC 7793: 100.64.0.0/10 (shared address space)
        .. Enumerable.Range(64, 64).Select(i => $"{i}.100.in-addr.arpa."),
    ];

    /// <summary>
    /// Space whose PTRs belong to one network only: RFC 1918, RFC 6598 shared space and unique
    /// local IPv6 (RFC 4193). The public view refuses names in them it does not host.
    /// </summary>
    public static readonly IReadOnlyList<string> PrivateNames =
    [
        "10.in-addr.arpa.", .. Enumerable.Range(16, 16).Select(i => $"{i}.172.in-addr.arpa."), "168.192.in-addr.arpa.",
        .. Enumerable.Range(64, 64).Select(i => $"{i}.100.in-addr.arpa."), "d.f.ip6.arpa.",
    ];

    /// <summary>Every locally served zone, empty: SOA and NS as RFC 6303 §3 gives them.</summary>
    public static ZoneSet All { get; } = ZoneSet.From(Names.Select(n => Empty(DnsName.Parse(n))));

    /// <summary>The private zones, as the public view's refusal list.</summary>
    public static ZoneSet Private { get; } = ZoneSet.From(PrivateNames.Select(n => Empty(DnsName.Parse(n))));

    /// <summary>True for <see cref="All"/> and <see cref="Private"/>, whose zones are all among <see cref="All"/>'s.</summary>
    internal static bool IsWithinAll(ZoneSet set) => ReferenceEquals(set, All) || ReferenceEquals(set, Private);

    /// <summary>
    /// RFC 6303 §3: SOA MNAME the zone's name, RNAME nobody.invalid., serial 1, refresh 604800,
    /// retry 86400, expire 2419200, minimum 10800; NS the zone's name.
    /// </summary>
    public static ZoneSnapshot Empty(DnsName zone)
    {
        const uint ttl = 10800;
        return ZoneSnapshot.Build(zone,
        [
            new ResourceRecord(zone, RecordType.SOA, ttl, Rdata.Soa(zone, DnsName.Parse("nobody.invalid."), 1, 604800, 86400, 2419200, ttl)),
            new ResourceRecord(zone, RecordType.NS, ttl, zone.Wire.ToArray()),
        ]);
    }
}
