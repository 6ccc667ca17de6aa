using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Rdns.Api.Auth;
using Rdns.Api.Ptr;
using Rdns.Api.Tenants;
using Rdns.Api.Zones;
using Rdns.Control;
using Rdns.Control.Tenants;
using Rdns.Control.Zones;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Api;

/// <summary>The HTTP API: registration of its services and its endpoints.</summary>
public static partial class RdnsApi
{
    /// <summary>
    /// 32 MiB: a bulk request of 100,000 IPv6 PTRs is about 10 MiB of JSON; anything much larger
    /// is a mistake or an attack.
    /// </summary>
    public const long MaxBodyBytes = 32L * 1024 * 1024;

    public static IServiceCollection AddRdnsApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(Console.ConsoleAuth.Scheme, Console.ConsoleAuth.Configure);
        services.AddAuthorization(o =>
        {
            ApiPolicies.Configure(o);
            Console.ConsoleAuth.AddPolicies(o);
        });
        AddConsoleRendering(services);
        services.AddAntiforgery();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ApiAuthorizationResults>();
        services.AddOpenApi("v1", OpenApi.ApiDocumentTransformers.Configure);
        // A query or route value that does not bind (?limit=abc) throws, so it leaves as Problem Details naming the parameter.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // Source-generated metadata, and no reflection in any build: a type the API writes but
            // the context lacks fails in tests too, not only in the Native AOT binary. The
            // framework's own contexts (Problem Details) stay in the chain.
            var chain = o.SerializerOptions.TypeInfoResolverChain;
            for (int i = chain.Count - 1; i >= 0; i--)
            {
                if (chain[i] is System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver)
                    chain.RemoveAt(i);
            }
            chain.Insert(0, ApiJsonContext.Default);
        });
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxBodyBytes);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<Health.Readiness>();
        services.AddHostedService(sp => sp.GetRequiredService<Health.Readiness>());
        services.TryAddSingleton(new ZoneImportOptions());
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(TenantEndpoints.RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<TenantOptions>();
                var time = context.RequestServices.GetRequiredService<TimeProvider>();
                var key = context.Items[typeof(ApiCaller)] is ApiCaller caller ? caller.KeyId : "anonymous";
                return System.Threading.RateLimiting.RateLimitPartition.Get(key, _ => new TokenBucket(Math.Max(1, options.RequestsPerMinute), time));
            });
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 60;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ApiProblem.Create(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests",
                    $"this key may make {rejected.HttpContext.RequestServices.GetRequiredService<TenantOptions>().RequestsPerMinute} tenant requests per minute; retry after {seconds} s")
                    .ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
            };
        });
        return services;
    }

    public static WebApplication MapRdnsApi(this WebApplication app)
    {
        app.Use(HandleErrorsAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.Use(LogChangesAsync);
        app.UseRateLimiter();
        app.Use(RefuseChangesOnSecondaryAsync);
        app.Use(Endpoints.QueryParameterGuard.CheckAsync);
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapGet("/healthz", () => TypedResults.Ok(Health.HealthStatus.Ok)).ExcludeFromDescription().AllowAnonymous();
        // 503 with the reasons while not ready, so a load balancer or an operator sees why.
        app.MapGet("/readyz", Ready).ExcludeFromDescription().AllowAnonymous();
        ZoneEndpoints.Map(app);
        PtrEndpoints.Map(app);
        PoolEndpoints.Map(app);
        TenantEndpoints.Map(app);
        ReverseEndpoints.Map(app);
        KeyEndpoints.Map(app);
        Audit.AuditEndpoints.Map(app);
        Updates.TsigKeyEndpoints.Map(app);
        Dnssec.DnssecEndpoints.Map(app);
        Secondary.SecondaryEndpoints.Map(app);
        Views.ViewEndpoints.Map(app);
        Console.ConsoleEndpoints.Map(app);
        // Unknown paths: under /v1 only a caller with a key learns that the endpoint does not exist.
        // Plain request delegates: nothing to bind, so nothing for the Request Delegate Generator to intercept.
        app.MapFallback("/v1/{**rest}", NoSuchEndpointAsync);
        app.MapFallback(NoSuchEndpointAsync).AllowAnonymous();
        return app;
    }

    private static Task NoSuchEndpointAsync(HttpContext context) =>
        ApiProblem.Create(StatusCodes.Status404NotFound, "not_found", "No such endpoint", $"{context.Request.Method} {context.Request.Path} is not part of the API")
            .ExecuteAsync(context);

    private static Results<Ok<Health.ReadinessReport>, JsonHttpResult<Health.ReadinessReport>> Ready(Health.Readiness readiness) =>
        readiness.Report() is { Ready: true } ready
            ? TypedResults.Ok(ready)
            : TypedResults.Json(readiness.Report(), ApiJsonContext.Default.ReadinessReport, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// The console renders Razor components on the server (static rendering of
    /// <see cref="Microsoft.AspNetCore.Http.HttpResults.RazorComponentResult{TComponent}"/>: no
    /// interactivity, no circuits). <c>AddRazorComponents</c> is marked as not trim-safe for Blazor
    /// as a whole; what the console uses keeps what it reflects on: each page's type reaches the
    /// renderer through <c>RazorComponentResult&lt;TComponent&gt;</c>, whose type parameter carries
    /// the component's members (its [Parameter] and [Inject] properties) through trimming, and the
    /// parameters are passed as dictionaries, not anonymous objects. The Native AOT binary's tests
    /// render every page (test/Rdns.Interop.Tests, NativeBuildTests).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode",
        Justification = "Static server rendering of components passed as RazorComponentResult<TComponent>, whose members are preserved; covered by the native build's console tests.")]
    private static void AddConsoleRendering(IServiceCollection services) => services.AddRazorComponents();

    /// <summary>
    /// A node in secondary mode holds its primary's data: every change through the API (zones, PTRs,
    /// pools, tenants, keys) is refused with one clear error instead of some landing in a store that
    /// the primary's transfers overwrite and others failing half-way.
    /// </summary>
    private static Task RefuseChangesOnSecondaryAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/v1") && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && !context.Request.Path.Equals(Secondary.SecondaryEndpoints.PromotePath, StringComparison.OrdinalIgnoreCase)
            && context.RequestServices.GetService<Control.Zones.ZoneWriter>()?.ReadOnlyReason is { } reason)
            throw new WriteException(WriteError.Conflict, "read_only_secondary", reason);
        return next(context);
    }

    /// <summary>Every failure leaves as Problem Details with a code; unexpected ones are logged, never shown.</summary>
    private static async Task HandleErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await e.ToResult().ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (WriteException e) when (!context.Response.HasStarted)
        {
            await WriteProblem(e).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (StoreUnavailableException e) when (!context.Response.HasStarted)
        {
            await WriteProblem(e.Full
                    ? new WriteException(WriteError.Unavailable, "store_full", StoreFailure.Explain(StoreFailureKind.Full, e))
                    : new WriteException(WriteError.Unavailable, "store_unavailable", $"the store cannot take the change now: {e.Message}"))
                .ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (StoreConflictException e) when (!context.Response.HasStarted)
        {
            await ApiProblem.Conflict("conflict", e.Message).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (ZoneDataException e) when (!context.Response.HasStarted)
        {
            await ApiProblem.Unprocessable("invalid_zone_data", "The change would break a rule for zone data", e.Message).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (!context.Response.HasStarted && Endpoints.BindingFailure.Parse(e.Message) is { } binding)
        {
            await ApiProblem.Create(StatusCodes.Status400BadRequest, "invalid_parameter", "The request is not valid", binding.Detail, binding.Parameter).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "body_too_large" : "bad_request";
            var detail = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? $"the body exceeds {MaxBodyBytes} bytes" : e.Message;
            await ApiProblem.Create(e.StatusCode, code, "The request could not be read", detail).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!context.Response.HasStarted && StoreFailure.Classify(e) is { } failure)
        {
            // A store call outside the write path (keys, tenants): the store's disk or server, not
            // the request and not a bug. Said as the write path says it.
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Rdns.Api");
            LogStoreFailure(logger, context.Request.Method, context.Request.Path, failure.ToString(), e);
            await WriteProblem(new WriteException(WriteError.Unavailable, failure == StoreFailureKind.Full ? "store_full" : "store_unavailable",
                    StoreFailure.Explain(failure, e)))
                .ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Rdns.Api");
            LogUnhandled(logger, context.Request.Method, context.Request.Path, e);
            await ApiProblem.Create(StatusCodes.Status500InternalServerError, "internal_error", "Internal error", "the server failed; the change was not applied").ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every request that may change something (not GET or HEAD) is logged once answered, with the
    /// id of the key that made it — never the key, which is a secret — and its status.
    /// </summary>
    private static async Task LogChangesAsync(HttpContext context, RequestDelegate next)
    {
        await next(context).ConfigureAwait(false);
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || !context.Request.Path.StartsWithSegments("/v1"))
            return;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Rdns.Api.Changes");
        // Off (a node logging warnings only): nothing of the line is made.
        if (!logger.IsEnabled(LogLevel.Information))
            return;
        var caller = context.Items[typeof(ApiCaller)] as ApiCaller;
        LogChange(logger, context.Request.Method, context.Request.Path, caller?.KeyId ?? "-", caller?.Role.ToString().ToLowerInvariant() ?? "none",
            context.Response.StatusCode, context.Connection.RemoteIpAddress?.ToString() ?? "-");
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "API {Method} {Path} by key {KeyId} ({Role}) from {Remote}: {Status}")]
    private static partial void LogChange(ILogger logger, string method, string path, string keyId, string role, int status, string remote);

    /// <summary>How long a client should wait before retrying when the store is unavailable: long enough for a restart or fail-over.</summary>
    public const int UnavailableRetryAfterSeconds = 5;

    /// <summary>The one mapping of the write path's errors to HTTP: status, title, and Retry-After when waiting may help.</summary>
    private static IResult WriteProblem(WriteException e)
    {
        // A full disk is not a passing unavailability: 507 (RFC 4918 §11.5), and no Retry-After.
        if (e.Code == "store_full")
            return ApiProblem.Create(StatusCodes.Status507InsufficientStorage, e.Code, "The store is full", e.Message);
        int status = e.Kind switch
        {
            WriteError.Invalid => StatusCodes.Status400BadRequest,
            WriteError.NotFound => StatusCodes.Status404NotFound,
            WriteError.Conflict => StatusCodes.Status409Conflict,
            WriteError.Refused => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status503ServiceUnavailable,
        };
        var title = e.Kind switch
        {
            WriteError.Invalid => "The request is not valid",
            WriteError.NotFound => "Not found",
            WriteError.Conflict => "Conflict",
            WriteError.Refused => "Refused",
            _ => "Unavailable",
        };
        var extensions = e.Details?.ToDictionary(kv => kv.Key, kv => kv.Value);
        var problem = ApiProblem.Create(status, e.Code, title, e.Message, e.Field, extensions);
        return status == StatusCodes.Status503ServiceUnavailable ? new RetryAfterResult(problem, UnavailableRetryAfterSeconds) : problem;
    }

    /// <summary>A result with a Retry-After header (RFC 9110 §10.2.3).</summary>
    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "The store failed ({Kind}) for {Method} {Path}; nothing was applied")]
    private static partial void LogStoreFailure(ILogger logger, string method, string path, string kind, Exception exception);
}
