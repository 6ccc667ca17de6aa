using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
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
        keys.MapPost("", CreateAsync).WithName("CreateTsigKey");
        keys.MapGet("", ListAsync).WithName("ListTsigKeys");
        keys.MapDelete("/{name}", DeleteAsync).WithName("DeleteTsigKey");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, UpdateKeys keys)
    {
        var caller = context.Caller();
        var request = await ApiJson.ReadAsync<CreateTsigKeyRequest>(context).ConfigureAwait(false);
        var created = await keys.CreateAsync(request.Name, request.Algorithm, request.Allow, caller.IsAdmin ? null : caller.TenantId,
            context.Audit("tsig-key.create", request.Name ?? ""), context.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/v1/tsig-keys/{created.Name}", created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, UpdateKeys keys)
    {
        var caller = context.Caller();
        return Results.Ok(await keys.ListAsync(caller.IsAdmin ? null : caller.TenantId, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, UpdateKeys keys, string name)
    {
        var caller = context.Caller();
        await keys.DeleteAsync(name, caller.IsAdmin ? null : caller.TenantId, context.Audit("tsig-key.delete", name), context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }
}
