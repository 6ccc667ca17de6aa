using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Api.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Api.Auth;
using Rdns.Control.Secondary;

namespace Rdns.Api.Secondary;

/// <summary>One followed zone as operators see it.</summary>
public sealed record FollowedZoneView(string Zone, string Origin, uint? Serial, DateTimeOffset? LastRefresh, int Failures, string? LastError, bool Expired,
    long Transfers, long IncrementalTransfers, long BytesReceived);

/// <summary>What a node in secondary mode follows and how each zone stands.</summary>
public sealed record SecondaryView(IReadOnlyList<string> Primaries, string Catalog, IReadOnlyList<FollowedZoneView> Zones);

/// <summary>What a promotion did: the zones now served as primary, the pools kept from the catalog.</summary>
public sealed record PromotionView(int Zones, IReadOnlyList<string> PoolsKept);

/// <summary><c>GET /v1/secondary</c> (operators): the primaries, the catalog, and every followed zone's serial, last refresh, failures and transfers.</summary>
public static class SecondaryEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1").WithTags("Secondary").RequireAuthorization(ApiPolicies.Operator);
        ops.MapGet("/secondary", Get).WithName("GetSecondary").WithSummary("The primaries followed and each zone's refresh state")
            .Problems(StatusCodes.Status404NotFound, "not_a_secondary");
        ops.MapPost("/secondary/promote", PromoteAsync).WithName("PromoteSecondary").WithSummary("Stop following: this node's store becomes authoritative, serials continue")
            .Problems(StatusCodes.Status404NotFound, "not_a_secondary");
    }

    /// <summary>The one change a secondary takes through the API: becoming a primary.</summary>
    public const string PromotePath = "/v1/secondary/promote";

    private static async Task<Ok<PromotionView>> PromoteAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var promotion = context.RequestServices.GetService<SecondaryPromotion>();
        if (promotion is null)
            throw ApiException.NotFound("not_a_secondary", "this node follows no primary (it is started without --primary)");
        var stopping = context.RequestServices.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
        var result = await promotion.PromoteAsync(context.Audit("secondary.promote", "node"), stopping, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PromotionView(result.Zones, result.Pools));
    }

    private static Ok<SecondaryView> Get(HttpContext context)
    {
        var follower = context.RequestServices.GetService<SecondaryFollower>();
        if (follower is null)
            throw ApiException.NotFound("not_a_secondary", "this node follows no primary (it is started without --primary)");
        var zones = follower.Status().Select(s => new FollowedZoneView(s.Zone.ToString(), s.Origin.ToString().ToLowerInvariant(), s.Serial, s.LastRefresh,
            s.Failures, s.LastError, s.Expired, s.Transfers, s.IncrementalTransfers, s.BytesReceived)).ToList();
        return TypedResults.Ok(new SecondaryView(follower.Options.Primaries.Select(p => p.ToString()).ToList(), follower.Options.Catalog.ToString(), zones));
    }
}
