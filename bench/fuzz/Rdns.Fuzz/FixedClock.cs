namespace Rdns.Fuzz;

/// <summary>A clock that never moves: TSIG time checks give the same answer for the same input.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
