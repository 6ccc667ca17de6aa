namespace Rdns.Bench.Data;

/// <summary>What kind of data a dataset holds; every kind is generated at any size.</summary>
public enum ShapeKind
{
    /// <summary>
    /// An operator's zones: /24s fully or mostly populated, RFC 2317 children, 16 IPv6 /48s with
    /// PTRs packed into /64s; targets in the operator's naming style (a thousand suffixes per million PTRs).
    /// </summary>
    Operator,

    /// <summary>
    /// The same zones, but every target is a tenant's own name (a distinct registrable domain per
    /// address) and IPv6 interface IDs are random 80-bit values spread over whole /48s.
    /// </summary>
    Tenant,

    /// <summary>IPv6 only: 4,096 /48s per million PTRs, random 80-bit interface IDs, tenants' names.</summary>
    Sparse6,

    /// <summary>One IPv4 /8 zone holding every PTR, tenants' names.</summary>
    Huge,

    /// <summary>Ten PTRs per /24 zone on average (100,000 zones per million PTRs); half the zones name hosts in their holder's own domain.</summary>
    Tiny,
}

/// <summary>
/// How many zones of each kind a dataset of a given size has. The reference size, 1,048,832
/// records, gives (operator and tenant shapes) 4,096 IPv4 /24 zones, 64 RFC 2317 children (one /24
/// in 64 delegates a block) and 16 IPv6 /48 zones: 4,176 zones. Other sizes scale every count in
/// proportion, so the 10M run differs from the 1M run only in size.
/// </summary>
public sealed record DatasetShape(ShapeKind Kind, long Records, int Ipv4Zones, int ChildZones, int Ipv6Zones)
{
    public const long ReferenceRecords = 1_048_832;
    public const int ReferenceIpv4Zones = 4_096;
    public const int ChildEvery = 64;
    public const int ReferenceIpv6Zones = 16;
    public const int ReferenceSparseZones = 4_096;
    public const int TinyZoneAverage = 10;

    /// <summary>Share of a /24 that is fully populated (.1–.254); the rest hold 180–253 of those addresses.</summary>
    public const double FullZoneShare = 0.6;

    public int Zones => Ipv4Zones + ChildZones + Ipv6Zones;

    /// <summary>Targets are tenants' own names rather than an operator's naming style.</summary>
    public bool TenantNames => Kind != ShapeKind.Operator;

    public static DatasetShape For(long records) => For(ShapeKind.Operator, records);

    public static DatasetShape For(ShapeKind kind, long records)
    {
        if (records < 1_000)
            throw new ArgumentOutOfRangeException(nameof(records), "at least 1000 records");
        double scale = (double)records / ReferenceRecords;
        switch (kind)
        {
            case ShapeKind.Sparse6:
                return new DatasetShape(kind, records, 0, 0, Math.Max(1, (int)Math.Round(ReferenceSparseZones * scale)));
            case ShapeKind.Huge:
                if (records > 256 * 256 * 254)
                    throw new ArgumentOutOfRangeException(nameof(records), "a /8 holds at most 16,516,096 PTRs (.1–.254 of each /24)");
                return new DatasetShape(kind, records, 1, 0, 0);
            case ShapeKind.Tiny:
                return new DatasetShape(kind, records, (int)Math.Max(1, records / TinyZoneAverage), 0, 0);
            default:
                int v4 = Math.Max(1, (int)Math.Round(ReferenceIpv4Zones * scale));
                int v6 = Math.Max(1, (int)Math.Round(ReferenceIpv6Zones * scale));
                return new DatasetShape(kind, records, v4, v4 / ChildEvery, v6);
        }
    }
}
