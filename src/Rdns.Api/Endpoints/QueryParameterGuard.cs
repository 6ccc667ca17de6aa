using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Rdns.Api.Endpoints;

/// <summary>
/// Refuses query parameters an endpoint does not take: <c>?tennant=ten_1</c> is a 400 naming the
/// parameter and the ones the endpoint knows, rather than a listing that silently ignores the
/// filter. The parameters an endpoint takes are read from its handler's signature (what minimal
/// APIs bind from the query), so an endpoint added later is covered with nothing to register.
/// </summary>
public static class QueryParameterGuard
{
    private static readonly ConcurrentDictionary<Endpoint, string[]> Known = new();

    /// <summary>Middleware: after routing, before the handler binds anything.</summary>
    public static Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Query.Count > 0 && context.GetEndpoint() is RouteEndpoint endpoint
            && endpoint.RoutePattern.RawText?.StartsWith("/v1", StringComparison.Ordinal) == true
            && endpoint.Metadata.GetMetadata<MethodInfo>() is { } method)
        {
            var known = Known.GetOrAdd(endpoint, _ => QueryNames(method, endpoint.RoutePattern.Parameters.Select(p => p.Name)));
            foreach (var key in context.Request.Query.Keys)
            {
                if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    var rule = known.Length == 0
                        ? "unknown query parameter; this endpoint takes none"
                        : $"unknown query parameter; this endpoint takes {string.Join(", ", known)}";
                    throw new ApiException(StatusCodes.Status400BadRequest, "unknown_parameter", "The request is not valid",
                        $"{Addressing.Excerpt.Of(key, 60)}: {rule}", Addressing.Excerpt.Of(key, 60));
                }
            }
        }
        return next(context);
    }

    /// <summary>The names a handler binds from the query string, as minimal APIs infer them.</summary>
    internal static string[] QueryNames(MethodInfo method, IEnumerable<string> routeParameters)
    {
        var route = routeParameters.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        foreach (var p in method.GetParameters())
        {
            if (p.GetCustomAttribute<FromQueryAttribute>() is { } fromQuery)
            {
                names.Add(fromQuery.Name ?? p.Name!);
                continue;
            }
            if (p.GetCustomAttributes().Any(a => a is IFromRouteMetadata or IFromBodyMetadata or IFromServiceMetadata or IFromHeaderMetadata or AsParametersAttribute))
                continue;
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            // Route values bind by name first; those are never query parameters.
            bool simple = type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(DateTimeOffset) || type == typeof(Guid);
            if (simple && p.Name is { } name && !route.Contains(name))
                names.Add(name);
        }
        return names.ToArray();
    }
}
