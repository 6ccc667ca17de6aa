using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rdns.Addressing;
using Rdns.Api.Auth;
using Rdns.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Control.Ptr;
using Rdns.Control.Tenants;
using Rdns.Control.Views;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;

using Rdns.Zones.Writes;

namespace Rdns.Api.Ptr;

public sealed record PtrRequest(string? Ptrdname, uint? Ttl);

public sealed record PtrView(string Ip, string Name, string? Ptrdname, uint? Ttl, string Zone, uint Serial);

public sealed record BulkPtrItem(string? Ip, string? Ptrdname, uint? Ttl);

public sealed record BulkPtrRequest(List<BulkPtrItem>? Items);

public sealed record BulkPtrResult(int Items, List<ChangeResultZone> Zones);

public sealed record ChangeResultZone(string Zone, uint Serial);

/// <summary>
/// The PTR of one address (or of many at once), wherever it lives: the endpoint finds the zone,
/// following an RFC 2317 CNAME into a hosted child zone.
/// </summary>
public static class PtrEndpoints
{
    /// <summary>The most addresses one bulk request may change.</summary>
    public const int MaxBulk = 100_000;

    /// <summary>3600 s unless the request says otherwise.</summary>
    public const uint DefaultTtl = 3600;

    public static void Map(IEndpointRouteBuilder app)
    {
        var ptr = app.MapGroup("/v1/ptr").WithTags("PTR").RequireAuthorization(ApiPolicies.Operator);
        ptr.MapPut("/{ip}", PutAsync).WithName("SetPtr").WithSummary("Set the PTR of an address in whichever hosted zone covers it")
            .JsonBody<PtrRequest>()
            .Problems(StatusCodes.Status404NotFound, "no_zone_for_address")
            .Problems(StatusCodes.Status409Conflict, "address_delegated", "conflict");
        ptr.MapGet("/{ip}", Get).WithName("GetPtr").WithSummary("The PTR of an address")
            .Problems(StatusCodes.Status404NotFound, "no_zone_for_address", "ptr_not_found")
            .Problems(StatusCodes.Status409Conflict, "address_delegated");
        ptr.MapDelete("/{ip}", DeleteAsync).WithName("DeletePtr").WithSummary("Remove the PTR of an address")
            .Problems(StatusCodes.Status404NotFound, "no_zone_for_address", "ptr_not_found")
            .Problems(StatusCodes.Status409Conflict, "address_delegated", "conflict");
        ptr.MapPost("", BulkAsync).WithName("SetPtrBulk").WithSummary("Set or remove up to 100,000 PTRs in one transaction")
            .JsonBody<BulkPtrRequest>()
            .Problems(StatusCodes.Status404NotFound, "no_zone_for_address")
            .Problems(StatusCodes.Status409Conflict, "address_delegated", "conflict");
    }

    private static PtrLocation Locate(ZoneService service, IpAddress ip)
    {
        var location = PtrLocator.Locate(service.Served.Current, ip);
        return location.Error switch
        {
            PtrLocationError.None => location,
            PtrLocationError.NoZone => throw new ApiException(StatusCodes.Status404NotFound, "no_zone_for_address", "No hosted zone covers this address", $"{ip}: {location.Detail}"),
            _ => throw new ApiException(StatusCodes.Status409Conflict, "address_delegated", "The address is delegated elsewhere", $"{ip}: {location.Detail}"),
        };
    }

