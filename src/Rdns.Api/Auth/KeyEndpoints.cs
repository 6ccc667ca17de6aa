using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Api.Endpoints;
using Rdns.Api.OpenApi;
using Rdns.Control;
using Rdns.Control.Tenants;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Api.Auth;

public sealed record CreateKeyRequest(string? Label);

/// <summary>A new key: <see cref="Key"/> is in this response only; the store keeps its hash.</summary>
public sealed record KeyView(string Id, string Key, string? Tenant, string? Label);

/// <summary>A key as listed: never the key, never its hash.</summary>
public sealed record KeyInfo(string Id, string Role, string? Tenant, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// Operator endpoints for the life of API keys: operator keys under <c>/v1/keys</c>, tenant keys
/// under <c>/v1/tenants/{id}/keys</c>; create (shown once), list (no secrets), revoke. A revoked
/// key is refused at once on the node that revoked it and within <see cref="ApiKeyCache.CacheFor"/>
/// on every other node of a shared store.
/// </summary>
public static class KeyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1").WithTags("Keys").RequireAuthorization(ApiPolicies.Operator);
        keys.MapGet("/keys", ListOperatorKeysAsync).WithName("ListKeys").WithSummary("Operator keys, revoked ones included; never a key or its hash");
        keys.MapPost("/keys", CreateOperatorKeyAsync).WithName("CreateKey").WithSummary("A new operator key, shown this once")
            .JsonBody<CreateKeyRequest>(optional: true);
        keys.MapDelete("/keys/{keyId}", RevokeOperatorKeyAsync).WithName("RevokeKey").WithSummary("Revoke an operator key")
            .Problems(StatusCodes.Status404NotFound, "key_not_found")
            .Problems(StatusCodes.Status409Conflict, "last_admin_key");
        keys.MapPost("/tenants/{id}/keys", CreateTenantKeyAsync).WithName("CreateTenantKey").WithSummary("A new key of a tenant, shown this once")
            .JsonBody<CreateKeyRequest>(optional: true)
            .Problems(StatusCodes.Status404NotFound, "tenant_not_found");
        keys.MapGet("/tenants/{id}/keys", ListTenantKeysAsync).WithName("ListTenantKeys").WithSummary("A tenant's keys, revoked ones included")
            .Problems(StatusCodes.Status404NotFound, "tenant_not_found");
        keys.MapDelete("/tenants/{id}/keys/{keyId}", RevokeTenantKeyAsync).WithName("RevokeTenantKey").WithSummary("Revoke a tenant's key")
            .Problems(StatusCodes.Status404NotFound, "tenant_not_found", "key_not_found");

        // A tenant's own keys, with its own key: the same rules as the operator's endpoints above,
        // bound to the caller's tenant (the console's "My keys" page does the same).
        var own = app.MapGroup("/v1/tenant").WithTags("Tenant").RequireAuthorization(ApiPolicies.Tenant).RequireRateLimiting(Tenants.TenantEndpoints.RateLimitPolicy);
        own.MapGet("/keys", ListOwnKeysAsync).WithName("ListOwnKeys").WithSummary("The calling tenant's keys, revoked ones included; never a key or its hash");
        own.MapPost("/keys", CreateOwnKeyAsync).WithName("CreateOwnKey").WithSummary("A new key of the calling tenant, shown this once")
            .JsonBody<CreateKeyRequest>(optional: true);
        own.MapDelete("/keys/{keyId}", RevokeOwnKeyAsync).WithName("RevokeOwnKey").WithSummary("Revoke one of the calling tenant's keys (its own included)")
            .Problems(StatusCodes.Status404NotFound, "key_not_found");
    }

    private static string CallerTenant(HttpContext context) =>
        context.Caller().TenantId ?? throw new InvalidOperationException("a tenant endpoint reached without a tenant key");

    private static Task<Created<KeyView>> CreateOwnKeyAsync(HttpContext context, IKeyStore keys, TimeProvider time) =>
        CreateAsync(context, keys, time, ApiKeys.TenantRole, CallerTenant(context));

    private static async Task<Ok<Page<KeyInfo>>> ListOwnKeysAsync(HttpContext context, IKeyStore keys, int? limit, string? after) =>
        List(await keys.ListKeysAsync(ApiKeys.TenantRole, CallerTenant(context), context.RequestAborted).ConfigureAwait(false), limit, after);

    private static Task<NoContent> RevokeOwnKeyAsync(HttpContext context, IKeyStore keys, ApiKeyCache cache, string keyId) =>
        RevokeAsync(context, keys, cache, keyId, ApiKeys.TenantRole, CallerTenant(context));

    private static async Task<CreateKeyRequest> OptionalBodyAsync(HttpContext context) =>
        context.Request.ContentLength is > 0 ? await ApiJson.ReadAsync<CreateKeyRequest>(context).ConfigureAwait(false) : new CreateKeyRequest(null);

    private static async Task<Created<KeyView>> CreateAsync(HttpContext context, IKeyStore keys, TimeProvider time, string role, string? tenant)
    {
        var request = await OptionalBodyAsync(context).ConfigureAwait(false);
        var (keyId, key) = await ApiKeyIssuer.IssueAsync(keys, time, role, tenant, request.Label, context.Audit("key.create", "-"), context.RequestAborted).ConfigureAwait(false);
        var location = tenant is null ? $"/v1/keys/{keyId}" : $"/v1/tenants/{tenant}/keys/{keyId}";
        return TypedResults.Created(location, new KeyView(keyId, key, tenant, request.Label));
    }

    private static async Task<NoContent> RevokeAsync(HttpContext context, IKeyStore keys, ApiKeyCache cache, string keyId, string role, string? tenant)
    {
        await ApiKeyIssuer.RevokeAsync(keys, cache, keyId, role, tenant, context.Audit("key.revoke", keyId), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static Ok<Page<KeyInfo>> List(IReadOnlyList<ApiKeyRecord> keys, int? limit, string? after) =>
        TypedResults.Ok(Paging.Page(keys, k => Paging.TimeKey(k.CreatedAt) + k.Id, k => new KeyInfo(k.Id, k.Role, k.TenantId, k.Label, k.CreatedAt, k.RevokedAt), limit, after));

    private static Task<Created<KeyView>> CreateOperatorKeyAsync(HttpContext context, IKeyStore keys, TimeProvider time)
    {
        return CreateAsync(context, keys, time, ApiKeys.AdminRole, null);
    }

    private static async Task<Ok<Page<KeyInfo>>> ListOperatorKeysAsync(HttpContext context, IKeyStore keys, int? limit, string? after)
    {
        return List(await keys.ListKeysAsync(ApiKeys.AdminRole, null, context.RequestAborted).ConfigureAwait(false), limit, after);
    }

    private static Task<NoContent> RevokeOperatorKeyAsync(HttpContext context, IKeyStore keys, ApiKeyCache cache, string keyId)
    {
        return RevokeAsync(context, keys, cache, keyId, ApiKeys.AdminRole, null);
    }

    private static async Task<Created<KeyView>> CreateTenantKeyAsync(HttpContext context, TenantService tenants, IKeyStore keys, TimeProvider time, string id)
    {
        await tenants.GetTenantAsync(id, context.RequestAborted).ConfigureAwait(false);
        return await CreateAsync(context, keys, time, ApiKeys.TenantRole, id).ConfigureAwait(false);
    }

    private static async Task<Ok<Page<KeyInfo>>> ListTenantKeysAsync(HttpContext context, TenantService tenants, IKeyStore keys, string id, int? limit, string? after)
    {
        await tenants.GetTenantAsync(id, context.RequestAborted).ConfigureAwait(false);
        return List(await keys.ListKeysAsync(ApiKeys.TenantRole, id, context.RequestAborted).ConfigureAwait(false), limit, after);
    }

    private static async Task<NoContent> RevokeTenantKeyAsync(HttpContext context, TenantService tenants, IKeyStore keys, ApiKeyCache cache, string id, string keyId)
    {
        await tenants.GetTenantAsync(id, context.RequestAborted).ConfigureAwait(false);
        return await RevokeAsync(context, keys, cache, keyId, ApiKeys.TenantRole, id).ConfigureAwait(false);
    }
}
