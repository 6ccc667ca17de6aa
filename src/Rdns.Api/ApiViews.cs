using Microsoft.AspNetCore.Http;
using Rdns.Addressing;
using Rdns.Control.Views;

namespace Rdns.Api;

/// <summary>The <c>?view=NAME</c> of zone and PTR endpoints: the view whose zones a request works on (default <c>public</c>).</summary>
internal static class ApiViews
{
    public static ViewZones Resolve(ViewRegistry views, string? view, string field = "view")
    {
        if (view is not null && !ViewName.TryValidate(view, out var error))
            throw ApiException.Invalid(field, error!);
        return views.Find(view) ?? throw new ApiException(StatusCodes.Status404NotFound, "view_not_found", "No such view",
            $"there is no view named {view}", field);
    }

    /// <summary>The audit target of a change in a view: the thing, and the view when it is not the public one.</summary>
    public static string Target(ViewZones view, string target) => view.IsPublic ? target : $"{target} (view {view.Name})";
}
