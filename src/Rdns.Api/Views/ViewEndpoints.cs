using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Api.OpenApi;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
using Rdns.Control.Views;
using Rdns.Storage;

namespace Rdns.Api.Views;

/// <summary>
/// Views (split horizon): operators create, change and delete them; the change is in the store
/// and applied on this node before the answer, and on every other node of the store as soon as
/// it hears of it. A tenant may read the views assigned to it, and no other.
/// </summary>
public static class ViewEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var views = app.MapGroup("/v1/views").WithTags("Views");
        views.MapPost("", CreateAsync).WithName("CreateView").WithSummary("Create a view with its match rules").RequireAuthorization(ApiPolicies.Operator)
            .JsonBody<ViewRequest>()
            .Problems(StatusCodes.Status409Conflict, "view_exists");
        views.MapGet("", ListAsync).WithName("ListViews").WithSummary("The views in match order (a tenant: its own)");
        views.MapGet("/{name}", GetAsync).WithName("GetView").WithSummary("A view and its match rules")
            .Problems(StatusCodes.Status404NotFound, "view_not_found");
        views.MapPatch("/{name}", UpdateAsync).WithName("ChangeView").WithSummary("Replace a view's match rules or tenant").RequireAuthorization(ApiPolicies.Operator)
            .JsonBody<ViewRequest>()
            .Problems(StatusCodes.Status404NotFound, "view_not_found");
        views.MapDelete("/{name}", DeleteAsync).WithName("DeleteView").WithSummary("Delete a view that holds no zones").RequireAuthorization(ApiPolicies.Operator)
            .Problems(StatusCodes.Status404NotFound, "view_not_found")
            .Problems(StatusCodes.Status409Conflict, "view_not_empty");
    }

    private static ViewResponse Response(StoredView v, ViewRegistry registry) =>
        ViewResponse.From(v, registry.Find(v.Name)?.OwnZoneCount ?? 0);

    private static async Task<Created<ViewResponse>> CreateAsync(HttpContext context, ViewService views, ViewRegistry registry)
    {
        var request = await ApiJson.ReadAsync<ViewRequest>(context).ConfigureAwait(false);
        var created = await views.CreateAsync(request.Name, new ViewRules(request.Match, request.Destinations, request.Keys, request.Tenant),
            context.Audit("view.create", request.Name ?? ""), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/v1/views/{created.Name}", Response(created, registry));
    }

    private static async Task<Ok<List<ViewResponse>>> ListAsync(HttpContext context, ViewService views, ViewRegistry registry)
    {
        var caller = context.Caller();
        var all = await views.ListAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(all.Where(v => caller.IsAdmin || (caller.TenantId is not null && v.TenantId == caller.TenantId))
            .Select(v => Response(v, registry)).ToList());
    }

    private static async Task<Ok<ViewResponse>> GetAsync(HttpContext context, ViewService views, ViewRegistry registry, string name)
    {
        var caller = context.Caller();
        var view = await views.GetAsync(name, context.RequestAborted).ConfigureAwait(false);
        // Another tenant's view does not exist, as far as a tenant can tell.
        if (view is null || (!caller.IsAdmin && (caller.TenantId is null || view.TenantId != caller.TenantId)))
            throw ApiException.NotFound("view_not_found", $"there is no view named {name}");
        return TypedResults.Ok(Response(view, registry));
    }

    private static async Task<Ok<ViewResponse>> UpdateAsync(HttpContext context, ViewService views, ViewRegistry registry, string name)
    {
        var request = await ApiJson.ReadAsync<ViewRequest>(context).ConfigureAwait(false);
        if (request.Name is not null && request.Name != name)
            throw ApiException.Invalid("name", "a view cannot be renamed");
        var updated = await views.UpdateAsync(name, new ViewRules(request.Match, request.Destinations, request.Keys, request.Tenant),
            context.Audit("view.change", name), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Response(updated, registry));
    }

    private static async Task<NoContent> DeleteAsync(HttpContext context, ViewService views, string name)
    {
        await views.DeleteAsync(name, context.Audit("view.delete", name), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
