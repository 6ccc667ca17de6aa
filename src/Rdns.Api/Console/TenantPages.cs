using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Rdns.Addressing;
using Rdns.Api.Auth;
using Rdns.Control.Tenants;
using Rdns.Storage;

namespace Rdns.Api.Console;

/// <summary>
/// A tenant's console pages: held addresses with their PTRs (set, reset, many at once), domains
/// to verify, and the tenant's own keys. Every page acts for the session's tenant only: no page
/// takes a tenant id, so no URL reaches another tenant's data.
/// </summary>
public static class TenantPages
{
    /// <summary>Allocations up to a /24 (or an IPv6 /120) list every address; larger ones list the addresses with a PTR of their own.</summary>
    public const int ListUpTo = 256;

    public static void Map(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/addresses", AddressesAsync);
        tenant.MapPost("/addresses/set", SetAsync);
        tenant.MapPost("/addresses/reset", ResetAsync);
        tenant.MapPost("/addresses/bulk", BulkAsync);
        tenant.MapGet("/domains", DomainsAsync);
        tenant.MapPost("/domains", AddDomainAsync);
        tenant.MapPost("/domains/verify", VerifyDomainAsync);
        tenant.MapGet("/my-keys", KeysAsync);
        tenant.MapPost("/my-keys", CreateKeyAsync);
        tenant.MapPost("/my-keys/revoke", RevokeKeyAsync);
    }

    private static string TenantOf(HttpContext context) => ConsoleAuth.Caller(context).TenantId!;

    private static async Task<IResult> RenderAddressesAsync(HttpContext context, TenantReverseService reverses, FormOutcome outcome,
        string? ip = null, string? name = null, string? bulkPrefix = null, string? bulkLines = null)
    {
        var tenant = TenantOf(context);
        var held = await reverses.ListHeldAsync(tenant, ListUpTo, context.RequestAborted).ConfigureAwait(false);
        string? found = outcome.Details is { } details && details.TryGetValue("found", out var f)
            ? $"{f}{(details.TryGetValue("addresses", out var a) && a is IEnumerable<string> list && list.Any() ? ": " + string.Join(", ", list) : "")}"
            : null;
        return new RazorComponentResult<TenantPage>(new Dictionary<string, object?>
        {
            ["Who"] = $"tenant {tenant}",
            ["Held"] = held,
            ["Error"] = outcome.Error,
            ["Found"] = found,
            ["Done"] = outcome.Done,
            ["Ip"] = ip,
            ["Name"] = name,
            ["BulkPrefix"] = bulkPrefix,
            ["BulkLines"] = bulkLines,
        })
        { StatusCode = outcome.Status };
    }

    private static Task<IResult> AddressesAsync(HttpContext context, TenantReverseService reverses) =>
        RenderAddressesAsync(context, reverses, FormOutcome.None);

