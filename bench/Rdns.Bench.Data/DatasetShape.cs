namespace Rdns.Bench.Data;

/// <summary>
/// How many zones of each kind a dataset of a given size has. The reference size, 1,048,832
/// records, gives 4,096 IPv4 /24 zones, 64 RFC 2317 children (one /24 in 64 delegates a block)
/// and 16 IPv6 /48 zones: 4,176 zones. Other sizes scale every count in proportion, so the 10M
/// run differs from the 1M run only in size.
/// </summary>
public sealed record DatasetShape(long Records, int Ipv4Zones, int ChildZones, int Ipv6Zones)
{
    public const long ReferenceRecords = 1_048_832;
    public const int ReferenceIpv4Zones = 4_096;
    public const int ChildEvery = 64;
    public const int ReferenceIpv6Zones = 16;

    /// <summary>Share of a /24 that is fully populated (.1–.254); the rest hold 180–253 of those addresses.</summary>
    public const double FullZoneShare = 0.6;

    public int Zones => Ipv4Zones + ChildZones + Ipv6Zones;

    public static DatasetShape For(long records)
    {
        if (records < 1_000)
            throw new ArgumentOutOfRangeException(nameof(records), "at least 1000 records");
        double scale = (double)records / ReferenceRecords;
        int v4 = Math.Max(1, (int)Math.Round(ReferenceIpv4Zones * scale));
        int v6 = Math.Max(1, (int)Math.Round(ReferenceIpv6Zones * scale));
        return new DatasetShape(records, v4, v4 / ChildEvery, v6);
    }
}
