using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
using Rdns.Api.Endpoints;
using Rdns.Storage;

namespace Rdns.Api.Audit;

/// <summary><c>GET /v1/audit</c>: the audit log, newest first, filtered and paged by the store (operators only).</summary>
public static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(ApiPolicies.Operator)
            .MapGet("", ListAsync).WithName("ListAudit").WithSummary("Audit rows, newest first: who did what, with the value before and after");
    }

    private static async Task<Ok<Page<AuditView>>> ListAsync(HttpContext context, IRdnsStore store,
        string? zone, string? tenant, string? ip, string? action, int? limit, string? after)
    {
        int size = Paging.Limit(limit);
        var query = AuditFilter.Parse(zone, tenant, ip, action);
        var (items, next) = await ReadPageAsync(store, query, size, after, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new Page<AuditView>(items, next));
    }

    /// <summary>
    /// One page of rows the store filtered, read one row past the page to know whether another
    /// follows; <c>next</c> is the last row's id (keyset paging), so rows written meanwhile shift nothing.
    /// </summary>
    public static async Task<(List<AuditView> Items, string? Next)> ReadPageAsync(IRdnsStore store, AuditQuery query, int size, string? after, CancellationToken cancellationToken)
    {
        long? before = null;
        if (after is not null)
        {
            if (!long.TryParse(Paging.Decode(after), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw ApiException.Invalid("after", "not a cursor: pass the 'next' of the previous page unchanged");
            before = id;
        }
        var rows = await store.GetAuditAsync(query, size + 1, before, cancellationToken).ConfigureAwait(false);
        var items = rows.Take(size).Select(r => new AuditView(r.Id, r.At, r.Actor, r.Action, r.Target, r.Detail, r.Before, r.After, r.RemoteAddress)).ToList();
        string? next = rows.Count > size ? Paging.Encode(items[^1].Id.ToString(CultureInfo.InvariantCulture)) : null;
        return (items, next);
    }
}
