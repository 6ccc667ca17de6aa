using Microsoft.AspNetCore.Http;
using Rdns.Storage;

namespace Rdns.Api.Auth;

/// <summary>The caller the bearer-key scheme resolved, and the audit row naming it.</summary>
public static class HttpContextCallerExtensions
{
    public static ApiCaller Caller(this HttpContext context) =>
        context.Items[typeof(ApiCaller)] as ApiCaller ?? throw new InvalidOperationException("no authenticated caller");

    public static AuditEntry Audit(this HttpContext context, string action, string target, string? detail = null) =>
        new(context.Caller().Actor, action, target, detail, context.Connection.RemoteIpAddress?.ToString());
}
