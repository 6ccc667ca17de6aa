namespace Rdns.Storage;

/// <summary>Times as the store keeps them.</summary>
internal static class StoreTime
{
    /// <summary>
    /// UTC, cut to the microsecond: PostgreSQL's timestamptz holds microseconds (and would round,
    /// not cut, anything finer), so both stores cut first and a time reads back exactly as written.
    /// </summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset time)
    {
        long ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }
}
