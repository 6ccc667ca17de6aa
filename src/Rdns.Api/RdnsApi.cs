using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rdns.Api.Auth;
using Rdns.Api.Ptr;
using Rdns.Api.Zones;
using Rdns.Control.Zones;
using Rdns.Zones;

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
        services.AddOpenApi("v1");
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        });
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxBodyBytes);
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    public static WebApplication MapRdnsApi(this WebApplication app)
    {
        app.Use(HandleErrorsAsync);
        app.UseMiddleware<ApiKeyAuthentication>();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapGet("/readyz", (ServedZones zones) => Results.Ok(new { status = "ready", zones = zones.Current.Count })).ExcludeFromDescription();
        ZoneEndpoints.Map(app);
        PtrEndpoints.Map(app);
        app.MapFallback((HttpContext context) =>
            ApiProblem.Create(StatusCodes.Status404NotFound, "not_found", "No such endpoint", $"{context.Request.Method} {context.Request.Path} is not part of the API"));
        return app;
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
        catch (ZoneNotFoundException e) when (!context.Response.HasStarted)
        {
            await ApiProblem.NotFound("zone_not_found", e.Message).ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (ZoneDataException e) when (!context.Response.HasStarted)
        {
            await ApiProblem.Unprocessable("invalid_zone_data", "The change would break a rule for zone data", e.Message).ExecuteAsync(context).ConfigureAwait(false);
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
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Rdns.Api");
            LogUnhandled(logger, context.Request.Method, context.Request.Path, e);
            await ApiProblem.Create(StatusCodes.Status500InternalServerError, "internal_error", "Internal error", "the server failed; the change was not applied").ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
