namespace Rdns.Api.Tenants;

/// <summary><c>PATCH /v1/tenants/{id}</c>: the tenant's new name.</summary>
public sealed record UpdateTenantRequest(string? Name);
