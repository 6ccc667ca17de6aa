namespace Rdns.Control.Views;

/// <summary>
/// A view's match rules and tenant as a caller gives them: client prefixes (<c>match</c>), local
/// addresses queries arrive on (<c>destinations</c>), TSIG key names (<c>keys</c>); null leaves a
/// rule as it is when changing a view.
/// </summary>
public sealed record ViewRules(IReadOnlyList<string>? Match, IReadOnlyList<string>? Destinations, IReadOnlyList<string>? Keys, string? Tenant);
