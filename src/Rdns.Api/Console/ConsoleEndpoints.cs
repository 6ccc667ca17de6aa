using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
using Rdns.Control.Tenants;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Api.Console;

/// <summary>
/// The web console at <c>/</c>: server-rendered Razor components, plain forms with antiforgery
/// tokens, no script. Each page calls the same services as the API with the session's key, so it
/// can do nothing the key could not.
/// </summary>
public static class ConsoleEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("").ExcludeFromDescription().AllowAnonymous();
        open.MapGet("/", SignInForm);
        open.MapPost("/console/sign-in", SignInAsync);

        var signedIn = app.MapGroup("/console").ExcludeFromDescription().RequireAuthorization(ConsoleAuth.AnyUser);
        signedIn.MapPost("/sign-out", SignOutAsync);

        TenantPages.Map(WithCaller(app.MapGroup("/console").ExcludeFromDescription().RequireAuthorization(ConsoleAuth.TenantOnly)));

        var operators = WithCaller(app.MapGroup("/console").ExcludeFromDescription().RequireAuthorization(ConsoleAuth.OperatorOnly));
        OperatorPages.Map(operators);
        ZonePages.Map(operators);
        OperatorToolPages.Map(operators);
    }

    /// <summary>Every page registers the session's caller first, so the audit rows its services write name the key, as the API's do.</summary>
    private static RouteGroupBuilder WithCaller(RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (invocation, next) =>
        {
            ConsoleAuth.Caller(invocation.HttpContext);
            return await next(invocation).ConfigureAwait(false);
        });

    private static IResult SignInForm(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.Identity.AuthenticationType == ConsoleAuth.Scheme
            ? TypedResults.Redirect(Home(context.User.IsInRole(ApiKeys.AdminRole)))
            : new RazorComponentResult<SignInPage>();

    private static string Home(bool isOperator) => isOperator ? "/console/audit" : "/console/addresses";

    private static async Task<IResult> SignInAsync(HttpContext context, ApiKeyCache keys, [FromForm] string? key)
    {
        var record = string.IsNullOrWhiteSpace(key) ? null : await keys.FindAsync(key.Trim(), context.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            return new RazorComponentResult<SignInPage>(new Dictionary<string, object?> { ["Error"] = "That key is not valid or has been revoked." })
            {
                StatusCode = StatusCodes.Status401Unauthorized,
            };
        }
        await context.SignInAsync(ConsoleAuth.Scheme, ConsoleAuth.Principal(record)).ConfigureAwait(false);
        return TypedResults.Redirect(Home(record.Role == ApiKeys.AdminRole));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, [FromForm] string? unused)
    {
        await context.SignOutAsync(ConsoleAuth.Scheme).ConfigureAwait(false);
        return TypedResults.Redirect("/");
    }
}
