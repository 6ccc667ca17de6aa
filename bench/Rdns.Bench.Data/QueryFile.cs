using System.Text;
using Rdns.Addressing;

namespace Rdns.Bench.Data;

/// <summary>
/// The dnsperf query file (one <c>name PTR</c> per line). Existing PTRs are drawn uniformly from
/// every PTR of the dataset. A PTR inside an RFC 2317 child is asked the way a resolver meets it:
/// every other draw asks its address name (the parent answers with the CNAME), the others ask the
/// CNAME's target in the child (the resolver's second query). The NXDOMAIN share asks addresses
/// inside hosted zones that have no PTR: holes of partly populated /24s and random interface IDs
/// in the /64s the IPv6 zones use (anywhere in the /48 when they are spread over it). The lines are then shuffled with the seed.
/// </summary>
public static class QueryFile
{
    public sealed record Counts(int Queries, int Nxdomain, int Cname, int Child, int Ipv6);

    public static Counts Write(string path, DatasetBuilder data, int queries, double nxShare, ulong seed)
    {
        var rng = SplitMix64.For(seed, "queries");
        int nx = (int)Math.Round(queries * nxShare);
        var lines = new List<string>(queries);
        long ptrs = data.Ipv4Ptrs.Count + (long)data.Ipv6Ptrs.Count;
        bool viaCname = true;
        int cname = 0, child = 0, v6 = 0;
        for (int i = 0; i < queries - nx; i++)
        {
            long pick = rng.Below(ptrs);
            if (pick >= data.Ipv4Ptrs.Count)
            {
                lines.Add(DatasetBuilder.Ipv6Name(data.Ipv6Ptrs[(int)(pick - data.Ipv4Ptrs.Count)]));
                v6++;
                continue;
            }
            uint address = data.Ipv4Ptrs[(int)pick];
            var ip = IpAddress.FromV4(address);
            if (data.Delegations.TryGetValue(address & 0xffffff00, out var block) && block.Contains(ip))
            {
                if (viaCname)
                {
                    lines.Add(ReverseName.ToName(ip));
                    cname++;
                }
                else
                {
                    lines.Add(ReverseName.ToClasslessName(ip, block));
                    child++;
                }
                viaCname = !viaCname;
                continue;
            }
            lines.Add(ReverseName.ToName(ip));
        }
        for (int i = 0; i < nx; i++)
        {
            if ((i % 2 == 0 || data.Ipv6Networks.Count == 0) && data.Ipv4Holes.Count > 0)
            {
                lines.Add(ReverseName.ToName(IpAddress.FromV4(data.Ipv4Holes[rng.Below(data.Ipv4Holes.Count)])));
                continue;
            }
            lines.Add(RandomIpv6Miss(data, rng));
            v6++;
        }
        rng.Shuffle(lines);

        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        foreach (string line in lines)
        {
            writer.Write(line);
            writer.Write(" PTR\n");
        }
        return new Counts(queries, nx, cname, child, v6);
    }

    private static HashSet<UInt128>? s_ipv6;

    private static string RandomIpv6Miss(DatasetBuilder data, SplitMix64 rng)
    {
        s_ipv6 ??= [.. data.Ipv6Ptrs];
        while (true)
        {
            var (prefix, subnets) = rng.Pick(data.Ipv6Networks);
            UInt128 value = subnets.Length == 0
                ? prefix | DatasetBuilder.Random80(rng)
                : prefix | (UInt128)rng.Pick(subnets) << 64 | DatasetBuilder.InterfaceId(rng);
            if (!s_ipv6.Contains(value))
                return DatasetBuilder.Ipv6Name(value);
        }
    }
}
