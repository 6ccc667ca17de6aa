namespace Rdns.Server.Stages;

/// <summary>Response rate limiting (settings section <c>Rrl</c>); every default carries its reason.</summary>
public sealed class RrlOptions
{
    /// <summary>
    /// 200 responses per second per client network and class: far more than any resolver sends one
    /// authoritative server for one name, far less than a flood (Knot's documentation suggests
    /// this order). 0 turns rate limiting off.
    /// </summary>
    public int Rate { get; set; } = 200;

    /// <summary>The highest rate a bucket counts to (a million responses per second from one network: more is no limit at all).</summary>
    public const int MaxRate = (1 << 20) - 2;

    /// <summary>
    /// 2: every second limited response is sent truncated (TC, no records), the rest dropped, so a
    /// real client behind a spoofed flood still learns to retry over TCP while a spoofer gets at
    /// most half of its queries back, none larger than the query (Knot's and BIND's default).
    /// 0 drops every limited response; 1 truncates every one.
    /// </summary>
    public int Slip { get; set; } = 2;

    /// <summary>Client prefixes never limited (monitoring, own resolvers), e.g. <c>["192.0.2.0/24", "2001:db8::/48"]</c>.</summary>
    public List<string> Exempt { get; set; } = [];

    /// <summary>
    /// 393,241 buckets (Knot's default, a prime): a few MiB, enough that a flood from many
    /// networks rarely makes two share one.
    /// </summary>
    public int TableSize { get; set; } = 393_241;

    /// <summary>/24: one IPv4 customer network (the usual unit an attacker spoofs within).</summary>
    public int Ipv4PrefixLength { get; set; } = 24;

    /// <summary>/56: the usual IPv6 customer allocation.</summary>
    public int Ipv6PrefixLength { get; set; } = 56;

    public IReadOnlyList<Addressing.IpPrefix> ExemptPrefixes()
    {
        var list = new List<Addressing.IpPrefix>();
        foreach (var text in Exempt)
        {
            if (!Addressing.IpPrefix.TryParse(text, out var prefix, out var error))
                throw new ArgumentException($"Rrl:Exempt '{text}': {error}");
            list.Add(prefix);
        }
        return list;
    }

    /// <summary>Checks the settings; the message names the one that is wrong.</summary>
    public void Validate()
    {
        if (Rate is < 0 or > MaxRate)
            throw new ArgumentException($"Rrl:Rate {Rate}: must be 0 (off) to {MaxRate}");
        if (Slip is < 0 or > 100)
            throw new ArgumentException($"Rrl:Slip {Slip}: must be 0-100");
        if (TableSize is < 1 or > 1 << 26)
            throw new ArgumentException($"Rrl:TableSize {TableSize}: must be 1-67108864");
        if (Ipv4PrefixLength is < 8 or > 32)
            throw new ArgumentException($"Rrl:Ipv4PrefixLength {Ipv4PrefixLength}: must be 8-32");
        if (Ipv6PrefixLength is < 16 or > 128)
            throw new ArgumentException($"Rrl:Ipv6PrefixLength {Ipv6PrefixLength}: must be 16-128");
        _ = ExemptPrefixes();
    }
}
