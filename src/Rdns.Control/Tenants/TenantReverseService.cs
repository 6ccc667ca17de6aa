using System.Security.Cryptography;
using Rdns.Addressing;
using Rdns.Control.Ptr;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;

using Rdns.Zones.Writes;

namespace Rdns.Control.Tenants;

/// <summary>The PTR of a held address as the tenant sees it.</summary>
public sealed record ReverseView(string Address, string? Name, bool Custom, string Status, string? Detail, DateTimeOffset? SetAt, DateTimeOffset? CheckedAt)
{
    /// <summary>The view the PTR lives in: null for the public one, else one of the tenant's own views (a private address's PTR).</summary>
    public string? View { get; init; }
}

/// <summary>A domain and how to prove it: publish <see cref="Token"/> as TXT at <see cref="ChallengeName"/>.</summary>
public sealed record DomainView(string Name, string ChallengeName, string Token, bool Verified, DateTimeOffset? VerifiedAt);

/// <summary>
/// Tenant PTRs: set only on held addresses and only after the name's forward records include the
/// address (forward-confirmed reverse DNS), or at once for names under a domain the tenant has
/// verified; reset back to the default; re-checked for drift.
/// </summary>
public sealed partial class TenantReverseService(ZoneService zones, TenantService tenants, IForwardResolver resolver, TenantOptions options, TimeProvider time)
{
    public const string Confirmed = "confirmed";
    public const string VerifiedDomain = "verified-domain";
    public const string Drifted = "drifted";
    public const string Unresolvable = "unresolvable";
    public const string Default = "default";

    /// <summary>The address's PTR was set by the operator (PUT /v1/ptr), not through the tenant API.</summary>
    public const string OperatorSet = "operator-set";

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

        var (status, detail) = await CheckNameAsync(tenantId, address, target, cancellationToken).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var before = CurrentName(address);
        var record = new CustomReverseRecord(address.ToString(), tenantId, allocation.Id, target.ToString(), status, detail, now, now);
        try
        {
            await zones.ChangeAsync(
                [new ZoneEdit(location.Zone!.Origin, [new RRsetChange(location.Owner, RecordType.PTR, options.PtrTtl, [target.Wire.ToArray()])])],
                [new PutCustomReverse(record)],
                audit with { Action = "reverse.set", Target = address.ToString(), Detail = $"{target} ({status})", Before = before, After = target.ToString() },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AllocationReleasedException)
        {
            // The operator released the allocation while the forward check ran; the store refused
            // the PTR in the same transaction, so nothing of it was written.
            throw new ControlException(ControlError.Conflict, "allocation_released",
                $"{address}: allocation {allocation.Id} was released while {target} was being checked; nothing was changed");
        }
        return View(record);
    }

    /// <summary>
    /// The tenant's PTR policy for one name: accepted at once under a verified domain, else only
    /// when the name's A/AAAA include the address (forward-confirmed). Returns the status and its
    /// detail; throws <c>forward_check_failed</c> otherwise. Used by the API and by tenants' DNS UPDATE keys alike.
    /// </summary>
    public async Task<(string Status, string Detail)> CheckNameAsync(string tenantId, IpAddress address, DnsName target, CancellationToken cancellationToken)
    {
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

        return (status, detail);
    }

    /// <summary>
    /// What DNS answers for a held address, with the tenant's check status when the PTR is the
    /// tenant's. The zone's PTR is the truth: a PTR the operator set shows as <see cref="OperatorSet"/>,
    /// and no PTR means the default name.
    /// </summary>
    public async Task<ReverseView> GetAsync(string tenantId, IpAddress address, CancellationToken cancellationToken)
    {
        var allocation = await tenants.RequireHeldAsync(tenantId, address, cancellationToken).ConfigureAwait(false);
        var custom = await Store.GetCustomReverseAsync(address.ToString(), cancellationToken).ConfigureAwait(false);
        return ViewOf(address, custom is not null && custom.AllocationId == allocation.Id ? custom : null);
    }

