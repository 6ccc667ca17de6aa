using System.Text;

namespace Rdns.Bench.Flood;

/// <summary>
/// The zones both servers serve: a /24 whose PTRs have long targets (the largest answer an
/// attacker can ask for, so the most amplification), a delegated child for referrals.
/// </summary>
internal static class FloodZones
{
    public const string Zone = "2.0.192.in-addr.arpa.";

    public static string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var sb = new StringBuilder();
        sb.Append("$ORIGIN ").Append(Zone).Append("\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n");
        for (int i = 1; i < 200; i++)
            sb.Append(i).Append(" PTR a-rather-long-customer-host-name-").Append(i).Append(".datacenter-eu-west.long-provider-domain-name.example.\n");
        sb.Append("sub NS ns.elsewhere.example.\n");
        File.WriteAllText(Path.Combine(directory, Zone + "zone"), sb.ToString());
        return directory;
    }
}
