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

        var tenant = app.MapGroup("/console/addresses").ExcludeFromDescription().RequireAuthorization(ConsoleAuth.TenantOnly);
        tenant.MapGet("", AddressesAsync);
        tenant.MapPost("/set", SetAsync);
        tenant.MapPost("/reset", ResetAsync);

        var operators = app.MapGroup("/console").ExcludeFromDescription().RequireAuthorization(ConsoleAuth.OperatorOnly);
        operators.MapGet("/audit", AuditAsync);
        OperatorPages.Map(operators);
    }

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
            return new RazorComponentResult<SignInPage>(new { Error = "That key is not valid or has been revoked." })
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

    private static async Task<RazorComponentResult<TenantPage>> RenderTenantAsync(HttpContext context, IRdnsStore store, TenantReverseService reverses,
        string? error = null, string? found = null, string? done = null, string? ip = null, string? name = null, int status = StatusCodes.Status200OK)
    {
        var caller = ConsoleAuth.Caller(context);
        var tenant = caller.TenantId!;
        var allocations = await store.ListAllocationsAsync(tenant, false, context.RequestAborted).ConfigureAwait(false);
        var list = await reverses.ListAsync(tenant, null, context.RequestAborted).ConfigureAwait(false);
        return new RazorComponentResult<TenantPage>(new
        {
            Who = $"tenant {tenant}",
            Allocations = allocations,
            Reverses = list,
            Error = error,
            Found = found,
            Done = done,
            Ip = ip,
            Name = name,
        })
        { StatusCode = status };
    }

    private static Task<RazorComponentResult<TenantPage>> AddressesAsync(HttpContext context, IRdnsStore store, TenantReverseService reverses) =>
        RenderTenantAsync(context, store, reverses);

    private static async Task<RazorComponentResult<TenantPage>> SetAsync(HttpContext context, IRdnsStore store, TenantReverseService reverses,
        [FromForm] string? ip, [FromForm] string? name)
    {
        var caller = ConsoleAuth.Caller(context);
        if (!Addressing.IpAddress.TryParse(ip ?? "", out var address, out var ipError))
            return await RenderTenantAsync(context, store, reverses, $"Address: {ipError}", ip: ip, name: name, status: StatusCodes.Status400BadRequest).ConfigureAwait(false);
        try
        {
            var view = await reverses.SetAsync(caller.TenantId!, address, name, context.Audit("reverse.set", address.ToString()), context.RequestAborted).ConfigureAwait(false);
            return await RenderTenantAsync(context, store, reverses, done: $"{view.Address} now points to {view.Name} ({view.Status}: {view.Detail}).").ConfigureAwait(false);
        }
        catch (WriteException e)
        {
            string? found = e.Details is { } details && details.TryGetValue("found", out var f)
                ? $"{f}{(details.TryGetValue("addresses", out var a) && a is IEnumerable<string> list && list.Any() ? ": " + string.Join(", ", list) : "")}"
                : null;
            return await RenderTenantAsync(context, store, reverses, e.Message, found, ip: ip, name: name, status: StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
        }
    }

    private static async Task<RazorComponentResult<TenantPage>> ResetAsync(HttpContext context, IRdnsStore store, TenantReverseService reverses, [FromForm] string? ip)
    {
        var caller = ConsoleAuth.Caller(context);
        if (!Addressing.IpAddress.TryParse(ip ?? "", out var address, out var ipError))
            return await RenderTenantAsync(context, store, reverses, $"Address: {ipError}", status: StatusCodes.Status400BadRequest).ConfigureAwait(false);
        try
        {
            await reverses.ResetAsync(caller.TenantId!, address, context.Audit("reverse.reset", address.ToString()), context.RequestAborted).ConfigureAwait(false);
            return await RenderTenantAsync(context, store, reverses, done: $"{address} answers its default name again.").ConfigureAwait(false);
        }
        catch (WriteException e)
        {
            return await RenderTenantAsync(context, store, reverses, e.Message, status: StatusCodes.Status422UnprocessableEntity).ConfigureAwait(false);
        }
    }

    private static async Task<RazorComponentResult<AuditPage>> AuditAsync(HttpContext context, IRdnsStore store)
    {
        var caller = ConsoleAuth.Caller(context);
        var rows = await store.GetAuditAsync(100, null, context.RequestAborted).ConfigureAwait(false);
        return new RazorComponentResult<AuditPage>(new { Who = $"operator {caller.KeyId}", Rows = rows });
    }
}
