namespace Rdns.Control.Updates;

/// <summary>A key as listed: never its secret.</summary>
public sealed record TsigKeyView(string Name, string Algorithm, string? Tenant, IReadOnlyList<UpdateRuleSpec> Allow, DateTimeOffset? CreatedAt, string Source);
