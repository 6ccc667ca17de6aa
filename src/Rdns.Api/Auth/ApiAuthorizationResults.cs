using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Rdns.Api.Auth;

/// <summary>
/// Turns a refused authorization into Problem Details that say what was wrong: 401 with the
/// reason the key was not accepted (or that none was sent), 403 naming the kind of key the
/// endpoint needs.
/// </summary>
public sealed class ApiAuthorizationResults : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (policy.AuthenticationSchemes.Contains(Console.ConsoleAuth.Scheme))
        {
            // Console pages: the cookie scheme sends a browser to the sign-in page, or answers 403.
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }
        if (authorizeResult.Challenged)
        {
            var failure = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Failure?.Message;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ApiProblem.Create(StatusCodes.Status401Unauthorized, "unauthorized", "Authentication required",
                failure ?? "missing bearer key: send 'Authorization: Bearer KEY'").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        if (authorizeResult.Forbidden)
        {
            bool operatorOnly = policy.Requirements.OfType<RolesAuthorizationRequirement>().Any(r => r.AllowedRoles.Contains(ApiKeys.AdminRole));
            await (operatorOnly
                ? ApiProblem.Create(StatusCodes.Status403Forbidden, "forbidden", "Operator key required", "this endpoint needs an operator (admin) key")
                : ApiProblem.Create(StatusCodes.Status403Forbidden, "forbidden", "Tenant key required",
                    "this endpoint acts for a tenant; use a key created with POST /v1/tenants/{id}/keys")).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }
}
