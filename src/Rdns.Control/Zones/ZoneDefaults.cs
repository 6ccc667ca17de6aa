using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Control.Zones;

/// <summary>What a zone created without explicit records starts with; each default with its reason.</summary>
public sealed class ZoneDefaults
{
    /// <summary>
    /// Apex NS names (setting <c>Zones:NameServers</c>, flag <c>--ns</c>). Defaults to this host's
    /// fully qualified name when the system knows one, which is right for a single server and a
    /// placeholder otherwise: operators set the names their parent delegates to.
    /// </summary>
    public List<string> NameServers { get; set; } = [];

    /// <summary>SOA RNAME (setting <c>Zones:Contact</c>, flag <c>--contact</c>; a mailbox as a name or as user@domain); default <c>hostmaster.ZONE</c>.</summary>
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
        var names = NameServers.Count > 0 ? NameServers : [HostName()];
        return names.Select(n => DnsName.Parse(n.EndsWith('.') ? n : n + ".")).ToList();
    }

    /// <summary>
    /// Why the NS names new zones get will not work for a resolver, or null: a one-label name such
    /// as <c>vm.</c> (a bare host name) is not a name any parent delegates to (RFC 1034 §4.2.2).
    /// </summary>
    public string? Warning()
    {
        var single = NameServerNames().Where(n => n.LabelCount < 2).ToList();
        if (single.Count == 0)
            return null;
        return $"new zones get NS {string.Join(", ", single)}, not a fully qualified name; set the name servers the parent delegates to " +
               "(--ns HOST, setting Zones:NameServers)";
    }

    /// <summary>This host's name, fully qualified when the resolver knows its domain.</summary>
    private static string HostName()
    {
        var host = System.Net.Dns.GetHostName().TrimEnd('.');
        if (host.Contains('.', StringComparison.Ordinal))
            return host + ".";
        try
        {
            var entry = System.Net.Dns.GetHostEntry(host);
            if (entry.HostName.Contains('.', StringComparison.Ordinal))
                return entry.HostName.TrimEnd('.') + ".";
        }
        catch (System.Net.Sockets.SocketException)
        {
        }
        return host + ".";
    }

    /// <summary>The contact as a name: <c>user@example.net</c> becomes <c>user.example.net.</c> (RFC 1035 §8: the first label is the mailbox).</summary>
    public static string ContactName(string contact)
    {
        var at = contact.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? contact : contact[..at].Replace(".", "\\.", StringComparison.Ordinal) + "." + contact[(at + 1)..];
        return name.EndsWith('.') ? name : name + ".";
    }

    /// <summary>
    /// The SOA and NS records of a new zone. The serial starts at the current Unix time, so a zone
    /// deleted and created again still moves forward for secondaries that remember it (RFC 1982).
    /// </summary>
    public List<ResourceRecord> Skeleton(DnsName zone, IReadOnlyList<DnsName>? nameServers, DateTimeOffset now)
    {
        var ns = nameServers is { Count: > 0 } ? nameServers : NameServerNames();
        var contact = Contact is null ? zone.Prepend("hostmaster") : DnsName.Parse(ContactName(Contact));
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
