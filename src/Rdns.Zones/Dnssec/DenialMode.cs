namespace Rdns.Zones.Dnssec;

/// <summary>How a signed zone proves that a name or type does not exist, without letting anyone walk the zone.</summary>
public enum DenialMode : byte
{
    /// <summary>
    /// Compact denial of existence (RFC 9824): one NSEC at the query name whose next name is its
    /// immediate successor; for a name that does not exist the bitmap holds NXNAME and the RCODE is
    /// NOERROR (NXDOMAIN when the query sets the Compact Answers OK flag). One signature per answer.
    /// </summary>
    Compact,

    /// <summary>
    /// Minimally covering NSEC records (RFC 4470): NXDOMAIN with one NSEC spanning just the missing
    /// name and one spanning just the wildcard of its closest encloser; NODATA as for compact denial.
    /// </summary>
    Nsec,
}
