using System.Globalization;

namespace Rdns.Addressing;

/// <summary>
/// A resource record as RFC 1035 §5 master-file text: absolute owner, TTL, type and RDATA text.
/// Class IN is implied. Kept as text on purpose: this assembly knows no DNS wire format.
/// </summary>
public readonly record struct DelegationRecord(string Owner, int Ttl, string Type, string Data)
{
    /// <summary>The record as one master-file line with an absolute owner.</summary>
    public override string ToString() => ToLine(Owner);

    /// <summary>The record as one master-file line, its owner relative to <paramref name="origin"/>.</summary>
    public string ToLine(string origin) => string.Create(CultureInfo.InvariantCulture,
        $"{RelativeOwner(origin)}\t{Ttl}\tIN\t{Type}\t{Data}");

    // RFC 1035 §5.1: "@" is the origin; a name without a trailing dot is relative to it.
    private string RelativeOwner(string origin)
    {
        if (string.Equals(Owner, origin, StringComparison.OrdinalIgnoreCase))
            return "@";
        if (Owner.Length > origin.Length && Owner[^(origin.Length + 1)] == '.'
            && Owner.EndsWith(origin, StringComparison.OrdinalIgnoreCase))
            return Owner[..^(origin.Length + 1)];
        return Owner;
    }
}
