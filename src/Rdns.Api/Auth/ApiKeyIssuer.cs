using Rdns.Control;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Api.Auth;

/// <summary>
/// Creating and revoking API keys, for the API and the console alike: the key is generated here,
/// shown to the caller once and stored only as its hash; a revocation is refused for an unknown key
/// (or another tenant's) and for the last operator key.
/// </summary>
public static class ApiKeyIssuer
{
    public const int MaxLabel = 200;

    public static async Task<(string Id, string Key)> IssueAsync(IKeyStore keys, TimeProvider time, string role, string? tenant, string? label,
        AuditEntry audit, CancellationToken cancellationToken)
    {
        if (label is { Length: > MaxLabel })
            throw ApiException.Invalid("label", $"at most {MaxLabel} characters");
        var (keyId, key) = ApiKeys.Generate();
        await keys.AddKeyAsync(new ApiKeyRecord(keyId, role, tenant, ApiKeys.Hash(key), time.GetUtcNow(), label),
            audit with { Action = "key.create", Target = keyId, Detail = tenant is null ? "operator" : $"tenant {tenant}" }, cancellationToken).ConfigureAwait(false);
        return (keyId, key);
    }

    public static async Task RevokeAsync(IKeyStore keys, ApiKeyCache cache, string keyId, string role, string? tenant, AuditEntry audit, CancellationToken cancellationToken)
    {
        var outcome = await keys.RevokeKeyAsync(keyId, role, tenant,
            audit with { Action = "key.revoke", Target = keyId, Detail = tenant is null ? "operator" : $"tenant {tenant}" }, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case KeyRevocation.NotFound:
                throw new ControlException(WriteError.NotFound, "key_not_found",
                    tenant is null ? $"no operator key {keyId}" : $"tenant {tenant} has no key {keyId}");
            case KeyRevocation.LastAdminKey:
                throw new ControlException(WriteError.Conflict, "last_admin_key",
                    $"{keyId} is the only operator key left; create another (POST /v1/keys) before revoking this one, so the API stays reachable");
        }
        cache.Forget(keyId);
    }
}
