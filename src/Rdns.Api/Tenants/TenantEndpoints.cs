using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rdns.Addressing;
using Rdns.Api.Auth;
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
/// Operator endpoints for pools, tenants, keys and allocations; tenant endpoints for the PTRs of
/// held addresses and for verified domains. Tenant endpoints are rate limited per key.
/// </summary>
public static class TenantEndpoints
{
    public const string RateLimitPolicy = "tenant";

    public static void Map(IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1").WithTags("Tenancy").RequireAuthorization(ApiPolicies.Operator);
        ops.MapPost("/pools", CreatePoolAsync).WithName("CreatePool");
        ops.MapGet("/pools", ListPoolsAsync).WithName("ListPools");
        ops.MapPost("/tenants", CreateTenantAsync).WithName("CreateTenant");
        ops.MapPost("/allocations", AllocateAsync).WithName("CreateAllocation");
        ops.MapDelete("/allocations/{id}", ReleaseAsync).WithName("ReleaseAllocation");

        // Operators see every tenant and allocation, a tenant its own: any valid key (the
        // fallback policy), scoped in the handler.
        var shared = app.MapGroup("/v1").WithTags("Tenancy");
        shared.MapGet("/tenants/{id}", GetTenantAsync).WithName("GetTenant");
        shared.MapGet("/allocations", ListAllocationsAsync).WithName("ListAllocations");
        shared.MapGet("/allocations/{id}", GetAllocationAsync).WithName("GetAllocation");

        var tenant = app.MapGroup("/v1").WithTags("Tenant").RequireAuthorization(ApiPolicies.Tenant).RequireRateLimiting(RateLimitPolicy);
        tenant.MapPut("/addresses/{ip}/reverse", SetReverseAsync).WithName("SetReverse");
        tenant.MapGet("/addresses/{ip}/reverse", GetReverseAsync).WithName("GetReverse");
        tenant.MapDelete("/addresses/{ip}/reverse", ResetReverseAsync).WithName("ResetReverse");
        tenant.MapGet("/addresses", ListReversesAsync).WithName("ListReverses");
        tenant.MapPost("/domains", AddDomainAsync).WithName("AddDomain");
        tenant.MapGet("/domains", ListDomainsAsync).WithName("ListDomains");
        tenant.MapPost("/domains/{name}/verify", VerifyDomainAsync).WithName("VerifyDomain");
    }

    /// <summary>The tenant the caller acts for (the group's policy admitted only tenant keys).</summary>
    private static string RequireTenant(HttpContext context) =>
        context.Caller().TenantId ?? throw new InvalidOperationException("a tenant endpoint reached without a tenant key");

