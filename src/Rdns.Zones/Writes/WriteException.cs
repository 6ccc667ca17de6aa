using Rdns.Protocol.Wire;

namespace Rdns.Zones.Writes;

/// <summary>The kinds of failure every write path shares; the API maps them to HTTP statuses, DNS to RCODEs.</summary>
public enum WriteError
{
    /// <summary>The input breaks a rule (HTTP 400; DNS FORMERR or REFUSED).</summary>
    Invalid,
    /// <summary>The thing does not exist, or is not the caller's to see (HTTP 404; DNS NOTAUTH for a zone not ours).</summary>
    NotFound,
    /// <summary>It collides with existing state (HTTP 409).</summary>
    Conflict,
    /// <summary>Understood but refused by policy, e.g. a forward check that failed (HTTP 422; DNS REFUSED).</summary>
    Refused,
    /// <summary>A dependency (the store, the resolver) could not be reached (HTTP 503 with Retry-After; DNS SERVFAIL).</summary>
    Unavailable,
}

/// <summary>
/// A failure with a stable machine-readable code, thrown by any write path; the edge turns it into
/// Problem Details (HTTP) or an RCODE (DNS). <see cref="Rcode"/> overrides the RCODE a kind maps to
/// when DNS needs a precise one (RFC 2136 prerequisites: YXDOMAIN, NXRRSET, ...).
/// </summary>
public class WriteException(WriteError kind, string code, string message, string? field = null, IReadOnlyDictionary<string, object?>? details = null, Exception? inner = null)
    : Exception(message, inner)
{
    public WriteError Kind { get; } = kind;

    public string Code { get; } = code;

    public string? Field { get; } = field;

    public IReadOnlyDictionary<string, object?>? Details { get; } = details;

    public Rcode? Rcode { get; init; }

    /// <summary>The RCODE a DNS client gets for this failure.</summary>
    public Rcode DnsRcode => Rcode ?? Kind switch
    {
        WriteError.Invalid => Protocol.Wire.Rcode.Refused,
        WriteError.NotFound => Protocol.Wire.Rcode.NotAuth,
        WriteError.Refused => Protocol.Wire.Rcode.Refused,
        _ => Protocol.Wire.Rcode.ServFail,
    };
}
