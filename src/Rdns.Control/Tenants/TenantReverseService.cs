using System.Security.Cryptography;
using Rdns.Addressing;
using Rdns.Control.Ptr;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Storage;

using Rdns.Zones.Writes;

namespace Rdns.Control.Tenants;

/// <summary>The PTR of a held address as the tenant sees it.</summary>
public sealed record ReverseView(string Address, string? Name, bool Custom, string Status, string? Detail, DateTimeOffset? SetAt, DateTimeOffset? CheckedAt);

/// <summary>A domain and how to prove it: publish <see cref="Token"/> as TXT at <see cref="ChallengeName"/>.</summary>
public sealed record DomainView(string Name, string ChallengeName, string Token, bool Verified, DateTimeOffset? VerifiedAt);

/// <summary>
/// Tenant PTRs: set only on held addresses and only after the name's forward records include the
/// address (forward-confirmed reverse DNS), or at once for names under a domain the tenant has
/// verified; reset back to the default; re-checked for drift.
/// </summary>
public sealed class TenantReverseService(ZoneService zones, TenantService tenants, IForwardResolver resolver, TenantOptions options, TimeProvider time)
{
    public const string Confirmed = "confirmed";
    public const string VerifiedDomain = "verified-domain";
    public const string Drifted = "drifted";
    public const string Unresolvable = "unresolvable";
    public const string Default = "default";

    /// <summary>Where a domain's proof is published (an underscore label: it names an attribute, not a host, RFC 8552).</summary>
    public const string ChallengeLabel = "_rdns-challenge";

    private IRdnsStore Store => zones.Store;

    public async Task<ReverseView> SetAsync(string tenantId, IpAddress address, string? name, AuditEntry audit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ControlException(ControlError.Invalid, "validation_failed", "name: required, the host name the address should point to", "name");
        if (!PtrTarget.TryNormalize(name, out var normalized, out var reason))
            throw new ControlException(ControlError.Invalid, "validation_failed", $"name: {reason}", "name");
        var allocation = await tenants.RequireHeldAsync(tenantId, address, cancellationToken).ConfigureAwait(false);
        var target = DnsName.Parse(normalized);
        var location = PtrLocator.Locate(zones.Served.Current, address);
        if (!location.Found)
            throw new ControlException(ControlError.Conflict, "address_not_served", $"{address}: {location.Detail}");

        string status;
        string detail;
        var domain = await VerifiedDomainOfAsync(tenantId, target, cancellationToken).ConfigureAwait(false);
        if (domain is not null)
        {
            status = VerifiedDomain;
            detail = $"accepted under verified domain {domain}";
        }
        else
        {
            var found = await resolver.AddressesAsync(target, cancellationToken).ConfigureAwait(false);
            if (found.Outcome != LookupOutcome.Found || !found.Addresses.Contains(address))
            {
                throw new ControlException(ControlError.Refused, "forward_check_failed",
                    $"{target} does not point back to {address}: {found.Explanation}", "name",
                    new Dictionary<string, object?>
                    {
                        ["found"] = found.Outcome switch
                        {
                            LookupOutcome.NxDomain => "nxdomain",
                            LookupOutcome.NoData => "no-address",
                            LookupOutcome.Found => "other-addresses",
                            _ => "resolver-failed",
                        },
                        ["addresses"] = found.Addresses.Select(a => a.ToString()).ToList(),
                    });
            }
            status = Confirmed;
            detail = $"{target} has {address}";
        }

        var now = time.GetUtcNow();
        var record = new CustomReverseRecord(address.ToString(), tenantId, allocation.Id, target.ToString(), status, detail, now, now);
        await zones.ChangeAsync(
            [new ZoneEdit(location.Zone!.Origin, [new RRsetChange(location.Owner, RecordType.PTR, options.PtrTtl, [target.Wire.ToArray()])])],
            [new PutCustomReverse(record)],
            audit with { Action = "reverse.set", Target = address.ToString(), Detail = $"{target} ({status})" },
            cancellationToken).ConfigureAwait(false);
        return View(record);
    }

    public async Task<ReverseView> GetAsync(string tenantId, IpAddress address, CancellationToken cancellationToken)
    {
        var allocation = await tenants.RequireHeldAsync(tenantId, address, cancellationToken).ConfigureAwait(false);
        var custom = await Store.GetCustomReverseAsync(address.ToString(), cancellationToken).ConfigureAwait(false);
        if (custom is not null && custom.AllocationId == allocation.Id)
            return View(custom);
        var name = tenants.Pools.DefaultName(address);
        return new ReverseView(address.ToString(), name, false, Default, name is null ? "the address is in no pool with default names" : null, null, null);
    }