    /// <summary>Back to the default name, whoever set the PTR; idempotent.</summary>
    public async Task ResetAsync(string tenantId, IpAddress address, AuditEntry audit, CancellationToken cancellationToken)
    {
        await tenants.RequireHeldAsync(tenantId, address, cancellationToken).ConfigureAwait(false);
        var custom = await Store.GetCustomReverseAsync(address.ToString(), cancellationToken).ConfigureAwait(false);
        var location = PtrLocator.Locate(zones.Served.Current, address);
        bool hasPtr = location.Found && location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR) is not null;
        if (!hasPtr && custom is null)
            return;
        var edits = hasPtr
            ? new List<ZoneEdit> { new(location.Zone!.Origin, [new RRsetChange(location.Owner, RecordType.PTR, 0, [])]) }
            : [];
        TenantWrite[] writes = custom is null ? [] : [new DeleteCustomReverse(address.ToString())];
        await zones.ChangeAsync(edits, writes, audit with { Action = "reverse.reset", Target = address.ToString(), Before = CurrentName(address), After = tenants.Pools.DefaultName(address) },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReverseView>> ListAsync(string tenantId, string? status, CancellationToken cancellationToken)
    {
        RequireStatus(status);
        var list = await Store.ListCustomReversesAsync(tenantId, null, null, cancellationToken).ConfigureAwait(false);
        // Each as DNS answers it now; a row whose PTR has since gone is no longer a custom PTR.
        return list.Select(r => ViewOf(IpAddress.Parse(r.Address), r))
            .Where(v => v.Custom && (status is null || v.Status == status))
            .ToList();
    }

    /// <summary>A listing's status filter: one the listing can show (<c>unchecked</c> is a view's PTR whose name the view hosts no zone for).</summary>
    public static void RequireStatus(string? status)
    {
        if (status is not null && status is not (Confirmed or VerifiedDomain or Drifted or Unresolvable or OperatorSet or Views.ViewForwardCheck.Unchecked))
        {
            throw new ControlException(ControlError.Invalid, "validation_failed",
                $"status: one of {Confirmed}, {VerifiedDomain}, {Drifted}, {Unresolvable}, {OperatorSet}, {Views.ViewForwardCheck.Unchecked}", "status");
        }
    }

    /// <summary>The name an address answers now (its PTR, else its default name), for the audit row's "before".</summary>
    private string? CurrentName(IpAddress address)
    {
        var location = PtrLocator.Locate(zones.Served.Current, address);
        var set = location.Found ? location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR) : null;
        return set is null ? tenants.Pools.DefaultName(address) : Rdata.ReadName(set.Data[0]).ToString();
    }

    /// <summary>The view of an address from the zone's PTR, annotated by the tenant's row when it is the same name.</summary>
    private ReverseView ViewOf(IpAddress address, CustomReverseRecord? custom)
    {
        var location = PtrLocator.Locate(zones.Served.Current, address);
        var set = location.Found ? location.Zone!.GetRRset(location.Owner.Wire, RecordType.PTR) : null;
        if (set is null)
        {
            var name = tenants.Pools.DefaultName(address);
            return new ReverseView(address.ToString(), name, false, Default, name is null ? "the address is in no pool with default names" : null, null, null);
        }
        var ptr = Rdata.ReadName(set.Data[0]);
        if (custom is not null && DnsName.Parse(custom.Name).Equals(ptr))
            return View(custom);
        return new ReverseView(address.ToString(), ptr.ToString(), true, OperatorSet, "set by the operator, not through the tenant API", custom?.SetAt, null);
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
        // A name the operator set is the operator's to keep right, not the tenant's.
        var all = (await Store.ListCustomReversesAsync(null, null, null, cancellationToken).ConfigureAwait(false))
            .Where(r => r.Status != OperatorSet).ToList();
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
            // A name under a domain the tenant still holds verified was accepted for that, not for
            // its forward records: it stays accepted while the domain does.
            if (status != Confirmed && r.Status == VerifiedDomain
                && await VerifiedDomainOfAsync(r.TenantId, DnsName.Parse(r.Name), cancellationToken).ConfigureAwait(false) is { } domain)
                (status, detail) = (VerifiedDomain, $"accepted under verified domain {domain}");
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
