using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Rdns.Storage;

namespace Rdns.Api.Auth;

/// <summary>
/// Requires <c>Authorization: Bearer KEY</c> on every <c>/v1</c> request and resolves the caller.
/// Lookups are cached for a few seconds so a burst of requests costs one store read; a revoked
/// key therefore stops working within <see cref="CacheFor"/>.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, IKeyStore keys, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Key, DateTimeOffset Until)> _cache = new();

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
        var record = await FindAsync(key, context.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            await Reject(context, "the key is not valid or has been revoked").ConfigureAwait(false);
            return;
        }
        context.Items[typeof(ApiCaller)] = new ApiCaller(record.Id, record.Role, record.TenantId);
        await next(context).ConfigureAwait(false);
    }

    private async Task<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken)
    {
        if (key.Length > 200)
            return null;
        var hash = ApiKeys.Hash(key);
        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Until > now)
            return hit.Key;
        var record = await keys.FindKeyAsync(hash, cancellationToken).ConfigureAwait(false);
        if (_cache.Count > 10_000)
            _cache.Clear();
        _cache[cacheKey] = (record, now + CacheFor);
        return record;
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
