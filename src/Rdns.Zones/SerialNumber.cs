namespace Rdns.Zones;

/// <summary>SOA serial arithmetic (RFC 1982) for 32-bit serials.</summary>
public static class SerialNumber
{
    /// <summary>RFC 1982 §3.2: the largest increment that keeps the order defined.</summary>
    public const uint MaxIncrement = int.MaxValue;

    /// <summary>s1 &lt; s2 in serial arithmetic (RFC 1982 §3.2); undefined pairs (exactly 2^31 apart) are neither.</summary>
    public static bool LessThan(uint s1, uint s2) =>
        s1 != s2 && ((s1 < s2 && s2 - s1 < 0x80000000u) || (s1 > s2 && s1 - s2 > 0x80000000u));

    public static bool GreaterThan(uint s1, uint s2) => LessThan(s2, s1);

    /// <summary>The next serial after <paramref name="current"/>: +1, wrapping past 2^32-1 (RFC 1982 §3.1).</summary>
    public static uint Next(uint current) => unchecked(current + 1);
}
