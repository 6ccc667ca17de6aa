namespace Rdns.Control.Views;

/// <summary>The PTR of a private address in a tenant's view: where it lives and what it says (null: none).</summary>
public sealed record PrivateReverse(string Address, string View, string? Name, string Zone, uint Serial);
