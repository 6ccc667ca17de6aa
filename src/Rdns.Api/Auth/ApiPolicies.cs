using Microsoft.AspNetCore.Authorization;

namespace Rdns.Api.Auth;

/// <summary>
/// Who may call what, as authorization policies on route groups: operator endpoints need an
/// operator key, tenant endpoints a tenant key; every other endpoint needs some valid key (the
/// fallback policy), so an endpoint added later is closed until it is opened on purpose
/// (<c>AllowAnonymous</c>: health, readiness, the OpenAPI document).
/// </summary>
public static class ApiPolicies
{
    public const string Operator = "operator";

    public const string Tenant = "tenant";

    public static void Configure(AuthorizationOptions options)
    {
        options.AddPolicy(Operator, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(ApiKeys.AdminRole));
        options.AddPolicy(Tenant, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireClaim(ApiKeyAuthenticationHandler.TenantClaim));
        options.FallbackPolicy = new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
    }
}
