using Microsoft.Extensions.Logging;
using Rdns.Protocol.Wire;
using Rdns.Protocol.Records;
using Rdns.Transfer;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Control.Secondary;

public sealed partial class SecondaryFollower
{
    private int _catalogConfirmed;

    /// <summary>
    /// One zone's life: refresh now, then wait for its timer (SOA REFRESH after a success, a
    /// doubling backoff up to SOA RETRY after a failure) or a NOTIFY, whichever comes first.
    /// </summary>
    private async Task RunAsync(FollowedZone zone)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, zone.Stop.Token);
        var token = stop.Token;
        var wait = TimeSpan.Zero;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (wait > TimeSpan.Zero)
                    await WaitAsync(zone, wait, token).ConfigureAwait(false);
                await _refreshing.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    wait = await RefreshAsync(zone, token).ConfigureAwait(false);
                }
                finally
                {
                    _refreshing.Release();
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A bug, not a network failure: logged, and the zone is tried again later.
                LogRefreshBug(_logger, zone.Name.ToString(), e);
                wait = _options.MaxRetryUnknown;
            }
        }
    }

    /// <summary>
    /// Until the zone's timer runs out or a NOTIFY brings something to fetch: a NOTIFY of a serial
    /// held already (or one a refresh took meanwhile) does not end the wait.
    /// </summary>
    private async Task WaitAsync(FollowedZone zone, TimeSpan wait, CancellationToken token)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var left = wait;
        while (await zone.Wake.WaitAsync(left, token).ConfigureAwait(false) && zone.NothingNewSince(_zones.Current.Get(zone.Name)?.Serial))
        {
            left = wait - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
                return;
        }
    }

    /// <summary>Checks the primaries' serial and transfers what is new; returns how long to wait before the next check.</summary>
    private async Task<TimeSpan> RefreshAsync(FollowedZone zone, CancellationToken token)
    {
        bool notified = zone.TakeNotified(out _);
        zone.LastAttempt = _time.GetUtcNow();
        var current = _zones.Current.Get(zone.Name);
        TransferException? last = null;
        foreach (var primary in Order(zone))
        {
            try
            {
                var changed = await RefreshFromAsync(zone, primary, current, notified, token).ConfigureAwait(false);
                zone.Source = primary;
                zone.Failures = 0;
                zone.LastError = null;
                zone.LastRefresh = _time.GetUtcNow();
                _times.Set(zone.Name, zone.LastRefresh.Value);
                var now = _zones.Current.Get(zone.Name);
                if (now is { Expired: true })
                    _zones.Update(set => set.Get(zone.Name) is { } s ? set.With(s.WithExpired(false)) : set);
                zone.Expired = false;
                if (zone.Origin == ZoneOrigin.Catalog && now is not null && (changed || Interlocked.Exchange(ref _catalogConfirmed, 1) == 0))
                    await ApplyCatalogAsync(now, removeMissing: true).ConfigureAwait(false);
                return Clamp(now is null ? _options.MaxRetryUnknown : TimeSpan.FromSeconds(Rdata.SoaRefresh(now.Soa.Data[0])));
            }
            catch (TransferException e)
            {
                last = e;
            }
            catch (ZoneDataException e)
            {
                zone.ForceFull = true;
                last = new TransferException(TransferFailure.Malformed, $"{primary} sent a zone that is not valid: {e.Message}");
            }
            catch (WriteException e) when (e.Code == "serial_moved" || e.Kind == WriteError.Invalid)
            {
                // The changesets do not apply to what we hold: the next try asks for the whole zone.
                zone.ForceFull = true;
                last = new TransferException(TransferFailure.Malformed, $"the IXFR from {primary} does not apply here ({e.Message}); asking for AXFR next");
            }
        }
        return Failed(zone, current, last!);
    }

    /// <summary>The primary that answered last first, then the others in the order given.</summary>
    private IEnumerable<PrimaryServer> Order(FollowedZone zone) =>
        zone.Source is { } source ? _options.Primaries.Where(p => p == source).Concat(_options.Primaries.Where(p => p != source)) : _options.Primaries;

    /// <summary>
    /// One primary: SOA check, then IXFR (AXFR when we hold nothing, or must start afresh). True
    /// when the zone changed. After a NOTIFY the SOA check is left out: the primary said there is
    /// something new, and an IXFR from a serial that is current is answered by the SOA alone
    /// (RFC 1995 §2), so the IXFR is the check, one exchange instead of two.
    /// </summary>
    private async Task<bool> RefreshFromAsync(FollowedZone zone, PrimaryServer primary, ZoneSnapshot? current, bool notified, CancellationToken token)
    {
        bool full = current is null || zone.ForceFull;
        ZoneTransfer transfer;
        // The slot bounds what this node asks of its primaries at once; the write that follows
        // waits for its turn without one, so many transfers can share one commit (group commit).
        await _concurrency.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (!full && !notified)
            {
                ResourceRecord? soa = null;
                try
                {
                    soa = await _client.QuerySoaAsync(primary, zone.Name, token).ConfigureAwait(false);
                }
                catch (TransferException e) when (e.Failure is TransferFailure.Rcode or TransferFailure.Tsig)
                {
                    // Some primaries answer no plain queries for a zone (Knot refuses them for a
                    // catalog, unsigned): the IXFR itself says whether anything is newer (RFC 1995 §2).
                }
                if (soa is not null && !SerialNumber.GreaterThan(Rdata.SoaSerial(soa.Data), current!.Serial))
                    return false;
            }
            var currentSoa = full ? null : new ResourceRecord(zone.Name, RecordType.SOA, current!.Soa.Ttl, current.Soa.Data[0]);
            transfer = await _client.TransferAsync(primary, zone.Name, currentSoa, token).ConfigureAwait(false);
        }
        finally
        {
            _concurrency.Release();
        }
        Interlocked.Add(ref zone.BytesReceived, transfer.Bytes);
        ZoneWriteResult result;
        switch (transfer)
        {
            case NoNewerVersion:
                return false;
            case FullTransfer older when current is not null && !zone.ForceFull && !SerialNumber.GreaterThan(older.Serial, current.Serial):
                // A primary behind us answered the IXFR with its whole, older zone (RFC 1995
                // allows a full answer): nothing newer, and no step back.
                return false;
            case IncrementalTransfer incremental when current is not null:
                result = await _writer.WriteAsync(new ZoneWrite([], Audit(zone, "zone.ixfr", $"IXFR from {primary}: serial {current.Serial} to {transfer.Serial}, {incremental.Changes.Count} changesets"))
                {
                    Transferred = [new TransferredChanges(zone.Name, incremental.Changes)],
                    FromPrimary = true,
                    EnforcePolicy = false,
                }, token).ConfigureAwait(false);
                Interlocked.Increment(ref zone.IncrementalTransfers);
                break;
            case FullTransfer whole when current is not null && !zone.ForceFull && SerialNumber.GreaterThan(whole.Serial, current.Serial):
                // The whole zone, journaled as the difference from what we hold: our own
                // secondaries then follow by IXFR even when our primary sent AXFR.
                result = await _writer.WriteAsync(new ZoneWrite([], Audit(zone, "zone.axfr", $"AXFR from {primary}: serial {current.Serial} to {transfer.Serial}, {whole.Records.Count} records, kept as their difference"))
                {
                    Transferred = [new TransferredChanges(zone.Name, [Difference(current, whole)])],
                    FromPrimary = true,
                    EnforcePolicy = false,
                }, token).ConfigureAwait(false);
                break;
            case FullTransfer whole:
                var built = ZoneSnapshot.Build(zone.Name, whole.Records);
                result = await _writer.WriteAsync(new ZoneWrite([], Audit(zone, "zone.axfr", $"AXFR from {primary}: serial {transfer.Serial}, {whole.Records.Count} records"))
                {
                    Creations = [new NewZone(zone.Name, whole.Records, Replace: true) { Built = built }],
                    FromPrimary = true,
                    EnforcePolicy = false,
                }, token).ConfigureAwait(false);
                zone.ForceFull = false;
                break;
            default:
                throw new TransferException(TransferFailure.Malformed, $"{primary} answered an IXFR of {zone.Name} we did not ask for");
        }
        Interlocked.Increment(ref zone.Transfers);
        if (_logger.IsEnabled(LogLevel.Information))
            LogTransferred(_logger, zone.Name.ToString(), transfer is IncrementalTransfer ? "IXFR" : "AXFR", primary.ToString(), current?.Serial ?? 0, transfer.Serial, transfer.Bytes);
        if (result.Changed.Count > 0)
            Refreshed?.Invoke(zone.Name, result.Changed[0].Serial);
        return true;
    }

    /// <summary>What turns <paramref name="current"/> into the transferred zone, as one changeset (RFC 1995 §4 form: old SOA removed, new SOA added).</summary>
    internal static Changeset Difference(ZoneSnapshot current, FullTransfer whole)
    {
        var before = current.Records().Where(r => r.Type != RecordType.SOA).ToHashSet();
        var after = whole.Records.Where(r => r.Type != RecordType.SOA).Select(r => r with { Class = RecordClass.IN }).ToHashSet();
        var removed = new List<ResourceRecord> { new(current.Origin, RecordType.SOA, current.Soa.Ttl, current.Soa.Data[0]) };
        removed.AddRange(before.Where(r => !after.Contains(r)));
        var added = new List<ResourceRecord> { whole.Soa };
        added.AddRange(after.Where(r => !before.Contains(r)));
        return new Changeset(current.Serial, whole.Serial, removed, added);
    }

    private static WriteAudit Audit(FollowedZone zone, string action, string detail) => new("primary", action, zone.Name.ToString(), detail);

    /// <summary>Every primary failed: back off, and expire the zone once its SOA EXPIRE has passed since the last refresh.</summary>
    private TimeSpan Failed(FollowedZone zone, ZoneSnapshot? current, TransferException error)
    {
        zone.Failures++;
        zone.LastError = error.Message;
        LogRefreshFailed(_logger, zone.Name.ToString(), zone.Failures, error.Message);
        if (current is not null)
        {
            // A zone loaded from the store without a recorded refresh counts its expiry from now.
            var since = zone.LastRefresh ??= _time.GetUtcNow();
            var expire = TimeSpan.FromSeconds(Rdata.SoaExpire(current.Soa.Data[0]));
            if (!zone.Expired && _time.GetUtcNow() - since > expire)
            {
                zone.Expired = true;
                _zones.Update(set => set.Get(zone.Name) is { } s ? set.With(s.WithExpired(true)) : set);
                LogExpired(_logger, zone.Name.ToString(), since, (long)expire.TotalSeconds);
            }
        }
        var cap = current is null ? _options.MaxRetryUnknown : Clamp(TimeSpan.FromSeconds(Rdata.SoaRetry(current.Soa.Data[0])));
        var backoff = _options.FirstRetry * Math.Pow(2, Math.Min(zone.Failures - 1, 20));
        zone.Backoff = backoff < cap ? backoff : cap;
        return zone.Backoff;
    }

    private TimeSpan Clamp(TimeSpan interval) =>
        interval < _options.MinRefresh ? _options.MinRefresh : interval > _options.MaxRefresh ? _options.MaxRefresh : interval;
}
