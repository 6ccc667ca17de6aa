using Rdns.Addressing;
using Rdns.Protocol.Names;
using Rdns.Storage;
using Rdns.Zones.Writes;

namespace Rdns.Control.Views;

/// <summary>
/// Operators' view operations: validate, store (which tells every node), and apply here at once.
/// A view needs at least one rule, so a new view never silently takes every client from the
/// public one.
/// </summary>
public sealed class ViewService(IRdnsStore store, ViewRegistry registry)
{
    /// <summary>At most this many prefixes or keys per rule: views are tried on every query.</summary>
    public const int MaxRules = 256;

    public Task<IReadOnlyList<StoredView>> ListAsync(CancellationToken cancellationToken = default) => store.ListViewsAsync(cancellationToken);

    public async Task<StoredView?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        (await store.ListViewsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(v => v.Name == name);

    public async Task<StoredView> CreateAsync(string? name, ViewRules rules, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        if (!ViewName.TryValidate(name, out var error))
            throw new ControlException(WriteError.Invalid, "invalid_view_name", error!, "name");
        if (name == ViewName.Public)
            throw new ControlException(WriteError.Conflict, "view_exists", "the public view is built in: it answers every client no other view matches", "name");
        var view = new StoredView(name!, 0, Prefixes(rules.Match, "match"), Prefixes(rules.Destinations, "destinations"), Keys(rules.Keys),
            await TenantAsync(rules.Tenant, cancellationToken).ConfigureAwait(false), default, default);
        RequireRule(view);
        StoredView added;
        try
        {
            added = await store.AddViewAsync(view, audit, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException)
        {
            throw new ControlException(WriteError.Conflict, "view_exists", $"a view named {name} already exists", "name");
        }
        await registry.ReloadAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    public async Task<StoredView> UpdateAsync(string name, ViewRules rules, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(name, cancellationToken).ConfigureAwait(false) ?? throw NotFound(name);
        var next = current with
        {
            Clients = rules.Match is null ? current.Clients : Prefixes(rules.Match, "match"),
            Destinations = rules.Destinations is null ? current.Destinations : Prefixes(rules.Destinations, "destinations"),
            Keys = rules.Keys is null ? current.Keys : Keys(rules.Keys),
            TenantId = rules.Tenant is null ? current.TenantId : rules.Tenant.Length == 0 ? null : await TenantAsync(rules.Tenant, cancellationToken).ConfigureAwait(false),
        };
        RequireRule(next);
        var updated = await store.UpdateViewAsync(next, audit, cancellationToken).ConfigureAwait(false) ?? throw NotFound(name);
        await registry.ReloadAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// Deletes a view that holds no zones but its catalog; the catalog goes with it (its deletion
    /// is journaled and announced like any zone's, so secondaries drop it).
    /// </summary>
    public async Task DeleteAsync(string name, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        var served = registry.Find(name);
        if (served is not null && !served.IsPublic && served.OwnZoneCount > 0)
            throw NotEmpty(name);
        if (served is not null && !served.IsPublic)
        {
            await registry.StopCatalogAsync(name, cancellationToken).ConfigureAwait(false);
            await served.Service.DeleteAsync(served.CatalogName, audit with { Action = "zone.delete", Target = served.CatalogName.ToString(), Detail = "catalog of a deleted view" },
                cancellationToken).ConfigureAwait(false);
        }
        switch (await store.DeleteViewAsync(name, audit, cancellationToken).ConfigureAwait(false))
        {
            case ViewDeletion.NotFound:
                throw NotFound(name);
            case ViewDeletion.HasZones:
                // A zone made on another node meanwhile: the view stays, with its catalog.
                await registry.ResumeCatalogAsync(name, cancellationToken).ConfigureAwait(false);
                throw NotEmpty(name);
        }
        await registry.ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ControlException NotEmpty(string name) =>
        new(WriteError.Conflict, "view_not_empty", $"view {name} still holds zones; delete them first (DELETE /v1/zones/NAME?view={name})");

    private static ControlException NotFound(string name) =>
        new(WriteError.NotFound, "view_not_found", ViewName.IsPublic(name) ? "the public view is built in and has no rules" : $"there is no view named {name}");

    private static void RequireRule(StoredView view)
    {
        if (view.Clients.Count == 0 && view.Destinations.Count == 0 && view.Keys.Count == 0)
            throw new ControlException(WriteError.Invalid, "view_without_rules", "a view needs at least one rule: match (client prefixes), destinations (local addresses) or keys (TSIG key names)", "match");
    }

    private static List<string> Prefixes(IReadOnlyList<string>? items, string field)
    {
        var list = new List<string>();
        if (items is null)
            return list;
        if (items.Count > MaxRules)
            throw new ControlException(WriteError.Invalid, "invalid_view_rule", $"at most {MaxRules} entries", field);
        for (int i = 0; i < items.Count; i++)
        {
            if (!IpPrefix.TryParse(items[i] ?? "", out var prefix, out var error))
                throw new ControlException(WriteError.Invalid, "invalid_view_rule", $"{Excerpt.Of(items[i] ?? "")}: {error}", $"{field}[{i}]");
            list.Add(prefix.ToString());
        }
        return list;
    }

    private static List<string> Keys(IReadOnlyList<string>? items)
    {
        var list = new List<string>();
        if (items is null)
            return list;
        if (items.Count > MaxRules)
            throw new ControlException(WriteError.Invalid, "invalid_view_rule", $"at most {MaxRules} entries", "keys");
        for (int i = 0; i < items.Count; i++)
        {
            var text = items[i] ?? "";
            if (!DnsName.TryParse(text.EndsWith('.') ? text : text + ".", null, out var key, out var error) || key.LabelCount == 0)
                throw new ControlException(WriteError.Invalid, "invalid_view_rule", $"{Excerpt.Of(text)}: {error ?? "a key name is required"}", $"keys[{i}]");
            list.Add(key.ToLower().ToString());
        }
        return list;
    }

    private async Task<string?> TenantAsync(string? tenant, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(tenant))
            return null;
        if (await store.GetTenantAsync(tenant, cancellationToken).ConfigureAwait(false) is null)
            throw new ControlException(WriteError.NotFound, "tenant_not_found", $"there is no tenant {Excerpt.Of(tenant)}", "tenant");
        return tenant;
    }
}
