using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;
using Rdns.Api.Auth;
using Rdns.Control.Tenants;
using Rdns.Control.Zones;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Api.Console;

/// <summary>The operator's console pages: zones, pools, tenants with their allocations (allocate, release).</summary>
public static class OperatorPages
{
    public static void Map(RouteGroupBuilder operators)
    {
        operators.MapGet("/pools", PoolsAsync);
        operators.MapPost("/pools", CreatePoolAsync);
        operators.MapPost("/pools/delete", DeletePoolAsync);
        operators.MapGet("/tenants", TenantsAsync);
        operators.MapPost("/tenants", CreateTenantAsync);
        operators.MapPost("/tenants/delete", DeleteTenantAsync);
        operators.MapPost("/allocations", AllocateAsync);
        operators.MapPost("/allocations/release", ReleaseAsync);
    }

    private static string Who(HttpContext context) => $"operator {ConsoleAuth.Caller(context).KeyId}";

    private static async Task<IResult> RenderPoolsAsync(HttpContext context, IRdnsStore store, string? error = null, string? done = null, int status = 200) =>
        new RazorComponentResult<PoolsPage>(new Dictionary<string, object?> { ["Who"] = Who(context), ["Pools"] = await store.ListPoolsAsync(context.RequestAborted).ConfigureAwait(false), ["Error"] = error, ["Done"] = done }) { StatusCode = status };

    private static Task<IResult> PoolsAsync(HttpContext context, IRdnsStore store) => RenderPoolsAsync(context, store);

    private static async Task<IResult> CreatePoolAsync(HttpContext context, IRdnsStore store, PoolService pools,
        [FromForm] string? prefix, [FromForm] string? defaultPtr)
    {
        ConsoleAuth.Caller(context);
        try
        {
            var (pool, zones) = await pools.CreateAsync(prefix ?? "", defaultPtr, null, context.Audit("pool.create", prefix ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return await RenderPoolsAsync(context, store, done: $"Pool {pool.Id} ({pool.Prefix}) created" + (zones.Count > 0 ? $" with zones {string.Join(", ", zones)}." : ".")).ConfigureAwait(false);
        }
        catch (WriteException e)
        {
            return await RenderPoolsAsync(context, store, e.Message, status: StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> RenderTenantsAsync(HttpContext context, IRdnsStore store, string? error = null, string? done = null, int status = 200) =>
        new RazorComponentResult<TenantsPage>(new Dictionary<string, object?>
        {
            ["Who"] = Who(context),
            ["Tenants"] = await store.ListTenantsAsync(context.RequestAborted).ConfigureAwait(false),
            ["Allocations"] = await store.ListAllocationsAsync(null, false, context.RequestAborted).ConfigureAwait(false),
            ["Error"] = error,
            ["Done"] = done,
        })
        { StatusCode = status };

    private static Task<IResult> TenantsAsync(HttpContext context, IRdnsStore store) => RenderTenantsAsync(context, store);

    private static async Task<IResult> CreateTenantAsync(HttpContext context, IRdnsStore store, TenantService tenants, [FromForm] string? name)
    {
        ConsoleAuth.Caller(context);
        try
        {
            var tenant = await tenants.CreateTenantAsync(name, context.Audit("tenant.create", "-"), context.RequestAborted).ConfigureAwait(false);
            return await RenderTenantsAsync(context, store, done: $"Tenant {tenant.Name} created: {tenant.Id}.").ConfigureAwait(false);
        }
        catch (WriteException e)
        {
            return await RenderTenantsAsync(context, store, e.Message, status: StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> AllocateAsync(HttpContext context, IRdnsStore store, TenantService tenants,
        [FromForm] string? tenant, [FromForm] string? prefix)
    {
        ConsoleAuth.Caller(context);
        try
        {
            var a = await tenants.AllocateAsync(tenant, prefix, context.Audit("allocation.create", prefix ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return await RenderTenantsAsync(context, store, done: $"{a.Prefix} allocated to {a.TenantId} ({a.Id}).").ConfigureAwait(false);
        }
        catch (WriteException e)
        {
            return await RenderTenantsAsync(context, store, e.Message, status: StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> ReleaseAsync(HttpContext context, IRdnsStore store, TenantService tenants, [FromForm] string? id)
    {
        ConsoleAuth.Caller(context);
        try
        {
            int reset = await tenants.ReleaseAsync(id ?? "", context.Audit("allocation.release", id ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return await RenderTenantsAsync(context, store, done: $"{id} released; {reset} PTR(s) reset to the default.").ConfigureAwait(false);
        }
        catch (WriteException e)
        {
            return await RenderTenantsAsync(context, store, e.Message, status: StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> DeletePoolAsync(HttpContext context, IRdnsStore store, PoolService pools, [FromForm] string? id)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            await pools.DeleteAsync(id ?? "", context.Audit("pool.delete", id ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return $"Pool {id} deleted.";
        }).ConfigureAwait(false);
        return await RenderPoolsAsync(context, store, outcome.Error, outcome.Done, outcome.Status).ConfigureAwait(false);
    }

    private static async Task<IResult> DeleteTenantAsync(HttpContext context, IRdnsStore store, TenantService tenants, [FromForm] string? id)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            await tenants.DeleteTenantAsync(id ?? "", context.Audit("tenant.delete", id ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return $"Tenant {id} deleted; its keys are revoked.";
        }).ConfigureAwait(false);
        return await RenderTenantsAsync(context, store, outcome.Error, outcome.Done, outcome.Status).ConfigureAwait(false);
    }
}
