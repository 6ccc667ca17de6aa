namespace Rdns.Api.Tenants;

/// <summary>A tenant as the API shows it.</summary>
public sealed record TenantView(string Id, string Name, DateTimeOffset CreatedAt)
{
    public static TenantView Of(Storage.TenantRecord t) => new(t.Id, t.Name, t.CreatedAt);
}
