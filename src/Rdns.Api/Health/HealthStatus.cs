namespace Rdns.Api.Health;

/// <summary>The body of <c>/healthz</c>: <c>{"status":"ok"}</c>.</summary>
public sealed record HealthStatus(string Status)
{
    public static readonly HealthStatus Ok = new("ok");
}
