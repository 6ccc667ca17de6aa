using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rdns.Addressing;
using Rdns.Api.Auth;
using Rdns.Api.Endpoints;
using Rdns.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Control;
using Rdns.Control.Tenants;
using Rdns.Storage;

using Rdns.Zones.Writes;

namespace Rdns.Api.Tenants;

public sealed record CreatePoolRequest(string? Prefix, string? DefaultPtr, uint? Ttl);

public sealed record PoolView(string Id, string Prefix, string DefaultPtr, uint Ttl, DateTimeOffset CreatedAt, IReadOnlyList<string>? CreatedZones = null);

public sealed record CreateTenantRequest(string? Name);

public sealed record CreateAllocationRequest(string? Tenant, string? Prefix);

public sealed record AllocationView(string Id, string Tenant, string Pool, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ReleasedAt);

public sealed record ReleaseView(string Id, string Prefix, int ResetPtrs, DateTimeOffset ReleasedAt);

public sealed record ReverseRequest(string? Name);

public sealed record DomainRequest(string? Name);

/// <summary>
/// Operator endpoints for tenants and allocations; a tenant key reads its own tenant and
/// allocations. The tenant side (PTRs of held addresses, verified domains) is in <see cref="ReverseEndpoints"/>.
/// </summary>
public static class TenantEndpoints
{
    public const string RateLimitPolicy = "tenant";

    public static void Map(IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1").WithTags("Tenants").RequireAuthorization(ApiPolicies.Operator);
        ops.MapPost("/tenants", CreateTenantAsync).WithName("CreateTenant").WithSummary("Create a tenant")
            .JsonBody<CreateTenantRequest>();
        ops.MapGet("/tenants", ListTenantsAsync).WithName("ListTenants").WithSummary("Tenants, oldest first");
        ops.MapPatch("/tenants/{id}", UpdateTenantAsync).WithName("UpdateTenant").WithSummary("Rename a tenant")
            .JsonBody<UpdateTenantRequest>()
            .Problems(StatusCodes.Status404NotFound, "tenant_not_found");
        ops.MapDelete("/tenants/{id}", DeleteTenantAsync).WithName("DeleteTenant").WithSummary("Delete a tenant that holds no addresses; its keys are revoked")
            .Problems(StatusCodes.Status404NotFound, "tenant_not_found")
            .Problems(StatusCodes.Status409Conflict, "tenant_holds_addresses");
        ops.MapPost("/allocations", AllocateAsync).WithName("CreateAllocation").WithSummary("Allocate a prefix of a pool to a tenant")
            .JsonBody<CreateAllocationRequest>()
            .Problems(StatusCodes.Status404NotFound, "tenant_not_found")
            .Problems(StatusCodes.Status409Conflict, "addresses_unavailable")
            .Problems(StatusCodes.Status422UnprocessableEntity, "outside_pools");
        ops.MapDelete("/allocations/{id}", ReleaseAsync).WithName("ReleaseAllocation").WithSummary("Release an allocation: every PTR at its addresses returns to the default")
            .Problems(StatusCodes.Status404NotFound, "allocation_not_found");

        // Operators see every tenant and allocation, a tenant its own: any valid key (the
        // fallback policy), scoped in the handler.
        var shared = app.MapGroup("/v1").WithTags("Tenants");
        shared.MapGet("/tenants/{id}", GetTenantAsync).WithName("GetTenant").WithSummary("One tenant (a tenant key: its own)")
            .Problems(StatusCodes.Status404NotFound, "tenant_not_found");
        shared.MapGet("/allocations", ListAllocationsAsync).WithName("ListAllocations").WithSummary("Allocations in address order (a tenant key: its own)");
        shared.MapGet("/allocations/{id}", GetAllocationAsync).WithName("GetAllocation").WithSummary("One allocation (a tenant key: its own)")
            .Problems(StatusCodes.Status404NotFound, "allocation_not_found");
    }

