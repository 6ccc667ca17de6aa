namespace Rdns.Addressing;

/// <summary>Where a reverse zone's apex sits in the ARPA tree.</summary>
public enum ZoneKind
{
    /// <summary>An IPv4 zone on an octet boundary: <c>in-addr.arpa.</c>, /8, /16, /24 or /32.</summary>
    Octet,

    /// <summary>An IPv6 zone on a nibble boundary (RFC 3596 §2.5): <c>ip6.arpa.</c> or /4 … /128.</summary>
    Nibble,

    /// <summary>An RFC 2317 child zone for an IPv4 /25 … /32, reached through CNAMEs in its /24 parent.</summary>
    Classless,
}
