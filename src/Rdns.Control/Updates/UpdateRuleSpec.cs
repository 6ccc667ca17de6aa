namespace Rdns.Control.Updates;

/// <summary>
/// A rule as written in the API, the settings and the store (JSON): <c>{"zone": ..., "prefix":
/// ..., "suffix": ..., "types": [...]}</c>. Every field given must hold; at least one of zone,
/// prefix and suffix is required, so no rule opens every zone by accident.
/// </summary>
public sealed class UpdateRuleSpec
{
    public string? Zone { get; set; }

    public string? Prefix { get; set; }

    public string? Suffix { get; set; }

    public List<string>? Types { get; set; }
}
