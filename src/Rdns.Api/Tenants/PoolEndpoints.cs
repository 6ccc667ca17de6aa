using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
using Rdns.Api.Endpoints;
using Rdns.Api.OpenApi;
using Rdns.Control.Tenants;
using Rdns.Storage;

namespace Rdns.Api.Tenants;

/// <summary>Operator endpoints for address pools: create, list, read, change the default names, delete.</summary>
public static class PoolEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var pools = app.MapGroup("/v1/pools").WithTags("Pools").RequireAuthorization(ApiPolicies.Operator);
        pools.MapPost("", CreateAsync).WithName("CreatePool").WithSummary("Create a pool, its reverse zones and the forward zone of its default names")
            .JsonBody<CreatePoolRequest>()
            .Problems(StatusCodes.Status409Conflict, "pool_overlaps");
        pools.MapGet("", ListAsync).WithName("ListPools").WithSummary("Pools in address order");
        pools.MapGet("/{id}", GetAsync).WithName("GetPool").WithSummary("One pool")
            .Problems(StatusCodes.Status404NotFound, "pool_not_found");
        pools.MapPatch("/{id}", UpdateAsync).WithName("UpdatePool").WithSummary("Change a pool's default-name template or TTL")
            .JsonBody<UpdatePoolRequest>()
            .Problems(StatusCodes.Status404NotFound, "pool_not_found");
        pools.MapDelete("/{id}", DeleteAsync).WithName("DeletePool").WithSummary("Delete a pool none of whose addresses is allocated")
            .Problems(StatusCodes.Status404NotFound, "pool_not_found")
            .Problems(StatusCodes.Status409Conflict, "pool_allocated");
    }

    private static PoolView View(PoolRecord p) => new(p.Id, p.Prefix, p.Template, p.Ttl, p.CreatedAt);

    private static async Task<Created<PoolView>> CreateAsync(HttpContext context, PoolService pools)
    {
        var request = await ApiJson.ReadAsync<CreatePoolRequest>(context).ConfigureAwait(false);
        if (request.Prefix is null)
            throw ApiException.Invalid("prefix", "required");
        var (pool, zones) = await pools.CreateAsync(request.Prefix, request.DefaultPtr, request.Ttl, context.Audit("pool.create", request.Prefix), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/v1/pools/{pool.Id}", View(pool) with { CreatedZones = zones });
    }

    private static async Task<Ok<Page<PoolView>>> ListAsync(HttpContext context, IRdnsStore store, int? limit, string? after)
    {
        var pools = await store.ListPoolsAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Paging.Page(pools, p => Paging.AddressKey(p.Prefix), View, limit, after));
    }

    private static async Task<Ok<PoolView>> GetAsync(HttpContext context, PoolService pools, string id) =>
        TypedResults.Ok(View(await pools.GetAsync(id, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<PoolView>> UpdateAsync(HttpContext context, PoolService pools, string id)
    {
        var request = await ApiJson.ReadAsync<UpdatePoolRequest>(context).ConfigureAwait(false);
        if (request.DefaultPtr is null && request.Ttl is null)
            throw ApiException.Invalid("defaultPtr", "give defaultPtr, ttl or both");
        var pool = await pools.UpdateAsync(id, request.DefaultPtr, request.Ttl, context.Audit("pool.update", id), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(View(pool));
    }

    private static async Task<NoContent> DeleteAsync(HttpContext context, PoolService pools, string id)
    {
        await pools.DeleteAsync(id, context.Audit("pool.delete", id), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