    private static async Task<IResult> SetAsync(HttpContext context, TenantReverseService reverses, [FromForm] string? ip, [FromForm] string? name)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            var address = ApiInput.ParseIp(ip ?? "", "ip");
            var view = await reverses.SetAsync(TenantOf(context), address, name, context.Audit("reverse.set", address.ToString()), context.RequestAborted).ConfigureAwait(false);
            return $"{view.Address} now points to {view.Name} ({view.Status}: {view.Detail}).";
        }).ConfigureAwait(false);
        return await RenderAddressesAsync(context, reverses, outcome, ip, name).ConfigureAwait(false);
    }

    private static async Task<IResult> ResetAsync(HttpContext context, TenantReverseService reverses, [FromForm] string? ip)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            var address = ApiInput.ParseIp(ip ?? "", "ip");
            await reverses.ResetAsync(TenantOf(context), address, context.Audit("reverse.reset", address.ToString()), context.RequestAborted).ConfigureAwait(false);
            return $"{address} answers its default name again.";
        }).ConfigureAwait(false);
        return await RenderAddressesAsync(context, reverses, outcome).ConfigureAwait(false);
    }

    /// <summary>
    /// Many PTRs of one held prefix in one change (typically an IPv6 /64, too large to list): one
    /// "address name" per line; every line is checked before anything is written.
    /// </summary>
    private static async Task<IResult> BulkAsync(HttpContext context, TenantReverseService reverses, [FromForm] string? prefix, [FromForm] string? lines)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            if (!IpPrefix.TryParse(prefix ?? "", out var within, out var prefixError))
                throw ApiException.Invalid("prefix", prefixError!);
            var items = new List<(IpAddress, string)>();
            int n = 0;
            foreach (var raw in (lines ?? "").Split('\n'))
            {
                n++;
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                    continue;
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != 2)
                    throw ApiException.Invalid("lines", $"line {n}: write an address and a name, e.g. 2001:db8::1 host1.example.com");
                items.Add((ApiInput.ParseIp(parts[0], $"lines: line {n}"), parts[1]));
            }
            int count = await reverses.SetManyAsync(TenantOf(context), within, items, context.Audit("reverse.bulk", within.ToString()), context.RequestAborted).ConfigureAwait(false);
            return $"{count} PTRs in {within} set in one change.";
        }).ConfigureAwait(false);
        return await RenderAddressesAsync(context, reverses, outcome, bulkPrefix: prefix, bulkLines: outcome.Error is null ? null : lines).ConfigureAwait(false);
    }

    private static async Task<IResult> RenderDomainsAsync(HttpContext context, TenantReverseService reverses, FormOutcome outcome)
    {
        var tenant = TenantOf(context);
        var domains = await reverses.ListDomainsAsync(tenant, context.RequestAborted).ConfigureAwait(false);
        return new RazorComponentResult<DomainsPage>(new Dictionary<string, object?> { ["Who"] = $"tenant {tenant}", ["Domains"] = domains, ["Error"] = outcome.Error, ["Done"] = outcome.Done }) { StatusCode = outcome.Status };
    }

    private static Task<IResult> DomainsAsync(HttpContext context, TenantReverseService reverses) =>
        RenderDomainsAsync(context, reverses, FormOutcome.None);

    private static async Task<IResult> AddDomainAsync(HttpContext context, TenantReverseService reverses, [FromForm] string? name)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            var d = await reverses.AddDomainAsync(TenantOf(context), name, context.Audit("domain.add", name ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return $"Publish TXT \"{d.Token}\" at {d.ChallengeName}, then check it.";
        }).ConfigureAwait(false);
        return await RenderDomainsAsync(context, reverses, outcome).ConfigureAwait(false);
    }

    private static async Task<IResult> VerifyDomainAsync(HttpContext context, TenantReverseService reverses, [FromForm] string? name)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            var d = await reverses.VerifyDomainAsync(TenantOf(context), name, context.Audit("domain.verify", name ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return $"{d.Name} is verified: names under it are accepted at once.";
        }).ConfigureAwait(false);
        return await RenderDomainsAsync(context, reverses, outcome).ConfigureAwait(false);
    }

    private static async Task<IResult> RenderKeysAsync(HttpContext context, IKeyStore keys, FormOutcome outcome, string? secret = null)
    {
        var tenant = TenantOf(context);
        var list = await keys.ListKeysAsync(ApiKeys.TenantRole, tenant, context.RequestAborted).ConfigureAwait(false);
        return new RazorComponentResult<KeysPage>(new Dictionary<string, object?>
        {
            ["Who"] = $"tenant {tenant}",
            ["Operator"] = false,
            ["Action"] = "/console/my-keys",
            ["Current"] = ConsoleAuth.Caller(context).KeyId,
            ["Keys"] = list,
            ["Secret"] = secret,
            ["Error"] = outcome.Error,
            ["Done"] = outcome.Done,
        })
        { StatusCode = outcome.Status };
    }

    private static Task<IResult> KeysAsync(HttpContext context, IKeyStore keys) => RenderKeysAsync(context, keys, FormOutcome.None);

    private static async Task<IResult> CreateKeyAsync(HttpContext context, IKeyStore keys, TimeProvider time, [FromForm] string? label)
    {
        string? secret = null;
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            var tenant = TenantOf(context);
            var (id, key) = await ApiKeyIssuer.IssueAsync(keys, time, ApiKeys.TenantRole, tenant, string.IsNullOrWhiteSpace(label) ? null : label.Trim(),
                context.Audit("key.create", "-"), context.RequestAborted).ConfigureAwait(false);
            secret = key;
            return $"Key {id} created. Copy it now: it is shown this once.";
        }).ConfigureAwait(false);
        return await RenderKeysAsync(context, keys, outcome, secret).ConfigureAwait(false);
    }

    private static async Task<IResult> RevokeKeyAsync(HttpContext context, IKeyStore keys, ApiKeyCache cache, [FromForm] string? id)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            // The store revokes only a key of this tenant: another tenant's key id is "not found".
            await ApiKeyIssuer.RevokeAsync(keys, cache, id ?? "", ApiKeys.TenantRole, TenantOf(context), context.Audit("key.revoke", id ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return $"Key {id} revoked.";
        }).ConfigureAwait(false);
        return await RenderKeysAsync(context, keys, outcome).ConfigureAwait(false);
    }
}
