namespace Rdns.Control.Updates;

/// <summary>
/// DNS UPDATE settings (config section <c>Update</c>). Keys created through the API carry their
/// own rules; keys from <c>--tsig-keys</c> get theirs here, by key name. Unsigned updates are
/// refused (RFC 2136 §3.3) unless they come from a range listed in <see cref="UnsignedFrom"/>.
/// </summary>
public sealed class UpdateOptions
{
    /// <summary>Address ranges (prefixes) whose unsigned updates are accepted; none by default, as BIND and Knot do.</summary>
    public List<string>? UnsignedFrom { get; set; }

    /// <summary>What unsigned updates from those ranges may change; required with <see cref="UnsignedFrom"/>.</summary>
    public List<UpdateRuleSpec>? UnsignedAllow { get; set; }

    /// <summary>Rules of keys from the <c>--tsig-keys</c> file: key name → rules. A file key without rules cannot update.</summary>
    public Dictionary<string, List<UpdateRuleSpec>>? Keys { get; set; }
}
