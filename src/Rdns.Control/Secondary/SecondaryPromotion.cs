using Rdns.Control.Tenants;
using Rdns.Control.Zones;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Control.Secondary;

/// <summary>What a promotion did.</summary>
public sealed record PromotionResult(int Zones, IReadOnlyList<string> Pools);

/// <summary>
/// <c>rdns promote</c>: a node that followed a primary becomes one. Following stops, the store it
/// filled becomes authoritative (serials continue from the primary's), the pools its catalog
/// published are stored as its own (so default names stay), and the catalog is kept from now on
/// by this node. A marker file in the data directory stops a later start with <c>--primary</c>
/// from following the old primary again by mistake.
/// </summary>
public sealed class SecondaryPromotion(SecondaryFollower follower, PoolService pools, CatalogZone catalog, ZoneFollower zoneFollower, ZoneService zones,
    string markerPath)
{
    public const string MarkerFile = "promoted";

    public async Task<PromotionResult> PromoteAsync(AuditEntry audit, CancellationToken stopping, CancellationToken cancellationToken)
    {
        if (follower.Promoted)
            throw new WriteException(WriteError.Conflict, "already_promoted", "this node was promoted already; it follows no primary");
        var published = await follower.PromoteAsync().ConfigureAwait(false);
        await File.WriteAllTextAsync(markerPath,
            $"Promoted {DateTimeOffset.UtcNow:u}; it followed {string.Join(", ", follower.Options.Primaries)}. Start it without --primary.\n",
            cancellationToken).ConfigureAwait(false);
        var stored = (await zones.Store.ListPoolsAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Prefix).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var kept = new List<string>();
        foreach (var pool in published)
        {
            if (stored.Contains(pool.Prefix.ToString()))
                continue;
            await pools.CreateAsync(pool.Prefix.ToString(), pool.Template, pool.Ttl, audit with { Action = "pool.create", Target = pool.Prefix.ToString(), Detail = "kept on promotion" },
                cancellationToken).ConfigureAwait(false);
            kept.Add(pool.Prefix.ToString());
        }
        zoneFollower.PoolsChanged = pools.ReloadAsync;
        await pools.ReloadAsync(cancellationToken).ConfigureAwait(false);
        await catalog.ReconcileAsync(cancellationToken).ConfigureAwait(false);
        catalog.Follow(stopping);
        pools.Reloaded += catalog.PoolsChanged;
        return new PromotionResult(zones.Served.Current.Count, kept);
    }
}
