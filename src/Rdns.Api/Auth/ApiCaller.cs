namespace Rdns.Api.Auth;

/// <summary>Who is calling: resolved from the bearer key by the authentication middleware.</summary>
public sealed record ApiCaller(string KeyId, string Role, string? TenantId)
{
    public bool IsAdmin => Role == ApiKeys.AdminRole;

    /// <summary>The actor named in audit rows.</summary>
    public string Actor => TenantId is null ? $"{Role}:{KeyId}" : $"tenant:{TenantId}:{KeyId}";
}
