using Prometheus;
using Rdns.Control.Zones;
using Rdns.Server.Transfers;
using Rdns.Zones;

namespace Rdns.Hosting.Metrics;

/// <summary>
/// The control plane's state on each scrape: zones and records served, the write path, how far
/// this node is from the shared store, and where each secondary stands with NOTIFY. Commit latency
/// comes from the write path's own meter (<see cref="ZoneWriter.MeterName"/>) through the adapter.
/// </summary>
internal sealed class ControlMetrics
{
    private readonly ServedZones _zones;
    private readonly ZoneWriter _writer;
    private readonly ZoneFollower _follower;
    private readonly NotifySender _notify;
    private readonly ZoneTransferHandler _transfers;
    private readonly Counter _transfersSent;
    private readonly Counter _transferBytes;
    private readonly Gauge _zoneCount;
    private readonly Gauge _rowCount;
    private readonly Gauge _records;
    private readonly Gauge _history;
    private readonly Counter _commits;
    private readonly Counter _commitRequests;
    private readonly Gauge _waiting;
    private readonly Gauge _lastResync;
    private readonly Gauge _behind;
    private readonly Gauge _lastAck;
    private readonly Counter _acks;
    private readonly Counter _failures;
    private readonly Counter _gaveUp;
    private readonly Gauge _pending;
    private readonly Gauge _serialBehind;
    private readonly string _node = Environment.MachineName;

    public ControlMetrics(IMetricFactory f, ServedZones zones, ZoneWriter writer, ZoneFollower follower, NotifySender notify, ZoneTransferHandler transfers)
    {
        _transfers = transfers;
        _zones = zones;
        _writer = writer;
        _follower = follower;
        _notify = notify;
        _zoneCount = f.CreateGauge("rdns_zones", "Zones served");
        _rowCount = f.CreateGauge("rdns_zone_rows", "Zones served that are kept as rows of the small-zone table");
        _records = f.CreateGauge("rdns_records", "Records in the zones served (stored ones; default names are synthesized, not counted)");
        _history = f.CreateGauge("rdns_ixfr_history_changesets", "Changesets kept in memory for IXFR, all zones (the store's journal keeps more)");
        _commits = f.CreateCounter("rdns_store_commits_total", "Write transactions committed (group commit: several requests each)");
        _commitRequests = f.CreateCounter("rdns_store_commit_requests_total", "Write requests carried by those transactions");
        _waiting = f.CreateGauge("rdns_store_write_queue", "Writes waiting for the next transaction");
        _lastResync = f.CreateGauge("rdns_replication_last_resync_timestamp_seconds", "When this node last compared every zone with the shared store (0: not yet)", ["node"]);
        _behind = f.CreateGauge("rdns_replication_zones_behind", "Zones this node found behind the store at the last resync (missed notifications)", ["node"]);
        _lastAck = f.CreateGauge("rdns_secondary_notify_last_ack_timestamp_seconds", "When the secondary last acknowledged a NOTIFY (0: never)", ["secondary"]);
        _acks = f.CreateCounter("rdns_secondary_notify_acknowledged_total", "NOTIFYs the secondary acknowledged", ["secondary"]);
        _failures = f.CreateCounter("rdns_secondary_notify_failures_total", "NOTIFY tries that went unanswered or got an error", ["secondary"]);
        _gaveUp = f.CreateCounter("rdns_secondary_notify_gave_up_total", "Serials given up on after every NOTIFY try went unanswered", ["secondary"]);
        _pending = f.CreateGauge("rdns_secondary_zones_pending", "Zones whose newest serial the secondary has not acknowledged", ["secondary"]);
        _transfersSent = f.CreateCounter("rdns_transfers_sent_total", "Zone transfers answered to secondaries (AXFR, IXFR, or the SOA alone when nothing is newer), TCP and UDP");
        _transferBytes = f.CreateCounter("rdns_transfers_sent_bytes_total", "Bytes of the DNS messages of those transfers (TCP length prefixes not counted)");
        _serialBehind = f.CreateGauge("rdns_secondary_serial_behind", "Largest serial distance between a pending zone and what the secondary last acknowledged of it", ["secondary"]);
    }

    public void Update()
    {
        var current = _zones.Current;
        _zoneCount.Set(current.Count);
        _rowCount.Set(current.RowCount);
        var (records, history) = current.Totals();
        _records.Set(records);
        _history.Set(history);
        _commits.IncTo(_writer.Commits);
        _commitRequests.IncTo(_writer.Requests);
        _waiting.Set(_writer.Waiting);
        _transfersSent.IncTo(_transfers.Sent);
        _transferBytes.IncTo(_transfers.SentBytes);
        _lastResync.WithLabels(_node).Set(_follower.LastResync?.ToUnixTimeMilliseconds() / 1000.0 ?? 0);
        _behind.WithLabels(_node).Set(_follower.BehindAtLastResync);
        foreach (var secondary in _notify.Secondaries)
        {
            var name = secondary.Peer.Endpoint.ToString();
            _lastAck.WithLabels(name).Set(secondary.LastAcknowledged?.ToUnixTimeMilliseconds() / 1000.0 ?? 0);
            _acks.WithLabels(name).IncTo(secondary.Acknowledged);
            _failures.WithLabels(name).IncTo(secondary.Failures);
            _gaveUp.WithLabels(name).IncTo(secondary.GaveUp);
            var pending = _notify.PendingFor(secondary.Peer.Endpoint);
            _pending.WithLabels(name).Set(pending.Count);
            long behind = 0;
            foreach (var (zone, serial) in pending)
            {
                if (secondary.AcknowledgedSerials.TryGetValue(zone, out uint acked))
                    behind = Math.Max(behind, (uint)(serial - acked));
            }
            _serialBehind.WithLabels(name).Set(behind);
        }
    }
}
