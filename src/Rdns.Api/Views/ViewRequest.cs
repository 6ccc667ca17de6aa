namespace Rdns.Api.Views;

/// <summary>
/// The body of POST and PATCH /v1/views: <c>match</c> client prefixes, <c>destinations</c> local
/// addresses (prefixes) queries arrive on, <c>keys</c> TSIG key names, <c>tenant</c> the tenant
/// that manages the view's private reverse zones (<c>""</c> in a PATCH removes it). In a PATCH a
/// field left out keeps its value.
/// </summary>
public sealed record ViewRequest(string? Name, List<string>? Match, List<string>? Destinations, List<string>? Keys, string? Tenant);
