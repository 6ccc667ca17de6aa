namespace Rdns.Addressing;

/// <summary>
/// TTL and SOA values for a <see cref="ClasslessDelegation"/>. The defaults follow the ranges
/// RFC 1912 §2.2 recommends for zones that change now and then.
/// </summary>
public sealed record DelegationOptions
{
    /// <summary>TTL of every generated record. 1 hour: a changed delegation spreads within the hour.</summary>
    public int Ttl { get; init; } = 3600;

    /// <summary>SOA serial of the child zone (RFC 1035 §3.3.13).</summary>
    public uint Serial { get; init; } = 1;

    /// <summary>
    /// SOA RNAME of the child zone, as a mailbox (<c>hostmaster@example.net</c>) or in domain form
    /// (<c>hostmaster.example.net.</c>). Null: <c>hostmaster</c> at the domain of the first name server.
    /// </summary>
    public string? Contact { get; init; }

    /// <summary>SOA REFRESH. 2 hours: secondaries notice changes even when NOTIFY is lost.</summary>
    public int Refresh { get; init; } = 7200;

    /// <summary>SOA RETRY. 1 hour, shorter than REFRESH (RFC 1912 §2.2).</summary>
    public int Retry { get; init; } = 3600;

    /// <summary>SOA EXPIRE. 2 weeks, the low end of RFC 1912 §2.2's 2-4 weeks.</summary>
    public int Expire { get; init; } = 1209600;

    /// <summary>SOA MINIMUM, the negative-caching TTL (RFC 2308 §4). 1 hour, as RFC 2308 §5 suggests 1-3 hours.</summary>
    public int NegativeTtl { get; init; } = 3600;

    public static DelegationOptions Default { get; } = new();
}
