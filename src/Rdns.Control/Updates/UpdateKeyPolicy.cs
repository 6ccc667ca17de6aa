using Rdns.Protocol.Names;
using Rdns.Zones.Updates;

namespace Rdns.Control.Updates;

/// <summary>What a key may update: its rules, or, for a tenant's key, the tenant's held addresses (computed per update).</summary>
public sealed record UpdateKeyPolicy(DnsName Name, string? TenantId, IReadOnlyList<UpdateRule> Rules, bool FromFile);
