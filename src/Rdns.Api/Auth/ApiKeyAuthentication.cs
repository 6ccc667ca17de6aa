using Microsoft.AspNetCore.Http;
using Rdns.Storage;

namespace Rdns.Api.Auth;

/// <summary>
/// Requires <c>Authorization: Bearer KEY</c> on every <c>/v1</c> request and resolves the caller;
/// lookups go through <see cref="ApiKeyCache"/>, so a revoked key stops working within
/// <see cref="ApiKeyCache.CacheFor"/>.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, ApiKeyCache keys)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
        {
            await Reject(context, "missing bearer key: send 'Authorization: Bearer KEY'").ConfigureAwait(false);
            return;
        }
        var key = header[scheme.Length..].Trim();
        var record = await keys.FindAsync(key, context.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            await Reject(context, "the key is not valid or has been revoked").ConfigureAwait(false);
            return;
        }
        context.Items[typeof(ApiCaller)] = new ApiCaller(record.Id, record.Role, record.TenantId);
        await next(context).ConfigureAwait(false);
    }

    private static Task Reject(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblem.Create(StatusCodes.Status401Unauthorized, "unauthorized", "Authentication required", detail).ExecuteAsync(context);
    }
}

public static class HttpContextCallerExtensions
{
    public static ApiCaller Caller(this HttpContext context) =>
        context.Items[typeof(ApiCaller)] as ApiCaller ?? throw new InvalidOperationException("no authenticated caller");

    /// <summary>403 unless the caller holds an operator (admin) key.</summary>
    public static void RequireAdmin(this HttpContext context)
    {
        if (!context.Caller().IsAdmin)
            throw new ApiException(StatusCodes.Status403Forbidden, "forbidden", "Operator key required", "this endpoint needs an operator (admin) key");
    }

    public static AuditEntry Audit(this HttpContext context, string action, string target, string? detail = null) =>
        new(context.Caller().Actor, action, target, detail, context.Connection.RemoteIpAddress?.ToString());
}
