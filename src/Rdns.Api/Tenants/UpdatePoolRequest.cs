namespace Rdns.Api.Tenants;

/// <summary><c>PATCH /v1/pools/{id}</c>: a new default-name template and/or TTL; absent members stay as they are.</summary>
public sealed record UpdatePoolRequest(string? DefaultPtr, uint? Ttl);
