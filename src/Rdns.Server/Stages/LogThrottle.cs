namespace Rdns.Server.Stages;

/// <summary>
/// Lets one log line through per interval and counts the ones it held back, so a flood of
/// spoofable events (refused transfers, rate limiting) costs a line every few seconds, not one
/// per packet. Lock-free and allocation-free; safe from every worker.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _interval = (long)(interval.TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency);
    private long _next = long.MinValue;
    private long _suppressed;

    /// <summary>True when this event may be logged; <paramref name="suppressed"/> says how many were held back since the last one.</summary>
    public bool TryEnter(out long suppressed)
    {
        long now = _time.GetTimestamp();
        long next = Volatile.Read(ref _next);
        if (now >= next && Interlocked.CompareExchange(ref _next, now + _interval, next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }
        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}
