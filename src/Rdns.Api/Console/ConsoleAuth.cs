using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Rdns.Api.Auth;

namespace Rdns.Api.Console;

/// <summary>
/// Sessions of the web console: an API key is exchanged once for a cookie (HttpOnly, SameSite=Strict,
/// Secure over TLS, expiring after <see cref="IdleExpiry"/> unused) that carries the key's id, role
/// and tenant, so every page applies the rules the API applies to that key; the key is checked on
/// every request, so revoking it ends its sessions.
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "RdnsConsole";

    public const string AnyUser = "console";

    public const string OperatorOnly = "console-operator";

    public const string TenantOnly = "console-tenant";

    /// <summary>30 minutes unused: long enough to look up a name and come back, short for a shared screen.</summary>
    public static readonly TimeSpan IdleExpiry = TimeSpan.FromMinutes(30);

    public static void Configure(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = "rdns_session";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = IdleExpiry;
        o.SlidingExpiration = true;
        o.LoginPath = "/";
        // The session lasts only as long as its key: a revoked key (or a deleted tenant's) ends it
        // on the next request, as the API refuses the key.
        o.Events.OnValidatePrincipal = async context =>
        {
            var user = context.Principal;
            var id = user?.FindFirstValue(ClaimTypes.NameIdentifier);
            var role = user?.FindFirstValue(ClaimTypes.Role);
            var keys = context.HttpContext.RequestServices.GetRequiredService<Storage.IKeyStore>();
            var listed = id is null || role is null ? []
                : await keys.ListKeysAsync(role, user!.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim), context.HttpContext.RequestAborted).ConfigureAwait(false);
            if (!listed.Any(k => k.Id == id && k.RevokedAt is null))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
            }
        };
        // A page this key may not see: 403 with a page that says so, not a redirect that hides it.
        o.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed · Rdns</title></head>" +
                "<body><main><h1>Not allowed</h1><p>The key you signed in with cannot see this page.</p><p><a href=\"/\">Back</a></p></main></body></html>");
        };
    }

    public static void AddPolicies(AuthorizationOptions options)
    {
        options.AddPolicy(AnyUser, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        options.AddPolicy(OperatorOnly, p => p.AddAuthenticationSchemes(Scheme).RequireRole(ApiKeys.AdminRole));
        options.AddPolicy(TenantOnly, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(ApiKeyAuthenticationHandler.TenantClaim));
    }

    public static ClaimsPrincipal Principal(Storage.ApiKeyRecord key)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, key.Id), new(ClaimTypes.Role, key.Role) };
        if (key.TenantId is not null)
            claims.Add(new Claim(ApiKeyAuthenticationHandler.TenantClaim, key.TenantId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }

    /// <summary>The caller the session stands for, registered for audit rows as the bearer scheme does.</summary>
    public static ApiCaller Caller(HttpContext context)
    {
        var user = context.User;
        var caller = new ApiCaller(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "-", user.FindFirstValue(ClaimTypes.Role) ?? "-",
            user.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim));
        context.Items[typeof(ApiCaller)] = caller;
        return caller;
    }
}
