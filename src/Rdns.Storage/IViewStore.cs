namespace Rdns.Storage;

/// <summary>
/// A view as the store holds it: match rules in presentation form (client prefixes, local
/// addresses as prefixes, TSIG key names), the order views are tried in (<see cref="Position"/>,
/// the creation order), and the tenant that manages its private reverse zones, if any.
/// </summary>
public sealed record StoredView(string Name, long Position, IReadOnlyList<string> Clients, IReadOnlyList<string> Destinations,
    IReadOnlyList<string> Keys, string? TenantId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public enum ViewDeletion
{
    Deleted,
    NotFound,

    /// <summary>The view still holds zones: they are deleted first, so no data disappears by accident.</summary>
    HasZones,
}

/// <summary>Views (split horizon). Every change tells other nodes (<see cref="ChangeKind.Views"/>).</summary>
public interface IViewStore
{
    /// <summary>Every view, in the order they are tried.</summary>
    Task<IReadOnlyList<StoredView>> ListViewsAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a view after the others (its <see cref="StoredView.Position"/> is assigned); <see cref="StoreConflictException"/> when the name is taken.</summary>
    Task<StoredView> AddViewAsync(StoredView view, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Replaces a view's rules and tenant (its position stays); null when there is no such view.</summary>
    Task<StoredView?> UpdateViewAsync(StoredView view, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<ViewDeletion> DeleteViewAsync(string name, AuditEntry audit, CancellationToken cancellationToken = default);
}