    /// <summary>The PTR an address has now, for the audit row's "before".</summary>
    private static string? CurrentPtr(PtrLocation location) =>
        location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR) is { } set ? Rdata.ReadName(set.Data[0]).ToString() : null;

    internal static byte[] ParseTarget(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw ApiException.Invalid(field, "required: the host name the address should point to");
        if (!PtrTarget.TryNormalize(text, out var normalized, out var reason))
            throw ApiException.Invalid(field, reason!);
        return DnsName.Parse(normalized).Wire.ToArray();
    }

    internal static uint Ttl(uint? ttl, string field) => ttl switch
    {
        null => DefaultTtl,
        > int.MaxValue => throw ApiException.Invalid(field, "must be at most 2147483647 (RFC 2181 §8)"),
        _ => ttl.Value,
    };

    /// <summary>
    /// The tenant row of an address follows what the operator does to its PTR, in the same
    /// transaction, so the tenant API reports what DNS answers (a no-op where no tenant set one).
    /// </summary>
    private static TenantWrite TenantRowAfter(IpAddress address, byte[]? target, TimeProvider time) =>
        target is null
            ? new DeleteCustomReverse(address.ToString())
            : new SetReverseByOperator(address.ToString(), DnsName.FromWire(target).ToString(), TenantReverseService.OperatorSet, "set by the operator", time.GetUtcNow());

    private static async Task<Ok<PtrView>> PutAsync(HttpContext context, ViewRegistry views, string? view, TimeProvider time, string ip)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var address = ApiInput.ParseIp(ip, "ip");
        var request = await ApiJson.ReadAsync<PtrRequest>(context).ConfigureAwait(false);
        var target = ParseTarget(request.Ptrdname, "ptrdname");
        uint ttl = Ttl(request.Ttl, "ttl");
        var location = Locate(service, address);
        var changed = await service.ChangeAsync(
            [new ZoneEdit(location.Zone!.Origin, [new RRsetChange(location.Owner, RecordType.PTR, ttl, [target])])],
            scope.IsPublic ? [TenantRowAfter(address, target, time)] : [],
            context.Audit("ptr.set", ApiViews.Target(scope, address.ToString()), DnsName.FromWire(target).ToString()) with { Before = CurrentPtr(location), After = DnsName.FromWire(target).ToString() },
            context.RequestAborted).ConfigureAwait(false);
        uint serial = changed.Count > 0 ? changed[0].Serial : location.Zone.Serial;
        return TypedResults.Ok(new PtrView(address.ToString(), location.Owner.ToString(), DnsName.FromWire(target).ToString(), ttl, location.Zone.Origin.ToString(), serial));
    }

    private static Ok<PtrView> Get(ViewRegistry views, string? view, string ip)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var address = ApiInput.ParseIp(ip, "ip");
        var location = Locate(service, address);
        var set = location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR);
        if (set is null)
            throw ApiException.NotFound("ptr_not_found", $"{address} has no PTR in zone {location.Zone.Origin}");
        return TypedResults.Ok(new PtrView(address.ToString(), location.Owner.ToString(), Rdata.ReadName(set.Data[0]).ToString(), set.Ttl, location.Zone.Origin.ToString(), location.Zone.Serial));
    }

    private static async Task<NoContent> DeleteAsync(HttpContext context, ViewRegistry views, string? view, string ip)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var address = ApiInput.ParseIp(ip, "ip");
        var location = Locate(service, address);
        if (location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR) is null)
            throw ApiException.NotFound("ptr_not_found", $"{address} has no PTR in zone {location.Zone.Origin}");
        await service.ChangeAsync(
            [new ZoneEdit(location.Zone.Origin, [new RRsetChange(location.Owner, RecordType.PTR, 0, [])])],
            scope.IsPublic ? [new DeleteCustomReverse(address.ToString())] : [],
            context.Audit("ptr.delete", ApiViews.Target(scope, address.ToString())) with { Before = CurrentPtr(location) }, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Sets or removes (ptrdname null) the PTRs of up to 100,000 addresses in one transaction:
    /// every item is validated first, and either all changes land or none do.
    /// </summary>
    private static async Task<Ok<BulkPtrResult>> BulkAsync(HttpContext context, ViewRegistry views, string? view, TimeProvider time)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var request = await ApiJson.ReadAsync<BulkPtrRequest>(context).ConfigureAwait(false);
        if (request.Items is null || request.Items.Count == 0)
            throw ApiException.Invalid("items", "at least one item is required");
        if (request.Items.Count > MaxBulk)
            throw ApiException.Invalid("items", $"at most {MaxBulk} items per request (got {request.Items.Count})");
        var zones = service.Served.Current;
        var byZone = new Dictionary<DnsName, List<RRsetChange>>();
        var seen = new HashSet<IpAddress>();
        // Tenant rows record the public view's PTRs; a view's own PTRs have none.
        var tenantRows = scope.IsPublic
            ? (await service.Store.ListCustomReversesAsync(null, null, null, context.RequestAborted).ConfigureAwait(false)).Select(r => r.Address).ToHashSet()
            : [];
        var writes = new List<TenantWrite>();
        for (int i = 0; i < request.Items.Count; i++)
        {
            var item = request.Items[i];
            var field = $"items[{i}]";
            if (item.Ip is null)
                throw ApiException.Invalid($"{field}.ip", "required");
            var address = ApiInput.ParseIp(item.Ip, $"{field}.ip");
            if (!seen.Add(address))
                throw ApiException.Invalid($"{field}.ip", $"{address} appears more than once");
            var location = PtrLocator.Locate(zones, address);
            if (!location.Found)
            {
                throw new ApiException(location.Error == PtrLocationError.NoZone ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict,
                    location.Error == PtrLocationError.NoZone ? "no_zone_for_address" : "address_delegated",
                    "An address cannot be changed here", $"{field}.ip {address}: {location.Detail}", $"{field}.ip");
            }
            var change = item.Ptrdname is null
                ? new RRsetChange(location.Owner, RecordType.PTR, 0, [])
                : new RRsetChange(location.Owner, RecordType.PTR, Ttl(item.Ttl, $"{field}.ttl"), [ParseTarget(item.Ptrdname, $"{field}.ptrdname")]);
            if (tenantRows.Contains(address.ToString()))
                writes.Add(TenantRowAfter(address, change.IsDelete ? null : change.Data[0], time));
            if (!byZone.TryGetValue(location.Zone!.Origin, out var list))
                byZone[location.Zone.Origin] = list = [];
            list.Add(change);
        }
        var edits = byZone.Select(kv => new ZoneEdit(kv.Key, kv.Value)).ToList();
        var changed = await service.ChangeAsync(edits, writes, context.Audit("ptr.bulk", ApiViews.Target(scope, $"{request.Items.Count} addresses"), $"{edits.Count} zones"), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new BulkPtrResult(request.Items.Count, changed.Select(z => new ChangeResultZone(z.Origin.ToString(), z.Serial)).ToList()));
    }
}
