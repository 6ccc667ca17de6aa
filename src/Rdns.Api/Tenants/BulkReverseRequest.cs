namespace Rdns.Api.Tenants;

/// <summary>Many PTRs of one held prefix, set in one change (all or none).</summary>
public sealed record BulkReverseRequest(string? Prefix, IReadOnlyList<BulkReverseItem>? Items);
