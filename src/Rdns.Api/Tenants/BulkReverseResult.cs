namespace Rdns.Api.Tenants;

/// <summary>How many PTRs of <see cref="Prefix"/> the change set.</summary>
public sealed record BulkReverseResult(string Prefix, int Count);
