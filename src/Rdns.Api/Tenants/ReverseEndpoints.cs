using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
using Rdns.Api.Endpoints;
using Rdns.Api.OpenApi;
using Rdns.Control.Tenants;
using Rdns.Control.Views;

namespace Rdns.Api.Tenants;

/// <summary>
/// Tenant endpoints: the PTRs of held addresses and verified domains, only with a tenant key,
/// only on what that tenant holds, rate limited per key.
/// </summary>
public static class ReverseEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/v1").WithTags("Tenant").RequireAuthorization(ApiPolicies.Tenant).RequireRateLimiting(TenantEndpoints.RateLimitPolicy);
        tenant.MapPut("/addresses/{ip}/reverse", SetReverseAsync).WithName("SetReverse").WithSummary("Point a held address at a name, after the forward check")
            .JsonBody<ReverseRequest>()
            .Problems(StatusCodes.Status404NotFound, "address_not_held")
            .Problems(StatusCodes.Status409Conflict, "address_not_served", "allocation_released")
            .Problems(StatusCodes.Status422UnprocessableEntity, "forward_check_failed");
        tenant.MapGet("/addresses/{ip}/reverse", GetReverseAsync).WithName("GetReverse").WithSummary("What DNS answers for a held address, with its status")
            .Problems(StatusCodes.Status404NotFound, "address_not_held");
        tenant.MapDelete("/addresses/{ip}/reverse", ResetReverseAsync).WithName("ResetReverse").WithSummary("Return a held address to its default name")
            .Problems(StatusCodes.Status404NotFound, "address_not_held");
        tenant.MapPost("/addresses/reverse", SetManyAsync).WithName("SetReverses")
            .WithSummary("Point many held addresses of one prefix at names in one change: every item checked as one PTR is, then all written or none")
            .JsonBody<BulkReverseRequest>()
            .Problems(StatusCodes.Status404NotFound, "address_not_held")
            .Problems(StatusCodes.Status409Conflict, "address_not_served", "allocation_released")
            .Problems(StatusCodes.Status422UnprocessableEntity, "forward_check_failed");
        tenant.MapGet("/addresses", ListReversesAsync).WithName("ListReverses").WithSummary("The tenant's own PTRs in address order, those of its views included (with the view named), optionally by status");
        tenant.MapPost("/domains", AddDomainAsync).WithName("AddDomain").WithSummary("Start verifying a domain: the TXT to publish")
            .JsonBody<DomainRequest>();
        tenant.MapGet("/domains", ListDomainsAsync).WithName("ListDomains").WithSummary("The tenant's domains");
        tenant.MapPost("/domains/{name}/verify", VerifyDomainAsync).WithName("VerifyDomain").WithSummary("Check the domain's TXT and verify it")
            .Problems(StatusCodes.Status404NotFound, "domain_not_found")
            .Problems(StatusCodes.Status422UnprocessableEntity, "domain_not_verified");
    }

    /// <summary>The tenant the caller acts for (the group's policy admitted only tenant keys).</summary>
    private static string RequireTenant(HttpContext context) =>
        context.Caller().TenantId ?? throw new InvalidOperationException("a tenant endpoint reached without a tenant key");

    // ?view=NAME: a private address in one of the tenant's own views (PrivateZone), no allocation needed.
    private static async Task<Results<Ok<ReverseView>, Ok<PrivateReverse>>> SetReverseAsync(HttpContext context, TenantReverseService reverses, TenantViewService views, string ip, string? view)
    {
        var tenant = RequireTenant(context);
        var address = ApiInput.ParseIp(ip);
        var request = await ApiJson.ReadAsync<ReverseRequest>(context).ConfigureAwait(false);
        if (!Addressing.ViewName.IsPublic(view))
            return TypedResults.Ok(await views.SetAsync(tenant, view!, address, request.Name, context.Audit("reverse.set", address.ToString()), context.RequestAborted).ConfigureAwait(false));
        var reverse = await reverses.SetAsync(tenant, address, request.Name, context.Audit("reverse.set", address.ToString()), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(reverse);
    }

    private static async Task<Ok<BulkReverseResult>> SetManyAsync(HttpContext context, TenantReverseService reverses)
    {
        var tenant = RequireTenant(context);
        var request = await ApiJson.ReadAsync<BulkReverseRequest>(context).ConfigureAwait(false);
        if (!Addressing.IpPrefix.TryParse(request.Prefix ?? "", out var within, out var prefixError))
            throw ApiException.Invalid("prefix", prefixError!);
        var items = new List<(Addressing.IpAddress, string)>();
        for (int i = 0; i < (request.Items?.Count ?? 0); i++)
        {
            var item = request.Items![i];
            if (item?.Ip is null || string.IsNullOrWhiteSpace(item.Name))
                throw ApiException.Invalid($"items[{i}]", "each item has an ip and a name");
            items.Add((ApiInput.ParseIp(item.Ip, $"items[{i}].ip"), item.Name));
        }
        int count = await reverses.SetManyAsync(tenant, within, items, context.Audit("reverse.bulk", within.ToString()), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new BulkReverseResult(within.ToString(), count));
    }

    private static async Task<Results<Ok<ReverseView>, Ok<PrivateReverse>>> GetReverseAsync(HttpContext context, TenantReverseService reverses, TenantViewService views, string ip, string? view) =>
        Addressing.ViewName.IsPublic(view)
            ? TypedResults.Ok(await reverses.GetAsync(RequireTenant(context), ApiInput.ParseIp(ip), context.RequestAborted).ConfigureAwait(false))
            : TypedResults.Ok(views.Get(RequireTenant(context), view!, ApiInput.ParseIp(ip)));

    private static async Task<NoContent> ResetReverseAsync(HttpContext context, TenantReverseService reverses, TenantViewService views, string ip, string? view)
    {
        var tenant = RequireTenant(context);
        var address = ApiInput.ParseIp(ip);
        if (!Addressing.ViewName.IsPublic(view))
        {
            await views.ResetAsync(tenant, view!, address, context.Audit("reverse.reset", address.ToString()), context.RequestAborted).ConfigureAwait(false);
            return TypedResults.NoContent();
        }
        await reverses.ResetAsync(tenant, address, context.Audit("reverse.reset", address.ToString()), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    // The public PTRs of held addresses, then in address order the private ones of the tenant's own
    // views, each naming its view (the same private address may have a PTR in several of them).
    private static async Task<Ok<Page<ReverseView>>> ListReversesAsync(HttpContext context, TenantReverseService reverses, TenantViewService views,
        string? status, int? limit, string? after)
    {
        var tenant = RequireTenant(context);
        var list = await reverses.ListAsync(tenant, status, context.RequestAborted).ConfigureAwait(false);
        var all = list.Concat(views.List(tenant, status));
        return TypedResults.Ok(Paging.Page(all, r => Paging.AddressKey(r.Address) + (r.View is null ? "" : "@" + r.View), r => r, limit, after));
    }

    private static async Task<Created<DomainView>> AddDomainAsync(HttpContext context, TenantReverseService reverses)
    {
        var tenant = RequireTenant(context);
        var request = await ApiJson.ReadAsync<DomainRequest>(context).ConfigureAwait(false);
        var view = await reverses.AddDomainAsync(tenant, request.Name, context.Audit("domain.add", request.Name ?? "-"), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/v1/domains/{view.Name}", view);
    }

    private static async Task<Ok<Page<DomainView>>> ListDomainsAsync(HttpContext context, TenantReverseService reverses, int? limit, string? after)
    {
        var list = await reverses.ListDomainsAsync(RequireTenant(context), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Paging.Page(list, d => d.Name, d => d, limit, after));
    }

    private static async Task<Ok<DomainView>> VerifyDomainAsync(HttpContext context, TenantReverseService reverses, string name)
    {
        var tenant = RequireTenant(context);
        return TypedResults.Ok(await reverses.VerifyDomainAsync(tenant, name, context.Audit("domain.verify", name), context.RequestAborted).ConfigureAwait(false));
    }
}
