using System.Globalization;
using Rdns.Addressing;

namespace Rdns.Bench.Data;

/// <summary>How an operator spells its customers' host names; one style per customer.</summary>
public enum NamingStyle
{
    /// <summary><c>host-42.brightwave.example.net.</c></summary>
    Host,
    /// <summary><c>198-51-100-7.static.brightwave.example.com.</c> (IPv6: <c>2001-db8-…-1.v6.brightwave.example.com.</c>)</summary>
    DashedAddress,
    /// <summary><c>ip-198-51-100-7.eu-west-2.compute.brightwave.example.org.</c></summary>
    Cloud,
    /// <summary><c>mail7.brightwave.example.net.</c></summary>
    Service,
}

/// <summary>
/// One holder of addresses and the way its PTR targets look. Names are invented from syllables
/// so that the dataset has a thousand distinct suffixes per million PTRs, as an operator's real
/// zones do; targets are 21–91 octets long, 39 in the middle, as such zones hold.
/// </summary>
public sealed class Customer
{
    private static readonly string[] Syllables =
    [
        "ba", "be", "bri", "ca", "co", "da", "del", "fa", "fi", "ga", "go", "ha", "ka", "ki", "la", "li",
        "lo", "ma", "mi", "mo", "na", "ne", "no", "pa", "pe", "ra", "ri", "ro", "sa", "se", "ta", "te",
        "to", "va", "ve", "wa", "xi", "ya", "ze", "zu", "tor", "lin", "mar", "ver", "nor", "sol", "wave", "net",
    ];

    private static readonly string[] Endings = ["", "", "", "-net", "-it", "-hosting", "-cloud", "-tel", "-media", "-systems"];
    private static readonly string[] Domains = ["example.net", "example.com", "example.org"];
    private static readonly string[] Pools = ["static", "dyn", "cust", "dsl", "fiber", "biz"];
    private static readonly string[] Regions = ["eu-west-1", "eu-west-2", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1", "ap-northeast-1", "sa-east-1"];
    private static readonly string[] Services = ["mail", "smtp", "mx", "web", "www", "vpn", "db", "app", "api", "gw", "ns", "backup", "srv", "node", "edge"];

    private int _hosts;

    private Customer(string suffix, NamingStyle style, string pool)
    {
        Suffix = suffix;
        Style = style;
        Pool = pool;
    }

    /// <summary>The part after the host label, e.g. <c>brightwave.example.net.</c></summary>
    public string Suffix { get; }

    public NamingStyle Style { get; }

    /// <summary>The middle label of dashed and cloud names (<c>static</c>, <c>eu-west-1</c>…).</summary>
    public string Pool { get; }

    public static Customer Create(SplitMix64 rng, HashSet<string> taken)
    {
        string name;
        do
        {
            int syllables = 2 + rng.Below(3);
            var sb = new System.Text.StringBuilder();
            for (int i = 0; i < syllables; i++)
                sb.Append(rng.Pick(Syllables));
            sb.Append(rng.Pick(Endings));
            if (rng.Chance(0.2))
                sb.Append(rng.Below(100).ToString(CultureInfo.InvariantCulture));
            name = sb.ToString();
        }
        while (!taken.Add(name));
        var style = (NamingStyle)rng.Below(4);
        string pool = style == NamingStyle.Cloud ? rng.Pick(Regions) : rng.Pick(Pools);
        return new Customer($"{name}.{rng.Pick(Domains)}.", style, pool);
    }

    /// <summary>The PTR target for the next host of this customer at <paramref name="address"/>.</summary>
    public string Target(IpAddress address, SplitMix64 rng)
    {
        int n = ++_hosts;
        return Style switch
        {
            NamingStyle.Host => $"host-{n.ToString(CultureInfo.InvariantCulture)}.{Suffix}",
            NamingStyle.DashedAddress => address.Family == IpFamily.V4
                ? $"{Dashed(address)}.{Pool}.{Suffix}"
                : $"{Dashed(address)}.v6.{Suffix}",
            NamingStyle.Cloud => $"ip-{Dashed(address)}.{Pool}.compute.{Suffix}",
            _ => $"{rng.Pick(Services)}{n.ToString(CultureInfo.InvariantCulture)}.{Suffix}",
        };
    }

    private static string Dashed(IpAddress address) =>
        address.ToString().Replace("::", "-0-", StringComparison.Ordinal).Replace('.', '-').Replace(':', '-').Trim('-');
}
