using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Api.Auth;
using Rdns.Api.Endpoints;
using Rdns.Api.OpenApi;
using Rdns.Control.Updates;

namespace Rdns.Api.Updates;

/// <summary>
/// TSIG keys for DNS UPDATE (RFC 2136, RFC 8945). An operator key manages every key and gives
/// each its rules; a tenant key manages the tenant's own keys, limited to the addresses the tenant
/// holds. The secret is in the creation response only (with the key in BIND's syntax, ready for
/// <c>nsupdate -k</c> and Kea); a deleted key is refused at once here and within a second on every
/// node sharing the store.
/// </summary>
public static class TsigKeyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1/tsig-keys").WithTags("TSIG keys");
        keys.MapPost("", CreateAsync).WithName("CreateTsigKey").WithSummary("A TSIG key for DNS UPDATE; the secret is shown this once")
            .JsonBody<CreateTsigKeyRequest>()
            .Problems(StatusCodes.Status409Conflict, "tsig_key_exists");
        keys.MapGet("", ListAsync).WithName("ListTsigKeys").WithSummary("TSIG keys without secrets (a tenant key: its own)");
        keys.MapDelete("/{name}", DeleteAsync).WithName("DeleteTsigKey").WithSummary("Delete a TSIG key")
            .Problems(StatusCodes.Status404NotFound, "tsig_key_not_found")
            .Problems(StatusCodes.Status409Conflict, "tsig_key_in_file");
    }

    private static async Task<Created<TsigKeyCreated>> CreateAsync(HttpContext context, UpdateKeys keys)
    {
        var caller = context.Caller();
        var request = await ApiJson.ReadAsync<CreateTsigKeyRequest>(context).ConfigureAwait(false);
        var created = await keys.CreateAsync(request.Name, request.Algorithm, request.Allow, caller.IsAdmin ? null : caller.TenantId,
            context.Audit("tsig-key.create", request.Name ?? ""), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/v1/tsig-keys/{created.Name}", created);
    }

    private static async Task<Ok<Page<TsigKeyView>>> ListAsync(HttpContext context, UpdateKeys keys, int? limit, string? after)
    {
        var caller = context.Caller();
        var list = await keys.ListAsync(caller.IsAdmin ? null : caller.TenantId, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Paging.Page(list, k => k.Name, k => k, limit, after));
    }

    private static async Task<NoContent> DeleteAsync(HttpContext context, UpdateKeys keys, string name)
    {
        var caller = context.Caller();
        await keys.DeleteAsync(name, caller.IsAdmin ? null : caller.TenantId, context.Audit("tsig-key.delete", name), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
