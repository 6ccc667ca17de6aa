using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Control.Zones;

/// <summary>What a zone created without explicit records starts with; each default with its reason.</summary>
public sealed class ZoneDefaults
{
    /// <summary>
    /// Apex NS names. Defaults to this host's name, which is right for a single server and a
    /// placeholder otherwise: operators set the names their parent delegates to.
    /// </summary>
    public List<string> NameServers { get; set; } = [];

    /// <summary>SOA RNAME (contact mailbox as a name); default <c>hostmaster.ZONE</c>.</summary>
    public string? Contact { get; set; }

    /// <summary>3600 s: an hour keeps resolvers' caches useful while changes still spread the same day.</summary>
    public uint Ttl { get; set; } = 3600;

    /// <summary>SOA REFRESH 3600 s: secondaries also get NOTIFY, so polling is only the fallback.</summary>
    public uint Refresh { get; set; } = 3600;

    /// <summary>SOA RETRY 600 s.</summary>
    public uint Retry { get; set; } = 600;

    /// <summary>SOA EXPIRE 1209600 s (two weeks; RFC 1912 §2.2 suggests 2-4 weeks).</summary>
    public uint Expire { get; set; } = 1209600;

    /// <summary>
    /// SOA MINIMUM (the negative-caching TTL, RFC 2308 §4) 300 s: a tenant who sets a PTR on a
    /// name that was just looked up should not wait an hour for resolvers to forget the NXDOMAIN.
    /// </summary>
    public uint NegativeTtl { get; set; } = 300;

    public IReadOnlyList<DnsName> NameServerNames()
    {
        var names = NameServers.Count > 0 ? NameServers : [System.Net.Dns.GetHostName().TrimEnd('.') + "."];
        return names.Select(n => DnsName.Parse(n.EndsWith('.') ? n : n + ".")).ToList();
    }

    /// <summary>
    /// The SOA and NS records of a new zone. The serial starts at the current Unix time, so a zone
    /// deleted and created again still moves forward for secondaries that remember it (RFC 1982).
    /// </summary>
    public List<ResourceRecord> Skeleton(DnsName zone, IReadOnlyList<DnsName>? nameServers, DateTimeOffset now)
    {
        var ns = nameServers is { Count: > 0 } ? nameServers : NameServerNames();
        var contact = Contact is null ? zone.Prepend("hostmaster") : DnsName.Parse(Contact.EndsWith('.') ? Contact : Contact + ".");
        uint serial = (uint)Math.Max(1, now.ToUnixTimeSeconds());
        var records = new List<ResourceRecord>
        {
            new(zone, RecordType.SOA, Ttl, Rdata.Soa(ns[0], contact, serial, Refresh, Retry, Expire, NegativeTtl)),
        };
        foreach (var n in ns)
            records.Add(new ResourceRecord(zone, RecordType.NS, Ttl, n.Wire.ToArray()));
        return records;
    }
}
