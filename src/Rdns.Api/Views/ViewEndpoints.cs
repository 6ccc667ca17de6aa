using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
        views.MapPost("", CreateAsync).WithName("CreateView").RequireAuthorization(ApiPolicies.Operator);
        views.MapGet("", ListAsync).WithName("ListViews");
        views.MapGet("/{name}", GetAsync).WithName("GetView");
        views.MapPatch("/{name}", UpdateAsync).WithName("ChangeView").RequireAuthorization(ApiPolicies.Operator);
        views.MapDelete("/{name}", DeleteAsync).WithName("DeleteView").RequireAuthorization(ApiPolicies.Operator);
    }

    private static ViewResponse Response(StoredView v, ViewRegistry registry) =>
        ViewResponse.From(v, registry.Find(v.Name)?.Served.Current.Count ?? 0);

    private static async Task<IResult> CreateAsync(HttpContext context, ViewService views, ViewRegistry registry)
    {
        var request = await ApiJson.ReadAsync<ViewRequest>(context).ConfigureAwait(false);
        var created = await views.CreateAsync(request.Name, new ViewRules(request.Match, request.Destinations, request.Keys, request.Tenant),
            context.Audit("view.create", request.Name ?? ""), context.RequestAborted).ConfigureAwait(false);
        return Results.Created($"/v1/views/{created.Name}", Response(created, registry));
    }

    private static async Task<IResult> ListAsync(HttpContext context, ViewService views, ViewRegistry registry)
    {
        var caller = context.Caller();
        var all = await views.ListAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Ok(all.Where(v => caller.IsAdmin || (caller.TenantId is not null && v.TenantId == caller.TenantId))
            .Select(v => Response(v, registry)).ToList());
    }

    private static async Task<IResult> GetAsync(HttpContext context, ViewService views, ViewRegistry registry, string name)
    {
        var caller = context.Caller();
        var view = await views.GetAsync(name, context.RequestAborted).ConfigureAwait(false);
        // Another tenant's view does not exist, as far as a tenant can tell.
        if (view is null || (!caller.IsAdmin && (caller.TenantId is null || view.TenantId != caller.TenantId)))
            return ApiProblem.NotFound("view_not_found", $"there is no view named {name}");
        return Results.Ok(Response(view, registry));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ViewService views, ViewRegistry registry, string name)
    {
        var request = await ApiJson.ReadAsync<ViewRequest>(context).ConfigureAwait(false);
        if (request.Name is not null && request.Name != name)
            return ApiProblem.Invalid("name", "a view cannot be renamed");
        var updated = await views.UpdateAsync(name, new ViewRules(request.Match, request.Destinations, request.Keys, request.Tenant),
            context.Audit("view.change", name), context.RequestAborted).ConfigureAwait(false);
        return Results.Ok(Response(updated, registry));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ViewService views, string name)
    {
        await views.DeleteAsync(name, context.Audit("view.delete", name), context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }
}
