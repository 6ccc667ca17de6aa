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
            var types = Types.GetOrAdd(endpoint, _ => QueryTypes(method, known));
            foreach (var key in context.Request.Query.Keys)
            {
                if (types.TryGetValue(key, out var type))
                {
                    foreach (var value in context.Request.Query[key])
                    {
                        if (!string.IsNullOrEmpty(value) && !Parses(type, value))
                        {
                            throw new ApiException(StatusCodes.Status400BadRequest, "invalid_parameter", "The request is not valid",
                                $"{key}: '{Addressing.Excerpt.Of(value, 60)}' is not {BindingFailure.Expected(type.Name)}", key);
                        }
                    }
                }
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

    private static readonly ConcurrentDictionary<Endpoint, Dictionary<string, Type>> Types = new();

    /// <summary>
    /// The query parameters of a type that can fail to parse (numbers, booleans, times), checked
    /// here so a bad value is the same Problem Details in every build: the request delegates
    /// generated for the Native AOT build answer a failed parse with an empty 400.
    /// </summary>
    private static Dictionary<string, Type> QueryTypes(MethodInfo method, string[] known)
    {
        var types = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in method.GetParameters())
        {
            var name = p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.Name;
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            if (name is not null && known.Contains(name, StringComparer.OrdinalIgnoreCase) && type != typeof(string) && !type.IsEnum)
                types[name] = type;
        }
        return types;
    }

    private static bool Parses(Type type, string value)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type == typeof(int) => int.TryParse(value, invariant, out _),
            _ when type == typeof(uint) => uint.TryParse(value, invariant, out _),
            _ when type == typeof(long) => long.TryParse(value, invariant, out _),
            _ when type == typeof(bool) => bool.TryParse(value, out _),
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, invariant, out _),
            _ when type == typeof(Guid) => Guid.TryParse(value, invariant, out _),
            _ => true,
        };
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
