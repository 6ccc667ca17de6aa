using Rdns.Storage;

namespace Rdns.Api.Views;

/// <summary>A view as the API shows it: its rules in the order they are tried (<c>position</c>) and how many zones it serves here (its catalog not counted).</summary>
public sealed record ViewResponse(string Name, long Position, List<string> Match, List<string> Destinations, List<string> Keys, string? Tenant,
    int Zones, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ViewResponse From(StoredView v, int zones) =>
        new(v.Name, v.Position, [.. v.Clients], [.. v.Destinations], [.. v.Keys], v.TenantId, zones, v.CreatedAt, v.UpdatedAt);
}