    /// <summary>Back to the default name; idempotent.</summary>
    public async Task ResetAsync(string tenantId, IpAddress address, AuditEntry audit, CancellationToken cancellationToken)
    {
        var allocation = await tenants.RequireHeldAsync(tenantId, address, cancellationToken).ConfigureAwait(false);
        var custom = await Store.GetCustomReverseAsync(address.ToString(), cancellationToken).ConfigureAwait(false);
        if (custom is null || custom.AllocationId != allocation.Id)
            return;
        var location = PtrLocator.Locate(zones.Served.Current, address);
        var edits = location.Found
            ? new List<ZoneEdit> { new(location.Zone!.Origin, [new RRsetChange(location.Owner, RecordType.PTR, 0, [])]) }
            : [];
        await zones.ChangeAsync(edits, [new DeleteCustomReverse(address.ToString())],
            audit with { Action = "reverse.reset", Target = address.ToString() }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReverseView>> ListAsync(string tenantId, string? status, CancellationToken cancellationToken)
    {
        if (status is not null && status is not (Confirmed or VerifiedDomain or Drifted or Unresolvable))
            throw new ControlException(ControlError.Invalid, "validation_failed", $"status: one of {Confirmed}, {VerifiedDomain}, {Drifted}, {Unresolvable}", "status");
        var list = await Store.ListCustomReversesAsync(tenantId, status, null, cancellationToken).ConfigureAwait(false);
        return list.Select(View).ToList();
    }

    public async Task<DomainView> AddDomainAsync(string tenantId, string? name, AuditEntry audit, CancellationToken cancellationToken)
    {
        var domain = ParseDomain(name);
        var existing = await Store.GetDomainAsync(tenantId, domain.ToString(), cancellationToken).ConfigureAwait(false);
        if (existing is not null)
            return DomainViewOf(existing);
        var record = new DomainRecord(tenantId, domain.ToString(), "rdns-verify-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), time.GetUtcNow(), null);
        await Store.CommitAsync([], [new PutDomain(record)], audit with { Action = "domain.add", Target = record.Name }, cancellationToken).ConfigureAwait(false);
        return DomainViewOf(record);
    }

    public async Task<DomainView> VerifyDomainAsync(string tenantId, string? name, AuditEntry audit, CancellationToken cancellationToken)
    {
        var domain = ParseDomain(name);
        var record = await Store.GetDomainAsync(tenantId, domain.ToString(), cancellationToken).ConfigureAwait(false)
            ?? throw new ControlException(ControlError.NotFound, "domain_not_found", $"{domain} has not been added; POST /v1/domains first");
        if (record.VerifiedAt is not null)
            return DomainViewOf(record);
        var challenge = domain.Prepend(ChallengeLabel);
        var texts = await resolver.TextsAsync(challenge, cancellationToken).ConfigureAwait(false);
        if (texts.Outcome != LookupOutcome.Found || !texts.Texts.Contains(record.Token))
        {
            throw new ControlException(ControlError.Refused, "domain_not_verified",
                $"TXT {challenge} does not hold the token: {texts.Explanation}", "name",
                new Dictionary<string, object?> { ["found"] = texts.Texts.ToList(), ["expected"] = record.Token });
        }
        var verified = record with { VerifiedAt = time.GetUtcNow() };
        await Store.CommitAsync([], [new PutDomain(verified)], audit with { Action = "domain.verify", Target = verified.Name }, cancellationToken).ConfigureAwait(false);
        return DomainViewOf(verified);
    }

    public async Task<IReadOnlyList<DomainView>> ListDomainsAsync(string tenantId, CancellationToken cancellationToken) =>
        (await Store.ListDomainsAsync(tenantId, cancellationToken).ConfigureAwait(false)).Select(DomainViewOf).ToList();

    /// <summary>
    /// Re-checks every custom PTR's forward records and records the outcome with its time:
    /// confirmed, drifted (the name no longer points back) or unresolvable (no answer could be had).
    /// </summary>
    public async Task<(int Checked, int Changed)> RecheckAllAsync(CancellationToken cancellationToken)
    {
        var all = await Store.ListCustomReversesAsync(null, null, null, cancellationToken).ConfigureAwait(false);
        int changed = 0;
        foreach (var r in all)
        {
            var address = IpAddress.Parse(r.Address);
            var found = await resolver.AddressesAsync(DnsName.Parse(r.Name), cancellationToken).ConfigureAwait(false);
            var (status, detail) = found.Outcome switch
            {
                LookupOutcome.Found when found.Addresses.Contains(address) => (Confirmed, $"{r.Name} has {address}"),
                LookupOutcome.Failed => (Unresolvable, found.Explanation),
                _ => (Drifted, found.Explanation),
            };
            if (status != r.Status)
                changed++;
            await Store.CommitAsync([], [new UpdateReverseStatus(r.Address, r.Name, status, detail, time.GetUtcNow())],
                new AuditEntry("system", "reverse.recheck", r.Address, $"{r.Name}: {status}"), cancellationToken).ConfigureAwait(false);
        }
        return (all.Count, changed);
    }

    private async Task<DnsName?> VerifiedDomainOfAsync(string tenantId, DnsName target, CancellationToken cancellationToken)
    {
        foreach (var d in await Store.ListDomainsAsync(tenantId, cancellationToken).ConfigureAwait(false))
        {
            if (d.VerifiedAt is null)
                continue;
            var domain = DnsName.Parse(d.Name);
            if (target.IsSubdomainOf(domain))
                return domain;
        }
        return null;
    }

    private static DnsName ParseDomain(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ControlException(ControlError.Invalid, "validation_failed", "name: required, e.g. example.com", "name");
        if (!PtrTarget.TryNormalize(name, out var normalized, out var reason))
            throw new ControlException(ControlError.Invalid, "validation_failed", $"name: {reason}", "name");
        return DnsName.Parse(normalized);
    }

    private static DomainView DomainViewOf(DomainRecord d) =>
        new(d.Name, DnsName.Parse(d.Name).Prepend(ChallengeLabel).ToString(), d.Token, d.VerifiedAt is not null, d.VerifiedAt);

    private static ReverseView View(CustomReverseRecord r) => new(r.Address, r.Name, true, r.Status, r.Detail, r.SetAt, r.CheckedAt);
}
