namespace Rdns.Control.Updates;

/// <summary>A new key: <see cref="Secret"/> (base64) and <see cref="Bind"/> (BIND's key statement) are shown this once.</summary>
public sealed record TsigKeyCreated(string Name, string Algorithm, string Secret, string Bind, string? Tenant, IReadOnlyList<UpdateRuleSpec> Allow, DateTimeOffset CreatedAt);
