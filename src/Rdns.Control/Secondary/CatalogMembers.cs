using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones;

namespace Rdns.Control.Secondary;

/// <summary>
/// What a catalog zone (RFC 9432) asks its consumers to serve: each member zone with its unique
/// label (the PTR at <c>&lt;unique&gt;.zones.$CATZ</c>, §4.2), read from a snapshot of the catalog.
/// </summary>
public sealed record CatalogMembers(string? Version, IReadOnlyDictionary<DnsName, DnsName> Members, IReadOnlyList<string> Problems)
{
    /// <summary>RFC 9432 §4.2.1: the schema this consumer understands; a catalog of another version is not processed (§5.1).</summary>
    public const string SupportedVersion = "2";

    public bool IsSupported => Version == SupportedVersion;

    public static CatalogMembers Read(ZoneSnapshot catalog)
    {
        var problems = new List<string>();
        var version = catalog.GetRRset(catalog.Origin.Prepend("version").Wire, RecordType.TXT);
        string? versionText = null;
        if (version is { Count: 1 } && Rdata.TxtStrings(version.Data[0]) is [var single])
            versionText = single;
        else if (version is not null)
            problems.Add($"version.{catalog.Origin} must hold one TXT record of one string");

        var zones = catalog.Origin.Prepend("zones");
        var members = new Dictionary<DnsName, DnsName>();
        // Nodes and the compact table, where a catalog keeps members named as Rdns names them.
        foreach (var (name, ptr) in catalog.RRsetsOf(RecordType.PTR))
        {
            var owner = DnsName.FromWire(name);
            // Members sit exactly one label below zones.$CATZ; names further down are their properties.
            if (owner.LabelCount != zones.LabelCount + 1 || !owner.IsSubdomainOf(zones))
                continue;
            if (ptr.Count != 1)
            {
                // §4.2: a member has exactly one PTR; a broken one is ignored, not guessed at.
                problems.Add($"{owner} holds {ptr.Count} PTR records; a member has exactly one");
                continue;
            }
            var zone = Rdata.ReadName(ptr.Data[0]).ToLower();
            if (!members.TryAdd(zone, owner.ToLower()))
                problems.Add($"{zone} is listed twice (under {members[zone]} and {owner}); the first is kept");
        }
        return new CatalogMembers(versionText, members, problems);
    }
}
