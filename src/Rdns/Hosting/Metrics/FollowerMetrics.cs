using Prometheus;
using Rdns.Control.Secondary;

namespace Rdns.Hosting.Metrics;

/// <summary>
/// Secondary mode on each scrape: how many followed zones are current, failing or expired, the
/// transfers and bytes received, and the oldest last refresh (a zone silently left behind shows
/// there). Aggregates, not one series per zone: an edge may follow thousands.
/// </summary>
internal sealed class FollowerMetrics
{
    private readonly SecondaryFollower _follower;
    private readonly Gauge _zones;
    private readonly Counter _transfers;
    private readonly Counter _bytes;
    private readonly Gauge _oldest;

    public FollowerMetrics(IMetricFactory f, SecondaryFollower follower)
    {
        _follower = follower;
        _zones = f.CreateGauge("rdns_follower_zones", "Zones this secondary follows, by state: ok (last refresh succeeded), failing (retrying, still served), expired (SERVFAIL)", ["state"]);
        _transfers = f.CreateCounter("rdns_follower_transfers_total", "Transfers received from the primaries, by kind (axfr: whole zone, ixfr: changesets)", ["kind"]);
        _bytes = f.CreateCounter("rdns_follower_received_bytes_total", "Bytes of transfers received from the primaries");
        _oldest = f.CreateGauge("rdns_follower_oldest_refresh_timestamp_seconds", "The oldest last successful refresh among followed zones (0: some zone never refreshed)");
    }

    public void Update()
    {
        long ok = 0, failing = 0, expired = 0, all = 0, incremental = 0, bytes = 0;
        double oldest = double.MaxValue;
        foreach (var zone in _follower.Status())
        {
            if (zone.Expired)
                expired++;
            else if (zone.Failures > 0)
                failing++;
            else
                ok++;
            all += zone.Transfers;
            incremental += zone.IncrementalTransfers;
            bytes += zone.BytesReceived;
            oldest = Math.Min(oldest, zone.LastRefresh?.ToUnixTimeMilliseconds() / 1000.0 ?? 0);
        }
        _zones.WithLabels("ok").Set(ok);
        _zones.WithLabels("failing").Set(failing);
        _zones.WithLabels("expired").Set(expired);
        _transfers.WithLabels("ixfr").IncTo(incremental);
        _transfers.WithLabels("axfr").IncTo(all - incremental);
        _bytes.IncTo(bytes);
        _oldest.Set(oldest == double.MaxValue ? 0 : oldest);
    }
}
