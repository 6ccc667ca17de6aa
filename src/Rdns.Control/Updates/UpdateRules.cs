using System.Text.Json;
using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Zones.Updates;
using Rdns.Zones.Writes;

namespace Rdns.Control.Updates;

/// <summary>Reads and checks rules (<see cref="UpdateRuleSpec"/>) into the server's <see cref="UpdateRule"/>.</summary>
public static class UpdateRules
{
    /// <summary>Parses every rule; a bad one is <see cref="ControlException"/> naming the field (<c>allow[2].prefix</c>).</summary>
    public static IReadOnlyList<UpdateRule> Parse(IReadOnlyList<UpdateRuleSpec>? specs, string field = "allow")
    {
        if (specs is null || specs.Count == 0)
            throw Invalid(field, "at least one rule is required, e.g. {\"zone\": \"2.0.192.in-addr.arpa\", \"types\": [\"PTR\", \"DHCID\"]}");
        if (specs.Count > 100)
            throw Invalid(field, "at most 100 rules");
        var rules = new List<UpdateRule>();
        for (int i = 0; i < specs.Count; i++)
            rules.Add(Parse(specs[i], $"{field}[{i}]"));
        return rules;
    }

    public static UpdateRule Parse(UpdateRuleSpec spec, string field)
    {
        if (spec is null)
            throw Invalid(field, "a rule object is required");
        if (spec.Zone is null && spec.Prefix is null && spec.Suffix is null)
            throw Invalid(field, "a rule names a zone, a prefix or a name suffix (or several)");
        DnsName? zone = spec.Zone is null ? null : Name(spec.Zone, $"{field}.zone");
        DnsName? suffix = spec.Suffix is null ? null : Name(spec.Suffix, $"{field}.suffix");
        IpPrefix? prefix = null;
        if (spec.Prefix is not null)
        {
            if (!IpPrefix.TryParse(spec.Prefix, out var p, out var error))
                throw Invalid($"{field}.prefix", $"'{spec.Prefix}': {error}");
            prefix = p;
        }
        HashSet<RecordType>? types = null;
        if (spec.Types is not null)
        {
            if (spec.Types.Count == 0)
                throw Invalid($"{field}.types", "leave types out to allow every type, or name at least one");
            types = [];
            for (int i = 0; i < spec.Types.Count; i++)
            {
                if (!RecordTypeText.TryParse(spec.Types[i] ?? "", out var type) || type is RecordType.ANY or RecordType.AXFR or RecordType.IXFR or RecordType.OPT or RecordType.TSIG or RecordType.TKEY)
                    throw Invalid($"{field}.types[{i}]", $"'{spec.Types[i]}' is not a record type an update can write (PTR, DHCID, TXT, CNAME, A, ...)");
                types.Add(type);
            }
        }
        return new UpdateRule { Zone = zone, Prefix = prefix, Suffix = suffix, Types = types };
    }

    public static UpdateRuleSpec ToSpec(UpdateRule rule) => new()
    {
        Zone = rule.Zone?.ToString(),
        Prefix = rule.Prefix?.ToString(),
        Suffix = rule.Suffix?.ToString(),
        Types = rule.Types?.Select(RecordTypeText.ToText).Order(StringComparer.Ordinal).ToList(),
    };

    public static string ToJson(IReadOnlyList<UpdateRule> rules) => JsonSerializer.Serialize(rules.Select(ToSpec).ToList(), ControlJson.Default.ListUpdateRuleSpec);

    public static IReadOnlyList<UpdateRule> FromJson(string json) =>
        (JsonSerializer.Deserialize(json, ControlJson.Default.ListUpdateRuleSpec) ?? []).Select((s, i) => Parse(s, $"rules[{i}]")).ToList();

    private static DnsName Name(string text, string field)
    {
        var t = text.Trim();
        if (!DnsName.TryParse(t.EndsWith('.') ? t : t + ".", null, out var name, out var error))
            throw Invalid(field, $"'{text}': {error}");
        return name;
    }

    private static ControlException Invalid(string field, string detail) =>
        new(WriteError.Invalid, "validation_failed", $"{field}: {detail}", field);
}
