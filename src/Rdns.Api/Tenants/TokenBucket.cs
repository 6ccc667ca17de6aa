using System.Threading.RateLimiting;

namespace Rdns.Api.Tenants;

/// <summary>
/// A token bucket that refills continuously: <c>perMinute</c> tokens a minute, at most
/// <c>perMinute</c> held. A refused request learns exactly when the next token arrives
/// (<see cref="MetadataName.RetryAfter"/>), where the framework's bucket, refilling in whole
/// periods, can only say "a period" — 60 s when the next token is half a second away.
/// </summary>
internal sealed class TokenBucket : RateLimiter
{
    private readonly double _capacity;
    private readonly double _perSecond;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _stamp;
    private long _fullSince;

    public TokenBucket(int perMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        _capacity = perMinute;
        _perSecond = perMinute / 60.0;
        _time = time;
        _tokens = _capacity;
        _stamp = _fullSince = time.GetTimestamp();
    }

    /// <summary>How long the bucket has been full: the partitioned limiter drops buckets idle for a while.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens < _capacity ? null : _time.GetElapsedTime(_fullSince);
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill();
            return new RateLimiterStatistics { CurrentAvailablePermits = (long)_tokens };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            Refill();
            if (_tokens >= permitCount)
            {
                _tokens -= permitCount;
                return Lease.Acquired;
            }
            return new Lease(TimeSpan.FromSeconds((permitCount - _tokens) / _perSecond));
        }
    }

    /// <summary>No queue: a request over the limit is answered at once, not held.</summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    /// <summary>Adds the tokens earned since the last look (none beyond a full bucket).</summary>
    private void Refill()
    {
        long now = _time.GetTimestamp();
        if (_tokens < _capacity)
        {
            _tokens = Math.Min(_capacity, _tokens + _time.GetElapsedTime(_stamp, now).TotalSeconds * _perSecond);
            if (_tokens >= _capacity)
                _fullSince = now;
        }
        _stamp = now;
    }

    private sealed class Lease(TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(null);

        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
