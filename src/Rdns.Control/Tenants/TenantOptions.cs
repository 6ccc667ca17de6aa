namespace Rdns.Control.Tenants;

/// <summary>Tenant-facing policy; each default with its reason.</summary>
public sealed class TenantOptions
{
    /// <summary>
    /// 24 h: long enough that mail systems and caches have forgotten the previous holder's name
    /// (PTR TTLs are an hour by default) before anyone else can hold the address.
    /// </summary>
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromHours(24);

    /// <summary>6 h between re-checks of custom PTRs' forward records: drift is found the same day without hammering resolvers.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>TTL of tenant PTRs; 3600 s as for operator records.</summary>
    public uint PtrTtl { get; set; } = 3600;

    /// <summary>Requests per minute per tenant key on tenant endpoints (the forward checks they trigger cost resolver queries).</summary>
    public int RequestsPerMinute { get; set; } = 120;
}
