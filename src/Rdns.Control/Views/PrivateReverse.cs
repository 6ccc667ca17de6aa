namespace Rdns.Control.Views;

/// <summary>
/// The PTR of a private address in a tenant's view: where it lives, what it says (null: none) and
/// its forward check against the view's own data (<see cref="ViewForwardCheck"/>), as of now.
/// </summary>
public sealed record PrivateReverse(string Address, string View, string? Name, string Zone, uint Serial, string? Status = null, string? Detail = null);
