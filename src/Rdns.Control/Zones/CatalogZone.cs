using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones;

using Rdns.Zones.Writes;

namespace Rdns.Control.Zones;

/// <summary>
/// A catalog zone (RFC 9432, schema version 2) listing every hosted zone, so standard secondaries
/// (Knot, BIND, PowerDNS) learn to serve and to drop zones by themselves. It is an ordinary stored
/// zone, journaled like any other, kept in step with the zone list after every create and delete.
/// </summary>
public sealed partial class CatalogZone
{
    /// <summary>RFC 9432 §4.1 suggests a name under <c>invalid.</c>, so the catalog is never delegated to.</summary>
    public const string DefaultName = "catalog.invalid.";

    private static readonly DnsName Invalid = DnsName.Parse("invalid.");

    private readonly ZoneService _zones;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly bool _pools;

    /// <param name="pools">
    /// Whether the address pools are listed as custom properties: the public view's catalog lists
    /// them (they are its default names); a view's catalog does not, as views synthesize none.
    /// </param>
    public CatalogZone(ZoneService zones, DnsName name, ILogger<CatalogZone> logger, bool pools = true)
    {
        _zones = zones;
        Name = name.ToLower();
        _logger = logger;
        _pools = pools;
        Members = Name.Prepend("zones");
    }

    /// <summary>The catalog of a view other than public: <c>catalog.VIEW.invalid.</c>, one per view, transferred with the view's key.</summary>
    public static DnsName ForView(string view) => DnsName.Parse($"catalog.{view}.invalid.");

    public DnsName Name { get; }

    private DnsName Members { get; }

    /// <summary>
    /// RFC 9432 §4.2: a member's label is unique and stable; a hash of the zone's name gives both,
    /// on every node, without state. Its 20 lower-case hex digits are what lets the catalog keep
    /// its members in a compact table rather than as nodes (<see cref="Rdns.Zones.Synthesis.ReverseZoneInfo.MemberLabelLength"/>).
    /// </summary>
    public DnsName MemberName(DnsName zone)
    {
        var hash = SHA256.HashData(zone.ToLowerWire());
        return Members.Prepend(Convert.ToHexStringLower(hash.AsSpan(0, Rdns.Zones.Synthesis.ReverseZoneInfo.MemberLabelLength / 2)));
    }

    /// <summary>The catalog's fixed part (RFC 9432 §4.1, §4.2.1): SOA, NS <c>invalid.</c>, version "2".</summary>
    public List<ResourceRecord> Skeleton(uint serial) =>
    [
        new(Name, RecordType.SOA, 0, Rdata.Soa(Invalid, Invalid, serial, 3600, 600, 2147483646, 0)),
        new(Name, RecordType.NS, 0, Invalid.Wire.ToArray()),
        new(Name.Prepend("version"), RecordType.TXT, 0, Rdata.Txt("2")),
    ];