    private static async Task<IResult> CreatePoolAsync(HttpContext context, PoolService pools)
    {
        var request = await ApiJson.ReadAsync<CreatePoolRequest>(context).ConfigureAwait(false);
        if (request.Prefix is null)
            return ApiProblem.Invalid("prefix", "required");
        var (pool, zones) = await pools.CreateAsync(request.Prefix, request.DefaultPtr, request.Ttl, context.Audit("pool.create", request.Prefix), context.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/v1/pools/{pool.Id}", new PoolView(pool.Id, pool.Prefix, pool.Template, pool.Ttl, pool.CreatedAt, zones));
    }

    private static async Task<IResult> ListPoolsAsync(HttpContext context, IRdnsStore store)
    {
        var pools = await store.ListPoolsAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Ok(pools.Select(p => new PoolView(p.Id, p.Prefix, p.Template, p.Ttl, p.CreatedAt)).ToList());
    }

    private static async Task<IResult> CreateTenantAsync(HttpContext context, TenantService tenants)
    {
        var request = await ApiJson.ReadAsync<CreateTenantRequest>(context).ConfigureAwait(false);
        var tenant = await tenants.CreateTenantAsync(request.Name, context.Audit("tenant.create", "-"), context.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/v1/tenants/{tenant.Id}", tenant);
    }

    private static async Task<IResult> GetTenantAsync(HttpContext context, TenantService tenants, string id)
    {
        var caller = context.Caller();
        if (!caller.IsAdmin && caller.TenantId != id)
            throw new ControlException(WriteError.NotFound, "tenant_not_found", $"no tenant {id}");
        return Results.Ok(await tenants.GetTenantAsync(id, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> AllocateAsync(HttpContext context, TenantService tenants)
    {
        var request = await ApiJson.ReadAsync<CreateAllocationRequest>(context).ConfigureAwait(false);
        var a = await tenants.AllocateAsync(request.Tenant, request.Prefix, context.Audit("allocation.create", request.Prefix ?? "-"), context.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/v1/allocations/{a.Id}", View(a));
    }

    private static async Task<IResult> ListAllocationsAsync(HttpContext context, IRdnsStore store, string? tenant, bool? released)
    {
        var caller = context.Caller();
        var scope = caller.IsAdmin ? tenant : caller.TenantId;
        var list = await store.ListAllocationsAsync(scope, released ?? false, context.RequestAborted).ConfigureAwait(false);
        return Results.Ok(list.Select(View).ToList());
    }

    private static async Task<IResult> GetAllocationAsync(HttpContext context, IRdnsStore store, string id)
    {
        var caller = context.Caller();
        var a = await store.GetAllocationAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (a is null || (!caller.IsAdmin && a.TenantId != caller.TenantId))
            throw new ControlException(WriteError.NotFound, "allocation_not_found", $"no allocation {id}");
        return Results.Ok(View(a));
    }

    private static async Task<IResult> ReleaseAsync(HttpContext context, TenantService tenants, IRdnsStore store, string id)
    {
        int reset = await tenants.ReleaseAsync(id, context.Audit("allocation.release", id), context.RequestAborted).ConfigureAwait(false);
        var a = (await store.GetAllocationAsync(id, context.RequestAborted).ConfigureAwait(false))!;
        return Results.Ok(new ReleaseView(a.Id, a.Prefix, reset, a.ReleasedAt!.Value));
    }

    private static async Task<IResult> SetReverseAsync(HttpContext context, TenantReverseService reverses, Control.Views.TenantViewService views, string ip, string? view)
    {
        var tenant = RequireTenant(context);
        var address = ApiInput.ParseIp(ip);
        var request = await ApiJson.ReadAsync<ReverseRequest>(context).ConfigureAwait(false);
        if (!Addressing.ViewName.IsPublic(view))
            return Results.Ok(await views.SetAsync(tenant, view!, address, request.Name, context.Audit("reverse.set", address.ToString()), context.RequestAborted).ConfigureAwait(false));
        var reverse = await reverses.SetAsync(tenant, address, request.Name, context.Audit("reverse.set", address.ToString()), context.RequestAborted).ConfigureAwait(false);
        return Results.Ok(reverse);
    }

    private static async Task<IResult> GetReverseAsync(HttpContext context, TenantReverseService reverses, Control.Views.TenantViewService views, string ip, string? view) =>
        Addressing.ViewName.IsPublic(view)
            ? Results.Ok(await reverses.GetAsync(RequireTenant(context), ApiInput.ParseIp(ip), context.RequestAborted).ConfigureAwait(false))
            : Results.Ok(views.Get(RequireTenant(context), view!, ApiInput.ParseIp(ip)));

    private static async Task<IResult> ResetReverseAsync(HttpContext context, TenantReverseService reverses, Control.Views.TenantViewService views, string ip, string? view)
    {
        var tenant = RequireTenant(context);
        var address = ApiInput.ParseIp(ip);
        if (!Addressing.ViewName.IsPublic(view))
        {
            await views.ResetAsync(tenant, view!, address, context.Audit("reverse.reset", address.ToString()), context.RequestAborted).ConfigureAwait(false);
            return Results.NoContent();
        }
        await reverses.ResetAsync(tenant, address, context.Audit("reverse.reset", address.ToString()), context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> ListReversesAsync(HttpContext context, TenantReverseService reverses, string? status) =>
        Results.Ok(await reverses.ListAsync(RequireTenant(context), status, context.RequestAborted).ConfigureAwait(false));

    private static async Task<IResult> AddDomainAsync(HttpContext context, TenantReverseService reverses)
    {
        var tenant = RequireTenant(context);
        var request = await ApiJson.ReadAsync<DomainRequest>(context).ConfigureAwait(false);
        var view = await reverses.AddDomainAsync(tenant, request.Name, context.Audit("domain.add", request.Name ?? "-"), context.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/v1/domains/{view.Name}", view);
    }

    private static async Task<IResult> ListDomainsAsync(HttpContext context, TenantReverseService reverses) =>
        Results.Ok(await reverses.ListDomainsAsync(RequireTenant(context), context.RequestAborted).ConfigureAwait(false));

    private static async Task<IResult> VerifyDomainAsync(HttpContext context, TenantReverseService reverses, string name)
    {
        var tenant = RequireTenant(context);
        return Results.Ok(await reverses.VerifyDomainAsync(tenant, name, context.Audit("domain.verify", name), context.RequestAborted).ConfigureAwait(false));
    }

    private static AllocationView View(AllocationRecord a) => new(a.Id, a.TenantId, a.PoolId, a.Prefix, a.CreatedAt, a.ReleasedAt);
}
