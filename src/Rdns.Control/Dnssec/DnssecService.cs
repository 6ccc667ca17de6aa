using Microsoft.Extensions.Logging;
using Rdns.Control.Zones;
using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Dnssec;
using Rdns.Zones.Writes;

namespace Rdns.Control.Dnssec;

/// <summary>
/// Operators' DNSSEC operations and the key lifecycle, all through the one write path: enabling a
/// zone makes its keys and publishes DNSKEY, CDS and CDNSKEY with the signer in one commit; every
/// rollover step is a commit of key rows and those records (the serial moves, so secondaries
/// transfer the zone again); a parent hosted here gets the child's DS as soon as CDS asks for it.
/// </summary>
public sealed partial class DnssecService(IRdnsStore store, IZoneWriter writer, ServedZones zones, DnssecKeyring keyring, DnssecOptions options,
    TimeProvider time, ILogger<DnssecService> logger)
{
    private readonly Dictionary<DnsName, (uint Serial, DateTimeOffset Since)> _serials = [];

    public DnssecOptions Options => options;

    public async Task<DnssecStatus> EnableAsync(DnsName zone, int? algorithm, string? keys, string? denial, WriteAudit audit, CancellationToken cancellationToken = default)
    {
        var snapshot = zones.Current.Get(zone) ?? throw new ZoneNotFoundException(zone);
        zone = snapshot.Origin;
        int alg = algorithm ?? options.Algorithm;
        if (!DnssecAlgorithms.IsSupported(alg))
            throw new WriteException(WriteError.Invalid, "validation_failed", $"algorithm {alg} is not supported; use 13 (ECDSA P-256/SHA-256) or 15 (Ed25519)", "algorithm");
        string mode = keys ?? options.Keys;
        if (mode is not ("csk" or "ksk-zsk"))
            throw new WriteException(WriteError.Invalid, "validation_failed", $"keys '{mode}' is neither 'csk' (one combined key) nor 'ksk-zsk'", "keys");
        string how = denial ?? options.Denial;
        if (how is not ("compact" or "nsec"))
            throw new WriteException(WriteError.Invalid, "validation_failed", $"denial '{how}' is neither 'compact' (RFC 9824) nor 'nsec' (RFC 4470)", "denial");
        string key = DnssecKeyring.ZoneKeyOf(zone);
        var existing = (await store.GetDnssecZonesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Zone == key);
        if (existing is not null)
        {
            if (existing.Algorithm == alg && existing.SplitKeys == (mode == "ksk-zsk") && existing.Denial == how)
                return (await GetAsync(zone, cancellationToken).ConfigureAwait(false))!;
            throw new WriteException(WriteError.Conflict, "dnssec_enabled",
                $"{zone} is signed already (algorithm {existing.Algorithm}, {(existing.SplitKeys ? "ksk-zsk" : "csk")}, {existing.Denial}); roll its keys or disable signing first");
        }
        if (snapshot.Nodes.Any(n => n.Sets.Any(s => s.Type is RecordType.RRSIG or RecordType.NSEC or RecordType.NSEC3 or RecordType.NSEC3PARAM)))
            throw new WriteException(WriteError.Conflict, "zone_presigned", $"{zone} holds RRSIG or NSEC records of its own (a presigned zone); remove them before signing it online");

        var now = time.GetUtcNow();
        var policy = new DnssecZoneRecord(key, alg, mode == "ksk-zsk", how, now);
        var created = new List<DnssecKeyRecord>();
        if (policy.SplitKeys)
        {
            created.Add(keyring.Create(zone, (DnssecAlgorithm)alg, KeyStates.Ksk, KeyStates.Active, KeyStates.DsSubmitted, now));
            created.Add(keyring.Create(zone, (DnssecAlgorithm)alg, KeyStates.Zsk, KeyStates.Active, KeyStates.DsNone, now));
        }
        else
        {
            created.Add(keyring.Create(zone, (DnssecAlgorithm)alg, KeyStates.Csk, KeyStates.Active, KeyStates.DsSubmitted, now));
        }
        var writes = new List<DnssecWrite> { new PutDnssecZone(policy) };
        writes.AddRange(created.Select(k => new PutDnssecKey(k)));
        await PublishAsync(zone, policy, created, writes, audit, cancellationToken).ConfigureAwait(false);
        LogEnabled(logger, zone.ToString(), alg, mode, how);
        await SyncParentAsync(zone, policy, created, cancellationToken).ConfigureAwait(false);
        return (await GetAsync(zone, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The zone's DNSSEC state; null when the zone is not hosted, a status with Enabled false when it is not signed.</summary>
    public async Task<DnssecStatus?> GetAsync(DnsName zone, CancellationToken cancellationToken = default)
    {
        var snapshot = zones.Current.Get(zone);
        if (snapshot is null)
            return null;
        zone = snapshot.Origin;
        string key = DnssecKeyring.ZoneKeyOf(zone);
        var policy = (await store.GetDnssecZonesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Zone == key);
        if (policy is null)
            return new DnssecStatus(zone.ToString(), false, 0, "", "", [], [], "none");
        var keys = await store.GetDnssecKeysAsync(key, cancellationToken).ConfigureAwait(false);
        return Status(zone, policy, keys);
    }

    private static DnssecStatus Status(DnsName zone, DnssecZoneRecord policy, IReadOnlyList<DnssecKeyRecord> keys)
    {
        var list = keys.Select(k => new DnssecKeyStatus(DnsKey.KeyTag(k.DnsKey), k.Role, k.Algorithm, k.Flags, k.State, k.StateSince, k.DsState, k.DsSince,
            $"{zone} IN DNSKEY {DnsKey.ToText(k.DnsKey)}", k.Role == KeyStates.Zsk ? null : $"{zone} IN DS {DelegationSigner.ToText(DelegationSigner.Rdata(zone, k.DnsKey))}")).ToList();
        var ds = keys.Where(k => KeyStates.WantsDs(k.DsState)).Select(k => $"{zone} IN DS {DelegationSigner.ToText(DelegationSigner.Rdata(zone, k.DnsKey))}").ToList();
        string rollover = keys.Any(k => k.Role == KeyStates.Zsk && k.State != KeyStates.Active) ? KeyStates.Zsk
            : keys.Count(k => k.Role != KeyStates.Zsk && k.State == KeyStates.Active) > 1 ? (policy.SplitKeys ? KeyStates.Ksk : KeyStates.Csk)
            : "none";
        return new DnssecStatus(zone.ToString(), true, policy.Algorithm, policy.SplitKeys ? "ksk-zsk" : "csk", policy.Denial, list, ds, rollover);
    }

    /// <summary>Starts a rollover of <paramref name="which"/> ("zsk", "ksk" or "csk") now.</summary>
    public async Task<DnssecStatus> RolloverAsync(DnsName zone, string which, WriteAudit audit, CancellationToken cancellationToken = default)
    {
        var (origin, policy, keys) = await SignedAsync(zone, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var change = KeyRollover.Start(policy, keys, which, (role, state, ds) => keyring.Create(origin, (DnssecAlgorithm)policy.Algorithm, role, state, ds, now), out var refusal);
        if (refusal is not null)
            throw new WriteException(WriteError.Conflict, "rollover_refused", refusal, "key");
        await PublishAsync(origin, policy, change.Keys, change.Writes, audit with { Detail = string.Join("; ", change.Steps) }, cancellationToken).ConfigureAwait(false);
        foreach (var step in change.Steps)
            LogStep(logger, origin.ToString(), step);
        return Status(origin, policy, change.Keys);
    }

    /// <summary>The operator confirms that the parent publishes the DS of every submitted key.</summary>
    public async Task<DnssecStatus> DsSeenAsync(DnsName zone, WriteAudit audit, CancellationToken cancellationToken = default)
    {
        var (origin, policy, keys) = await SignedAsync(zone, cancellationToken).ConfigureAwait(false);
        var change = KeyRollover.DsSeen(keys, time.GetUtcNow());
        if (change is null)
            return Status(origin, policy, keys);
        await PublishAsync(origin, policy, change.Keys, change.Writes, audit with { Detail = string.Join("; ", change.Steps) }, cancellationToken).ConfigureAwait(false);
        return Status(origin, policy, change.Keys);
    }

    /// <summary>Stops signing: keys and DNSKEY, CDS, CDNSKEY go at once (remove the DS at the parent first, or the zone turns bogus).</summary>
    public async Task DisableAsync(DnsName zone, WriteAudit audit, CancellationToken cancellationToken = default)
    {
        var (origin, _, _) = await SignedAsync(zone, cancellationToken).ConfigureAwait(false);
        await PublishAsync(origin, null, [], [new DeleteDnssecZone(DnssecKeyring.ZoneKeyOf(origin))], audit, cancellationToken).ConfigureAwait(false);
        await SyncParentAsync(origin, null, [], cancellationToken).ConfigureAwait(false);
    }

    private async Task<(DnsName Zone, DnssecZoneRecord Policy, IReadOnlyList<DnssecKeyRecord> Keys)> SignedAsync(DnsName zone, CancellationToken cancellationToken)
    {
        var snapshot = zones.Current.Get(zone) ?? throw new ZoneNotFoundException(zone);
        string key = DnssecKeyring.ZoneKeyOf(snapshot.Origin);
        var policy = (await store.GetDnssecZonesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Zone == key)
            ?? throw new WriteException(WriteError.NotFound, "dnssec_not_enabled", $"{snapshot.Origin} is not signed; enable it with POST /v1/zones/{{name}}/dnssec");
        return (snapshot.Origin, policy, await store.GetDnssecKeysAsync(key, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// One commit: the key rows, the apex's DNSKEY, CDS and CDNSKEY as <paramref name="keys"/> make
    /// them, a new serial, and the zone's new signer, published with the records in one swap.
    /// </summary>
    private async Task PublishAsync(DnsName zone, DnssecZoneRecord? policy, IReadOnlyList<DnssecKeyRecord> keys, IReadOnlyList<DnssecWrite> writes,
        WriteAudit audit, CancellationToken cancellationToken)
    {
        var signer = policy is null ? null : keyring.Build(policy, keys);
        var edit = new ZoneEdit(zone, []) { Decide = current => KeyRecords(current, keys, bumpSerial: true) };
        var write = new ZoneWrite([edit], audit)
        {
            Attachment = new DnssecAttachment(writes),
            EnforcePolicy = false,
            Signers = [new SignerChange(zone, signer)],
        };
        await writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The apex's DNSKEY (every key), CDS and CDNSKEY (keys whose DS the parent should have) RRsets, at the SOA's TTL, and optionally a new serial.</summary>
    internal static IReadOnlyList<RecordEdit> KeyRecords(ZoneSnapshot zone, IReadOnlyList<DnssecKeyRecord> keys, bool bumpSerial)
    {
        var apex = zone.Origin;
        uint ttl = zone.Soa.Ttl;
        var wanted = keys.Where(k => KeyStates.WantsDs(k.DsState)).ToList();
        var edits = new List<RecordEdit>
        {
            new RRsetChange(apex, RecordType.DNSKEY, ttl, keys.Select(k => k.DnsKey).ToList()),
            new RRsetChange(apex, RecordType.CDS, ttl, wanted.Select(k => DelegationSigner.Rdata(apex, k.DnsKey)).ToList()),
            new RRsetChange(apex, RecordType.CDNSKEY, ttl, wanted.Select(k => k.DnsKey).ToList()),
        };
        if (bumpSerial)
            edits.Add(new AddRecord(apex, RecordType.SOA, zone.Soa.Ttl, zone.Soa.Data[0]));
        return edits;
    }

    /// <summary>
    /// When the parent zone is hosted here and delegates to <paramref name="zone"/>, its DS RRset is
    /// made what the child's CDS asks for (RFC 7344 §4 acted on by the parent's own operator), and the
    /// submitted keys count as seen from now.
    /// </summary>
    private async Task SyncParentAsync(DnsName zone, DnssecZoneRecord? policy, IReadOnlyList<DnssecKeyRecord> keys, CancellationToken cancellationToken)
    {
        var cut = HostedCut(zone, out var parent);
        if (cut is null || parent is null)
            return;
        var desired = keys.Where(k => KeyStates.WantsDs(k.DsState)).Select(k => DelegationSigner.Rdata(zone, k.DnsKey)).ToList();
        var current = cut.Find(RecordType.DS);
        bool same = (current?.Data.Length ?? 0) == desired.Count && desired.All(d => current!.Data.Any(c => c.AsSpan().SequenceEqual(d)));
        var seen = KeyRollover.DsSeen(keys, time.GetUtcNow());
        if (same && seen is null)
            return;
        var edits = new List<ZoneEdit>();
        if (!same)
            edits.Add(new ZoneEdit(parent.Origin, [new RRsetChange(zone, RecordType.DS, cut.Ns!.Ttl, desired)]));
        var write = new ZoneWrite(edits, new WriteAudit("dnssec", "dnssec.parent-ds", zone.ToString(), $"DS at {parent.Origin} set to {desired.Count} record(s)"))
        {
            EnforcePolicy = false,
            Attachment = seen is null ? null : new DnssecAttachment(seen.Writes),
        };
        await writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        LogParentDs(logger, zone.ToString(), parent.Origin.ToString(), desired.Count);
        _ = policy;
    }

    /// <summary>The node of the delegation to <paramref name="zone"/> in a hosted parent zone, if there is one.</summary>
    private ZoneNode? HostedCut(DnsName zone, out ZoneSnapshot? parent)
    {
        parent = null;
        if (zone.IsRoot)
            return null;
        parent = zones.Current.FindZone(zone.Parent().Wire);
        var cut = parent?.Find(zone.Wire);
        return cut?.Ns is not null && ReferenceEquals(cut.Cut, cut) ? cut : null;
    }

    /// <summary>
    /// One pass over every signed zone: the rollover step that is due, DNSKEY/CDS/CDNSKEY restored
    /// if something replaced them (an import), a hosted parent's DS brought in line, and a new
    /// serial when the zone has not changed for <see cref="DnssecOptions.SignatureRefresh"/>, so
    /// secondaries fetch fresh signatures before theirs expire.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        var policies = await store.GetDnssecZonesAsync(cancellationToken).ConfigureAwait(false);
        var allKeys = (await store.GetDnssecKeysAsync(null, cancellationToken).ConfigureAwait(false)).ToLookup(k => k.Zone);
        foreach (var policy in policies)
        {
            var zone = DnsName.Parse(policy.Zone);
            try
            {
                await TickZoneAsync(zone, policy, allKeys[policy.Zone].ToList(), cancellationToken).ConfigureAwait(false);
            }
            catch (StoreConflictException e)
            {
                // Another node took the step first; its commit reaches us and the next pass goes on from there.
                LogRaced(logger, zone.ToString(), e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(logger, zone.ToString(), e);
            }
        }
    }

    private async Task TickZoneAsync(DnsName zone, DnssecZoneRecord policy, IReadOnlyList<DnssecKeyRecord> keys, CancellationToken cancellationToken)
    {
        var snapshot = zones.Current.Get(zone);
        if (snapshot is null)
            return;
        var now = time.GetUtcNow();
        var cut = HostedCut(zone, out _);
        var timings = new RolloverTimings(TimeSpan.FromSeconds(snapshot.Soa.Ttl), () => MaxTtl(snapshot),
            cut?.Ns is { } ns ? TimeSpan.FromSeconds(ns.Ttl) : options.ParentDsTtl);
        var change = KeyRollover.Plan(policy, keys, timings, options, now,
            (role, state, ds) => keyring.Create(zone, (DnssecAlgorithm)policy.Algorithm, role, state, ds, now));
        if (change is not null)
        {
            await PublishAsync(zone, policy, change.Keys, change.Writes,
                new WriteAudit("dnssec", "dnssec.rollover", zone.ToString(), string.Join("; ", change.Steps)), cancellationToken).ConfigureAwait(false);
            foreach (var step in change.Steps)
                LogStep(logger, zone.ToString(), step);
            keys = change.Keys;
        }
        else if (KeyRecords(snapshot, keys, bumpSerial: false) is var expected && !Matches(snapshot, expected))
        {
            await PublishAsync(zone, policy, keys, [], new WriteAudit("dnssec", "dnssec.restore", zone.ToString(), "DNSKEY, CDS and CDNSKEY restored from the keys"), cancellationToken).ConfigureAwait(false);
            LogRestored(logger, zone.ToString());
        }
        else if (zones.Current.SignerOf(snapshot) is null)
        {
            await keyring.ReloadAsync(zone, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Signatures a secondary holds are as old as its last transfer: move the serial now and then.
            if (!_serials.TryGetValue(zone, out var seen) || seen.Serial != snapshot.Serial)
                _serials[zone] = (snapshot.Serial, now);
            else if (now - seen.Since >= options.SignatureRefresh)
            {
                await writer.WriteAsync(new ZoneWrite([new ZoneEdit(zone, [new AddRecord(zone, RecordType.SOA, snapshot.Soa.Ttl, snapshot.Soa.Data[0])])],
                    new WriteAudit("dnssec", "dnssec.resign", zone.ToString(), "serial moved so secondaries fetch fresh signatures")) { EnforcePolicy = false },
                    cancellationToken).ConfigureAwait(false);
            }
        }
        await SyncParentAsync(zone, policy, keys, cancellationToken).ConfigureAwait(false);
    }

    private static bool Matches(ZoneSnapshot zone, IReadOnlyList<RecordEdit> expected)
    {
        foreach (var edit in expected.OfType<RRsetChange>())
        {
            var have = zone.GetRRset(edit.Owner.Wire, edit.Type);
            int count = have?.Data.Length ?? 0;
            if (count != edit.Data.Count || (count > 0 && (have!.Ttl != edit.Ttl || !edit.Data.All(d => have.Data.Any(h => h.AsSpan().SequenceEqual(d))))))
                return false;
        }
        return true;
    }

    /// <summary>The largest TTL an answer from the zone can carry: its records, the negative TTL, and the default names of pools in it.</summary>
    private TimeSpan MaxTtl(ZoneSnapshot zone)
    {
        uint max = Math.Max(zone.Soa.Ttl, zone.NegativeTtl);
        foreach (var node in zone.Nodes)
        {
            foreach (var set in node.Sets)
                max = Math.Max(max, set.Ttl);
        }
        foreach (var (_, ttl, _) in zone.CompactRecords())
            max = Math.Max(max, ttl);
        foreach (var pool in zones.Current.Defaults.Pools)
            max = Math.Max(max, pool.Ttl);
        return TimeSpan.FromSeconds(max);
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Zone {Zone} is signed: algorithm {Algorithm}, keys {Keys}, denial {Denial}")]
    private static partial void LogEnabled(ILogger logger, string zone, int algorithm, string keys, string denial);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Zone {Zone}: {Step}")]
    private static partial void LogStep(ILogger logger, string zone, string step);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Zone {Zone}: DS in the hosted parent {Parent} set to {Count} record(s)")]
    private static partial void LogParentDs(ILogger logger, string zone, string parent, int count);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "Zone {Zone}: DNSKEY, CDS and CDNSKEY did not match the keys and were restored")]
    private static partial void LogRestored(ILogger logger, string zone);

    [LoggerMessage(EventId = 705, Level = LogLevel.Debug, Message = "Zone {Zone}: another node took the key step first ({Reason})")]
    private static partial void LogRaced(ILogger logger, string zone, string reason);

    [LoggerMessage(EventId = 706, Level = LogLevel.Error, Message = "Zone {Zone}: the DNSSEC key check failed; will retry")]
    private static partial void LogTickFailed(ILogger logger, string zone, Exception exception);
}
