namespace Rdns.Api.Endpoints;

/// <summary>
/// One page of a listing: <see cref="Items"/> in the listing's order and, when more follow,
/// <see cref="Next"/> to pass as <c>after</c> for the next page (absent on the last page).
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
