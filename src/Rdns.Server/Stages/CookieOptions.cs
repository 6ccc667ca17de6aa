namespace Rdns.Server.Stages;

/// <summary>DNS cookies (settings section <c>Cookies</c>).</summary>
public sealed class CookieOptions
{
    /// <summary>On: a cookie costs a hash per query and proves the client is not spoofed, which exempts it from rate limiting (RFC 7873).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// One day: long enough that the previous secret, still accepted after a rotation, covers every
    /// cookie handed out (they are good for an hour, RFC 9018 §4.3); short enough that a leaked
    /// secret is soon worthless.
    /// </summary>
    public TimeSpan RotateEvery { get; set; } = TimeSpan.FromDays(1);
}
