namespace Rdns.Api.Tenants;

/// <summary>One address of a bulk change and the name it is to point to.</summary>
public sealed record BulkReverseItem(string? Ip, string? Name);
