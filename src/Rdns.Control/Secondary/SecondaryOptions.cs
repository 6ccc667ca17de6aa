using Rdns.Protocol.Names;
using Rdns.Transfer;

namespace Rdns.Control.Secondary;

/// <summary>What a node in secondary mode follows, and how hard it pushes its primaries.</summary>
public sealed record SecondaryOptions
{
    /// <summary>Primaries in the order they are tried; NOTIFY is taken from any of them.</summary>
    public required IReadOnlyList<PrimaryServer> Primaries { get; init; }

    /// <summary>The primary's catalog zone (RFC 9432), whose members are followed; <c>catalog.invalid.</c> by default.</summary>
    public required DnsName Catalog { get; init; }

    /// <summary>Zones followed whether or not the catalog lists them (primaries without a catalog: BIND, PowerDNS).</summary>
    public IReadOnlyList<DnsName> Zones { get; init; } = [];

    /// <summary>
    /// 16 exchanges with the primaries at a time (SOA checks and transfers; the writes of what
    /// they brought wait apart, and share commits): enough to keep a primary busy on a restart of
    /// thousands of zones, well under the TCP connections a primary allows one client network (64
    /// here, Knot's and BIND's defaults are of that order).
    /// </summary>
    public int MaxConcurrentRefreshes { get; init; } = 16;

    /// <summary>1 s: the first retry after a failure; it doubles up to the zone's SOA RETRY.</summary>
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The SOA REFRESH and RETRY are honoured between these bounds (Knot's refresh-min-interval and
    /// refresh-max-interval): 2 s, so a zone with REFRESH 0 does not hammer its primary; one day,
    /// so a huge value cannot leave a zone unchecked for weeks when a NOTIFY was lost.
    /// </summary>
    public TimeSpan MinRefresh { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRefresh { get; init; } = TimeSpan.FromDays(1);

    /// <summary>A zone never transferred (its SOA unknown) is retried at most this far apart: one minute.</summary>
    public TimeSpan MaxRetryUnknown { get; init; } = TimeSpan.FromMinutes(1);
}
