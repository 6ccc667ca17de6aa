using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rdns.Api.Auth;

/// <summary>
/// The bearer-key scheme: <c>Authorization: Bearer KEY</c> resolved through <see cref="ApiKeyCache"/>
/// (a revoked key stops working within <see cref="ApiKeyCache.CacheFor"/>) into a principal with
/// the key's role, and the <see cref="ApiCaller"/> handlers read. No header is no identity (the
/// endpoint's policy then answers 401); a key that does not check out is a failure with a reason.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyCache keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    public const string TenantClaim = "rdns:tenant";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (header.Length == 0)
            return AuthenticateResult.NoResult();
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || header.Length == prefix.Length)
            return AuthenticateResult.Fail("the Authorization header is not 'Bearer KEY'");
        var record = await keys.FindAsync(header[prefix.Length..].Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (record is null)
            return AuthenticateResult.Fail("the key is not valid or has been revoked");
        var caller = new ApiCaller(record.Id, record.Role, record.TenantId);
        Context.Items[typeof(ApiCaller)] = caller;
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, record.Id), new(ClaimTypes.Role, record.Role) };
        if (record.TenantId is not null)
            claims.Add(new Claim(TenantClaim, record.TenantId));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
