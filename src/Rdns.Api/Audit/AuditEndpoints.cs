using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
using Rdns.Api.Endpoints;
using Rdns.Storage;

namespace Rdns.Api.Audit;

/// <summary><c>GET /v1/audit</c>: the audit log, newest first, filtered and paginated (operators only).</summary>
public static class AuditEndpoints
{
    /// <summary>
    /// Rows one request reads at most while filtering: a rare filter over a long log returns a
    /// short (even empty) page with <c>next</c> rather than read the whole log in one request.
    /// </summary>
    public const int MaxScan = 10_000;

    private const int Batch = 500;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(ApiPolicies.Operator)
            .MapGet("", ListAsync).WithName("ListAudit").WithSummary("Audit rows, newest first: who did what, with the value before and after");
    }

    private static async Task<Ok<Page<AuditView>>> ListAsync(HttpContext context, IRdnsStore store,
        string? zone, string? tenant, string? ip, string? action, int? limit, string? after)
    {
        int size = Paging.Limit(limit);
        var filter = new AuditFilter(zone, tenant, ip, action);
        long? before = null;
        if (after is not null)
        {
            if (!long.TryParse(Paging.Decode(after), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw ApiException.Invalid("after", "not a cursor: pass the 'next' of the previous page unchanged");
            before = id;
        }
        var items = new List<AuditView>();
        int scanned = 0;
        bool exhausted = false;
        while (items.Count < size && scanned < MaxScan && !exhausted)
        {
            int want = Math.Min(Batch, MaxScan - scanned);
            var rows = await store.GetAuditAsync(want, before, context.RequestAborted).ConfigureAwait(false);
            int i = 0;
            for (; i < rows.Count && items.Count < size; i++)
            {
                var row = rows[i];
                scanned++;
                before = row.Id;
                if (filter.Matches(row))
                    items.Add(new AuditView(row.Id, row.At, row.Actor, row.Action, row.Target, row.Detail, row.Before, row.After, row.RemoteAddress));
            }
            exhausted = i == rows.Count && rows.Count < want;
        }
        // The cursor is the last row read, matched or not: the next page goes on from there.
        string? next = !exhausted && before is { } b ? Paging.Encode(b.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<AuditView>(items, next));
    }
}
