using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Api.OpenApi;
using Microsoft.AspNetCore.Routing;
using Rdns.Api.Auth;
using Rdns.Api.Zones;
using Rdns.Control.Dnssec;
using Rdns.Zones.Writes;

namespace Rdns.Api.Dnssec;

/// <summary>
/// Online signing of a hosted zone (docs/DNSSEC.md): enable it, read its keys, state and the DS
/// records to hand to the parent, start a rollover, confirm that the parent publishes the DS,
/// disable it. Operators only.
/// </summary>
public static class DnssecEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var dnssec = app.MapGroup("/v1/zones/{name}/dnssec").WithTags("DNSSEC").RequireAuthorization(ApiPolicies.Operator);
        dnssec.MapPost("", EnableAsync).WithName("EnableDnssec").WithSummary("Sign the zone online (or return its state when signed alike)")
            .JsonBody<EnableDnssecRequest>(optional: true)
            .Problems(StatusCodes.Status404NotFound, "zone_not_found")
            .Problems(StatusCodes.Status409Conflict, "dnssec_enabled", "zone_presigned");
        dnssec.MapGet("", GetAsync).WithName("GetDnssec").WithSummary("Keys, state and the DS records for the parent")
            .Problems(StatusCodes.Status404NotFound, "zone_not_found");
        dnssec.MapDelete("", DisableAsync).WithName("DisableDnssec").WithSummary("Stop signing the zone")
            .Problems(StatusCodes.Status404NotFound, "zone_not_found", "dnssec_not_enabled");
        dnssec.MapPost("/rollover", RolloverAsync).WithName("StartDnssecRollover").WithSummary("Start a ZSK, KSK or CSK rollover")
            .JsonBody<RolloverRequest>()
            .Problems(StatusCodes.Status404NotFound, "zone_not_found", "dnssec_not_enabled")
            .Problems(StatusCodes.Status409Conflict, "rollover_refused");
        dnssec.MapPost("/ds-seen", DsSeenAsync).WithName("ConfirmDnssecDs").WithSummary("Say that the parent publishes the submitted DS records")
            .Problems(StatusCodes.Status404NotFound, "zone_not_found", "dnssec_not_enabled");
    }

    private static async Task<Ok<DnssecStatus>> EnableAsync(HttpContext context, DnssecService service, string name)
    {
        var zone = ZoneEndpoints.ParseZoneName(name, "name");
        var request = context.Request.ContentLength is 0 ? new EnableDnssecRequest(null, null, null) : await ApiJson.ReadAsync<EnableDnssecRequest>(context).ConfigureAwait(false);
        var status = await service.EnableAsync(zone, request.Algorithm, request.Keys, request.Denial, Audit(context, "dnssec.enable", zone.ToString()),
            context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(status);
    }

    private static async Task<Ok<DnssecStatus>> GetAsync(DnssecService service, string name, CancellationToken cancellationToken)
    {
        var zone = ZoneEndpoints.ParseZoneName(name, "name");
        var status = await service.GetAsync(zone, cancellationToken).ConfigureAwait(false);
        return status is null
            ? throw ApiException.NotFound("zone_not_found", $"no zone {zone} is hosted here")
            : TypedResults.Ok(status);
    }

    private static async Task<NoContent> DisableAsync(HttpContext context, DnssecService service, string name)
    {
        var zone = ZoneEndpoints.ParseZoneName(name, "name");
        await service.DisableAsync(zone, Audit(context, "dnssec.disable", zone.ToString()), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<DnssecStatus>> RolloverAsync(HttpContext context, DnssecService service, string name)
    {
        var zone = ZoneEndpoints.ParseZoneName(name, "name");
        var request = await ApiJson.ReadAsync<RolloverRequest>(context).ConfigureAwait(false);
        if (request.Key is not ("zsk" or "ksk" or "csk"))
            throw ApiException.Invalid("key", "key must be 'zsk', 'ksk' or 'csk'");
        var status = await service.RolloverAsync(zone, request.Key, Audit(context, "dnssec.rollover", zone.ToString()), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(status);
    }

    private static async Task<Ok<DnssecStatus>> DsSeenAsync(HttpContext context, DnssecService service, string name)
    {
        var zone = ZoneEndpoints.ParseZoneName(name, "name");
        var status = await service.DsSeenAsync(zone, Audit(context, "dnssec.ds-seen", zone.ToString()), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(status);
    }

    private static WriteAudit Audit(HttpContext context, string action, string target)
    {
        var entry = context.Audit(action, target);
        return new WriteAudit(entry.Actor, entry.Action, entry.Target, null, entry.RemoteAddress);
    }
}
