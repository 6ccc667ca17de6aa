namespace Rdns.Server.Stages;

/// <summary>DNS cookies (settings section <c>Cookies</c>).</summary>
public sealed class CookieOptions
{
    /// <summary>On: a cookie costs a hash per query and proves the client is not spoofed, which exempts it from rate limiting (RFC 7873).</summary>
    public bool Enabled { get; set; } = true;
}
