using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Rdns.Addressing;
using Rdns.Api.Audit;
using Rdns.Api.Auth;
using Rdns.Control.Tenants;
using Rdns.Storage;

namespace Rdns.Api.Console;

/// <summary>The operator's keys page, the audit log (filtered and paged by the store) and the classless-delegation planner.</summary>
public static class OperatorToolPages
{
    /// <summary>Rows on one page of the audit log.</summary>
    public const int AuditPageSize = 50;

    public static void Map(RouteGroupBuilder operators)
    {
        operators.MapGet("/keys", KeysAsync);
        operators.MapPost("/keys", CreateKeyAsync);
        operators.MapPost("/keys/revoke", RevokeKeyAsync);
        operators.MapGet("/audit", AuditAsync);
        operators.MapGet("/delegate", Delegate);
    }

    private static string Who(HttpContext context) => $"operator {ConsoleAuth.Caller(context).KeyId}";

    private static async Task<IResult> RenderKeysAsync(HttpContext context, IKeyStore keys, IRdnsStore store, string? tenant, FormOutcome outcome, string? secret = null)
    {
        tenant = string.IsNullOrEmpty(tenant) ? null : tenant;
        var list = await keys.ListKeysAsync(tenant is null ? ApiKeys.AdminRole : ApiKeys.TenantRole, tenant, context.RequestAborted).ConfigureAwait(false);
        return new RazorComponentResult<KeysPage>(new Dictionary<string, object?>
        {
            ["Who"] = Who(context),
            ["Operator"] = true,
            ["Action"] = "/console/keys",
            ["Current"] = ConsoleAuth.Caller(context).KeyId,
            ["Tenant"] = tenant,
            ["Tenants"] = await store.ListTenantsAsync(context.RequestAborted).ConfigureAwait(false),
            ["Keys"] = list,
            ["Secret"] = secret,
            ["Error"] = outcome.Error,
            ["Done"] = outcome.Done,
        })
        { StatusCode = outcome.Status };
    }

    private static Task<IResult> KeysAsync(HttpContext context, IKeyStore keys, IRdnsStore store, string? tenant) =>
        RenderKeysAsync(context, keys, store, tenant, FormOutcome.None);

    private static async Task<IResult> CreateKeyAsync(HttpContext context, IKeyStore keys, IRdnsStore store, TenantService tenants, TimeProvider time,
        [FromForm] string? label, [FromForm] string? tenant)
    {
        string? secret = null;
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            bool forTenant = !string.IsNullOrEmpty(tenant);
            if (forTenant)
                await tenants.GetTenantAsync(tenant!, context.RequestAborted).ConfigureAwait(false);
            var (id, key) = await ApiKeyIssuer.IssueAsync(keys, time, forTenant ? ApiKeys.TenantRole : ApiKeys.AdminRole, forTenant ? tenant : null,
                string.IsNullOrWhiteSpace(label) ? null : label.Trim(), context.Audit("key.create", "-"), context.RequestAborted).ConfigureAwait(false);
            secret = key;
            return $"Key {id} created. Copy it now: it is shown this once.";
        }).ConfigureAwait(false);
        return await RenderKeysAsync(context, keys, store, tenant, outcome, secret).ConfigureAwait(false);
    }

    private static async Task<IResult> RevokeKeyAsync(HttpContext context, IKeyStore keys, IRdnsStore store, ApiKeyCache cache,
        [FromForm] string? id, [FromForm] string? tenant)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            bool forTenant = !string.IsNullOrEmpty(tenant);
            await ApiKeyIssuer.RevokeAsync(keys, cache, id ?? "", forTenant ? ApiKeys.TenantRole : ApiKeys.AdminRole, forTenant ? tenant : null,
                context.Audit("key.revoke", id ?? "-"), context.RequestAborted).ConfigureAwait(false);
            return $"Key {id} revoked.";
        }).ConfigureAwait(false);
        return await RenderKeysAsync(context, keys, store, tenant, outcome).ConfigureAwait(false);
    }

    /// <summary>The audit log with the API's filters (zone, tenant, ip, action), answered by the store, newest first, a page at a time.</summary>
    private static async Task<IResult> AuditAsync(HttpContext context, IRdnsStore store,
        string? zone, string? tenant, string? ip, string? action, string? after)
    {
        List<AuditView> rows = [];
        string? next = null;
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            var query = AuditFilter.Parse(zone, tenant, ip, action);
            (rows, next) = await AuditEndpoints.ReadPageAsync(store, query, AuditPageSize, string.IsNullOrEmpty(after) ? null : after, context.RequestAborted).ConfigureAwait(false);
            return "";
        }).ConfigureAwait(false);
        string? nextLink = null;
        if (next is not null)
        {
            var q = new List<string>();
            foreach (var (k, v) in new[] { ("zone", zone), ("tenant", tenant), ("ip", ip), ("action", action), ("after", next) })
            {
                if (!string.IsNullOrEmpty(v))
                    q.Add($"{k}={Uri.EscapeDataString(v)}");
            }
            nextLink = "/console/audit?" + string.Join("&", q);
        }
        return new RazorComponentResult<AuditPage>(new Dictionary<string, object?>
        {
            ["Who"] = Who(context),
            ["Rows"] = rows,
            ["Zone"] = zone,
            ["Tenant"] = tenant,
            ["Ip"] = ip,
            ["Action"] = action,
            ["Next"] = nextLink,
            ["Paged"] = !string.IsNullOrEmpty(after),
            ["Error"] = outcome.Error,
        })
        { StatusCode = outcome.Status };
    }

    /// <summary>
    /// <c>rdns delegate</c> as a form: the parent's NS and CNAME records and the child zone's
    /// skeleton for an RFC 2317 delegation, from the same <see cref="ClasslessDelegation"/>.
    /// </summary>
    private static IResult Delegate(HttpContext context, string? prefix, string? ns, string? style, string? ttl, string? contact)
    {
        string? error = null;
        ClasslessDelegation? delegation = null;
        if (!string.IsNullOrWhiteSpace(prefix))
        {
            var nameServers = (ns ?? "").Split(['\n', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            int ttlValue = DelegationOptions.Default.Ttl;
            if (!IpPrefix.TryParse(prefix.Trim(), out var parsed, out var prefixError))
                error = $"prefix: {prefixError}";
            else if (!string.IsNullOrWhiteSpace(ttl) && !int.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out ttlValue))
                error = "ttl: a whole number of seconds, 0-2147483647";
            else
            {
                var options = new DelegationOptions
                {
                    Ttl = ttlValue,
                    Serial = uint.Parse(DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "01", CultureInfo.InvariantCulture),
                    Contact = string.IsNullOrWhiteSpace(contact) ? null : contact.Trim(),
                };
                var chosen = style == "slash" ? ClasslessStyle.Slash : ClasslessStyle.Dash;
                if (!ClasslessDelegation.TryCreate(parsed, nameServers, chosen, options, out delegation, out var delegationError))
                    error = delegationError;
            }
        }
        return new RazorComponentResult<DelegatePage>(new Dictionary<string, object?>
        {
            ["Who"] = Who(context),
            ["Prefix"] = prefix,
            ["Ns"] = ns,
            ["Style"] = style,
            ["Ttl"] = ttl,
            ["Contact"] = contact,
            ["Delegation"] = delegation,
            ["Error"] = error,
        })
        { StatusCode = error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest };
    }
}