    private static async Task<Created<TenantView>> CreateTenantAsync(HttpContext context, TenantService tenants)
    {
        var request = await ApiJson.ReadAsync<CreateTenantRequest>(context).ConfigureAwait(false);
        var tenant = await tenants.CreateTenantAsync(request.Name, context.Audit("tenant.create", "-"), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/v1/tenants/{tenant.Id}", TenantView.Of(tenant));
    }

    private static async Task<Ok<Page<TenantView>>> ListTenantsAsync(HttpContext context, TenantService tenants, int? limit, string? after)
    {
        // The cursor is the last tenant's creation time (fixed-width ticks) and id; the store pages from there.
        int size = Paging.Limit(limit);
        DateTimeOffset? afterCreated = null;
        string? afterId = null;
        if (after is not null)
        {
            var key = Paging.Decode(after);
            if (key.Length <= 19 || !long.TryParse(key.AsSpan(0, 19), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
                throw ApiException.Invalid("after", "not a cursor: pass the 'next' of the previous page unchanged");
            afterCreated = new DateTimeOffset(ticks, TimeSpan.Zero);
            afterId = key[19..];
        }
        var list = await tenants.ListTenantsAsync(size + 1, afterCreated, afterId, context.RequestAborted).ConfigureAwait(false);
        string? next = list.Count > size ? Paging.Encode(Paging.TimeKey(list[size - 1].CreatedAt) + list[size - 1].Id) : null;
        return TypedResults.Ok(new Page<TenantView>(list.Take(size).Select(TenantView.Of).ToList(), next));
    }

    private static async Task<Ok<TenantView>> GetTenantAsync(HttpContext context, TenantService tenants, string id)
    {
        var caller = context.Caller();
        if (!caller.IsAdmin && caller.TenantId != id)
            throw new ControlException(WriteError.NotFound, "tenant_not_found", $"no tenant {id}");
        return TypedResults.Ok(TenantView.Of(await tenants.GetTenantAsync(id, context.RequestAborted).ConfigureAwait(false)));
    }

    private static async Task<Ok<TenantView>> UpdateTenantAsync(HttpContext context, TenantService tenants, string id)
    {
        var request = await ApiJson.ReadAsync<UpdateTenantRequest>(context).ConfigureAwait(false);
        var tenant = await tenants.RenameTenantAsync(id, request.Name, context.Audit("tenant.update", id), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(TenantView.Of(tenant));
    }

    private static async Task<NoContent> DeleteTenantAsync(HttpContext context, TenantService tenants, IKeyStore keys, ApiKeyCache cache, string id)
    {
        var tenantKeys = await keys.ListKeysAsync(ApiKeys.TenantRole, id, context.RequestAborted).ConfigureAwait(false);
        await tenants.DeleteTenantAsync(id, context.Audit("tenant.delete", id), context.RequestAborted).ConfigureAwait(false);
        foreach (var key in tenantKeys)
            cache.Forget(key.Id);
        return TypedResults.NoContent();
    }

    private static async Task<Created<AllocationView>> AllocateAsync(HttpContext context, TenantService tenants)
    {
        var request = await ApiJson.ReadAsync<CreateAllocationRequest>(context).ConfigureAwait(false);
        var a = await tenants.AllocateAsync(request.Tenant, request.Prefix, context.Audit("allocation.create", request.Prefix ?? "-"), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/v1/allocations/{a.Id}", View(a));
    }

    private static async Task<Ok<Page<AllocationView>>> ListAllocationsAsync(HttpContext context, IRdnsStore store, string? tenant, bool? released, int? limit, string? after)
    {
        var caller = context.Caller();
        if (tenant is not null && (tenant.Length is 0 or > 100 || !tenant.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
            throw ApiException.Invalid("tenant", "a tenant id (ten_…)");
        var scope = caller.IsAdmin ? tenant : caller.TenantId;
        var list = await store.ListAllocationsAsync(scope, released ?? false, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Paging.Page(list, a => Paging.AddressKey(a.Prefix) + Paging.TimeKey(a.CreatedAt) + a.Id, View, limit, after));
    }

    private static async Task<Ok<AllocationView>> GetAllocationAsync(HttpContext context, IRdnsStore store, string id)
    {
        var caller = context.Caller();
        var a = await store.GetAllocationAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (a is null || (!caller.IsAdmin && a.TenantId != caller.TenantId))
            throw new ControlException(WriteError.NotFound, "allocation_not_found", $"no allocation {id}");
        return TypedResults.Ok(View(a));
    }

    private static async Task<Ok<ReleaseView>> ReleaseAsync(HttpContext context, TenantService tenants, IRdnsStore store, string id)
    {
        int reset = await tenants.ReleaseAsync(id, context.Audit("allocation.release", id), context.RequestAborted).ConfigureAwait(false);
        var a = (await store.GetAllocationAsync(id, context.RequestAborted).ConfigureAwait(false))!;
        return TypedResults.Ok(new ReleaseView(a.Id, a.Prefix, reset, a.ReleasedAt!.Value));
    }

    private static AllocationView View(AllocationRecord a) => new(a.Id, a.TenantId, a.PoolId, a.Prefix, a.CreatedAt, a.ReleasedAt);
}
