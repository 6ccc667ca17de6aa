using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Updates;

/// <summary>
/// One grant of an update policy, as BIND's <c>update-policy</c> grants and Knot's ACL
/// <c>update-owner</c>/<c>update-type</c> express it: every condition given must hold. A rule
/// names a zone, a prefix (only the reverse names of addresses in it, RFC 2317 child names
/// included), a name suffix (the name itself or below it), and the record types (none: any).
/// </summary>
public sealed record UpdateRule
{
    public DnsName? Zone { get; init; }

    public IpPrefix? Prefix { get; init; }

    public DnsName? Suffix { get; init; }

    public IReadOnlySet<RecordType>? Types { get; init; }

    public bool Allows(DnsName zone, DnsName owner, RecordType type)
    {
        if (Zone is not null && !Zone.Equals(zone))
            return false;
        if (Suffix is not null && !owner.IsSubdomainOf(Suffix))
            return false;
        if (Types is not null && !Types.Contains(type))
            return false;
        if (Prefix is { } prefix)
        {
            if (!ReverseName.TryParseAddress(owner.ToString(), out var address, out _) || !prefix.Contains(address))
                return false;
        }
        return true;
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (Zone is not null)
            parts.Add($"zone {Zone}");
        if (Prefix is { } p)
            parts.Add($"prefix {p}");
        if (Suffix is not null)
            parts.Add($"names under {Suffix}");
        parts.Add(Types is null ? "any type" : "types " + string.Join(",", Types.Select(RecordTypeText.ToText)));
        return string.Join(", ", parts);
    }
}
