using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Control.Zones;

/// <summary>The zone a request named is not hosted here.</summary>
public sealed class ZoneNotFoundException(DnsName zone) : WriteException(WriteError.NotFound, "zone_not_found", $"zone {zone} is not hosted here")
{
    public DnsName Zone { get; } = zone;
}

/// <summary>
/// Operators' zone operations — create, replace by import, change RRsets, delete — expressed as
/// requests to the one write path (<see cref="ZoneWriter"/>). Nothing is answered in DNS before
/// the store has it, and a committed change is visible as soon as a call returns.
/// </summary>
public sealed class ZoneService(ZoneWriter writer, ServedZones zones, IRdnsStore store)
{
    public ServedZones Served => zones;

    public IRdnsStore Store => store;

    public ZoneWriter Writer => writer;

    /// <summary>Raised after a change of a zone is durable and visible (created, changed or deleted).</summary>
    public event Action<ChangeNotice>? Applied
    {
        add => writer.Applied += value;
        remove => writer.Applied -= value;
    }

    /// <summary>Brings one zone in memory up to what the store holds.</summary>
    public Task CatchUpAsync(DnsName zone, CancellationToken cancellationToken = default) => writer.CatchUpAsync([zone], cancellationToken);

    private static WriteAudit Audit(AuditEntry a) => new(a.Actor, a.Action, a.Target, a.Detail, a.RemoteAddress) { Before = a.Before, After = a.After };

    /// <summary>Creates (or with <paramref name="replace"/>, replaces) a zone from its records; they must form a valid zone.</summary>
    public Task<ZoneSnapshot> CreateAsync(DnsName name, IReadOnlyList<ResourceRecord> records, bool replace, AuditEntry audit, CancellationToken cancellationToken = default) =>
        CreateAsync(name, records, replace, audit, enforcePolicy: true, cancellationToken);

    private async Task<ZoneSnapshot> CreateAsync(DnsName name, IReadOnlyList<ResourceRecord> records, bool replace, AuditEntry audit, bool enforcePolicy, CancellationToken cancellationToken, ZoneSnapshot? built = null)
    {
        var result = await writer.WriteAsync(new ZoneWrite([], Audit(audit)) { Creations = [new NewZone(name, records, replace) { Built = built }], EnforcePolicy = enforcePolicy },
            cancellationToken).ConfigureAwait(false);
        return result.Changed[0];
    }

    public async Task<bool> DeleteAsync(DnsName name, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        var result = await writer.WriteAsync(new ZoneWrite([], Audit(audit)) { Deletions = [name] }, cancellationToken).ConfigureAwait(false);
        return result.Deleted.Count > 0;
    }

    /// <summary>
    /// Applies edits to one or more zones as one transaction. Each changed zone gets one new
    /// serial; RRsets equal to what is there already change nothing. Invalid results (a CNAME
    /// beside other data, say) throw <see cref="ZoneDataException"/> before anything is written.
    /// Returns the new snapshots of the zones that changed.
    /// </summary>
    public Task<IReadOnlyList<ZoneSnapshot>> ChangeAsync(IReadOnlyList<ZoneEdit> edits, AuditEntry audit, CancellationToken cancellationToken = default) =>
        ChangeAsync(edits, [], audit, cancellationToken);

    /// <summary>
    /// As above, with tenant writes committed in the same transaction as the zone changes (a
    /// release and the PTR resets it causes, say); the writes are committed even when the edits
    /// change no zone.
    /// </summary>
    public async Task<IReadOnlyList<ZoneSnapshot>> ChangeAsync(IReadOnlyList<ZoneEdit> edits, IReadOnlyList<TenantWrite> writes, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        var write = new ZoneWrite(edits, Audit(audit)) { Attachment = writes.Count == 0 ? null : new TenantAttachment(writes) };
        var result = await writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        return result.Changed;
    }

    /// <summary>
    /// Makes a zone hold exactly <paramref name="records"/>: created when absent; otherwise every
    /// RRset is replaced or removed in one journaled change (so secondaries can follow by IXFR)
    /// and the serial moves forward from the current one.
    /// </summary>
    public Task<ZoneSnapshot> ImportAsync(DnsName name, IReadOnlyList<ResourceRecord> records, AuditEntry audit, CancellationToken cancellationToken = default) =>
        ImportAsync(name, records, audit, enforcePolicy: true, cancellationToken);

    /// <summary>
    /// As above; <paramref name="enforcePolicy"/> false lets an operator's zone files (<c>--zones</c>)
    /// hold any type, as any authoritative server serves RFC 1035 zone files (RFC 3597 included).
    /// </summary>
    public async Task<ZoneSnapshot> ImportAsync(DnsName name, IReadOnlyList<ResourceRecord> records, AuditEntry audit, bool enforcePolicy, CancellationToken cancellationToken = default)
    {
        var current = zones.Current.Get(name);
        if (current is null && records.Count >= BuildWhileWritingFrom)
        {
            // A large new zone: built on another thread while the writer stores its rows; a zone
            // that turns out invalid undoes the write.
            var building = Task.Run(() => ZoneSnapshot.Build(name, records), CancellationToken.None);
            try
            {
                var written = await writer.WriteAsync(new ZoneWrite([], Audit(audit))
                {
                    Creations = [new NewZone(name, records, Replace: true) { Building = building }],
                    EnforcePolicy = enforcePolicy,
                }, cancellationToken).ConfigureAwait(false);
                return written.Changed[0];
            }
            finally
            {
                // Never left running or unobserved when the write fails before it looked at the build.
                await building.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        var incoming = ZoneSnapshot.Build(name, records);
        if (enforcePolicy)
            ZoneContentPolicy.Check(incoming);
        if (current is null)
            return await CreateAsync(name, records, replace: true, audit, enforcePolicy, cancellationToken, incoming).ConfigureAwait(false);
        // Decided at commit time against the zone as it is then: every RRset of the file replaces
        // the zone's, every RRset the file lacks is removed.
        var edit = new ZoneEdit(name, []) { Decide = zone => Replacement(zone, incoming) };
        var result = await writer.WriteAsync(new ZoneWrite([edit], Audit(audit)) { EnforcePolicy = enforcePolicy }, cancellationToken).ConfigureAwait(false);
        return result.Changed.Count > 0 ? result.Changed[0] : zones.Current.Get(name) ?? current;
    }

    /// <summary>From this many records a new zone is built while its rows are written rather than before.</summary>
    private const int BuildWhileWritingFrom = 50_000;

    private static List<RecordEdit> Replacement(ZoneSnapshot current, ZoneSnapshot incoming)
    {
        var changes = new List<RecordEdit>();
        var wanted = new HashSet<(DnsName, RecordType)>();
        foreach (var group in incoming.Records().GroupBy(r => (r.Owner, r.Type)))
        {
            wanted.Add(group.Key);
            changes.Add(new RRsetChange(group.Key.Owner, group.Key.Type, group.First().Ttl, group.Select(r => r.Data).ToList()));
        }
        foreach (var group in current.Records().GroupBy(r => (r.Owner, r.Type)))
        {
            if (!wanted.Contains(group.Key))
                changes.Add(new RRsetChange(group.Key.Owner, group.Key.Type, group.First().Ttl, []));
        }
        return changes;
    }
}