    /// <summary>Creates the catalog if needed and makes its member list match the hosted zones.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _zones.Served.Current;
            var catalog = current.Get(Name);
            if (catalog is null)
            {
                try
                {
                    catalog = await _zones.CreateAsync(Name, Skeleton((uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds()), replace: false,
                        new AuditEntry("system", "zone.create", Name.ToString(), "catalog zone"), cancellationToken).ConfigureAwait(false);
                }
                catch (StoreConflictException)
                {
                    await _zones.CatchUpAsync(Name, cancellationToken).ConfigureAwait(false);
                    catalog = _zones.Served.Current.Get(Name);
                    if (catalog is null)
                        return;
                }
            }
            var wanted = new Dictionary<DnsName, DnsName>();
            foreach (var origin in _zones.Served.Current.Origins)
            {
                if (!origin.Equals(Name))
                    wanted[MemberName(origin)] = origin;
            }
            var changes = new List<RecordEdit>();
            var present = new HashSet<DnsName>();
            // Members are PTRs, mostly in the catalog's compact table (see ReverseZoneInfo.ForCatalogMembers).
            foreach (var (name, ptr) in catalog.RRsetsOf(RecordType.PTR))
            {
                var owner = DnsName.FromWire(name);
                present.Add(owner);
                if (!wanted.TryGetValue(owner, out var zone))
                    changes.Add(new RRsetChange(owner, RecordType.PTR, 0, []));
                else if (ptr.Count != 1 || !Rdata.ReadName(ptr.Data[0]).Equals(zone))
                    changes.Add(new RRsetChange(owner, RecordType.PTR, 0, [zone.Wire.ToArray()]));
            }
            foreach (var (owner, zone) in wanted)
            {
                if (!present.Contains(owner))
                    changes.Add(new RRsetChange(owner, RecordType.PTR, 0, [zone.Wire.ToArray()]));
            }
            if (_pools)
                changes.AddRange(await PoolChangesAsync(catalog, cancellationToken).ConfigureAwait(false));
            if (changes.Count == 0)
                return;
            await _zones.ChangeAsync([new ZoneEdit(Name, changes)], new AuditEntry("system", "catalog.update", Name.ToString(), $"{changes.Count} members changed"),
                cancellationToken).ConfigureAwait(false);
            LogUpdated(_logger, Name.ToString(), changes.Count, wanted.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The address pools as catalog custom properties (RFC 9432 §4.4, see <see cref="CatalogPoolProperty"/>),
    /// so Rdns secondaries synthesize the same default names: one TXT per pool, added, changed or removed.
    /// </summary>
    private async Task<List<RecordEdit>> PoolChangesAsync(ZoneSnapshot catalog, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<DnsName, byte[]>();
        foreach (var p in await _zones.Store.ListPoolsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Addressing.IpPrefix.TryParse(p.Prefix, out var prefix, out _)
                && Rdns.Zones.Synthesis.DefaultNamePool.TryCreate(prefix, p.Template, p.Ttl, out var pool, out _))
                wanted[CatalogPoolProperty.Owner(Name, pool.Prefix)] = CatalogPoolProperty.Data(pool);
        }
        var parent = CatalogPoolProperty.Parent(Name);
        var changes = new List<RecordEdit>();
        var present = new HashSet<DnsName>();
        foreach (var node in catalog.Nodes)
        {
            var owner = DnsName.FromWire(node.Name);
            if (node.Find(RecordType.TXT) is not { } txt || owner.LabelCount != parent.LabelCount + 1 || !owner.IsSubdomainOf(parent))
                continue;
            present.Add(owner);
            if (!wanted.TryGetValue(owner, out var data))
                changes.Add(new RRsetChange(owner, RecordType.TXT, 0, []));
            else if (txt.Count != 1 || !txt.Data[0].AsSpan().SequenceEqual(data))
                changes.Add(new RRsetChange(owner, RecordType.TXT, 0, [data]));
        }
        foreach (var (owner, data) in wanted)
        {
            if (!present.Contains(owner))
                changes.Add(new RRsetChange(owner, RecordType.TXT, 0, [data]));
        }
        return changes;
    }

    private CancellationToken _following;

    /// <summary>The pools changed (here or on another node): the catalog's pool properties follow.</summary>
    public void PoolsChanged()
    {
        if (_followStarted)
            Request(_following);
    }

    private volatile bool _followStarted;

    private int _dirty;
    private int _running;

    /// <summary>
    /// Reconciles after zones are created or deleted (here or on another node). Requests that come
    /// while a reconciliation runs are coalesced into one more run, so importing thousands of zones
    /// costs a few reconciliations, not one per zone.
    /// </summary>
    public void Follow(CancellationToken stopping)
    {
        _following = stopping;
        _followStarted = true;
        _zones.Applied += notice =>
        {
            if (notice.Kind is ChangeKind.Created or ChangeKind.Deleted && !notice.Zone.Equals(Name) && !stopping.IsCancellationRequested)
                Request(stopping);
        };
    }

    private void Request(CancellationToken stopping)
    {
        Volatile.Write(ref _dirty, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            _ = Task.Run(() => DrainAsync(stopping), stopping);
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (Interlocked.Exchange(ref _dirty, 0) == 1)
                await ReconcileSafelyAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
            // A request that arrived between the last check and the release starts a new drain.
            if (Volatile.Read(ref _dirty) == 1 && !cancellationToken.IsCancellationRequested && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
                _ = Task.Run(() => DrainAsync(cancellationToken), cancellationToken);
        }
    }

    private async Task ReconcileSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LogFailed(_logger, e);
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Catalog {Catalog}: {Changed} member changes, {Members} zones listed")]
    private static partial void LogUpdated(ILogger logger, string catalog, int changed, int members);

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "Updating the catalog zone failed; the next zone change retries")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
