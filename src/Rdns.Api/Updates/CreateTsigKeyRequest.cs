using Rdns.Control.Updates;

namespace Rdns.Api.Updates;

/// <summary>
/// <c>POST /v1/tsig-keys</c>: a key name, its algorithm (default hmac-sha256) and, for an operator's
/// key, the rules of what it may update. A tenant's key takes no rules: it may update the PTR and
/// DHCID records of the addresses the tenant holds.
/// </summary>
public sealed record CreateTsigKeyRequest(string? Name, string? Algorithm, List<UpdateRuleSpec>? Allow);
