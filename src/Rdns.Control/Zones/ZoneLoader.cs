using Microsoft.Extensions.Logging;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Control.Zones;

/// <summary>
/// Start-up: every zone read from the store as raw rows straight into one snapshot builder per
/// zone (no object per address PTR), built on all cores. A zone that cannot be built is logged
/// and left out rather than stopping the server.
/// </summary>
public sealed partial class ZoneLoader(IRdnsStore store, ServedZones zones, ILogger<ZoneLoader> logger)
{
    public async Task LoadAllAsync(CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rows = new BuilderRows();
        await store.LoadAllAsync(rows, cancellationToken).ConfigureAwait(false);
        var read = clock.Elapsed;
        var builders = rows.Builders.Values.ToArray();
        var built = new ZoneSnapshot?[builders.Length];
        Parallel.For(0, builders.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var (builder, failure) = builders[i];
            try
            {
                if (failure is not null)
                    throw new ZoneDataException(failure);
                built[i] = builder.Build();
            }
            catch (ZoneDataException e)
            {
                LogUnloadable(logger, builder.Origin.ToString(), e.Message);
            }
        });
        zones.Replace(ZoneSet.From(built.OfType<ZoneSnapshot>(), zones.Current.Defaults));
        LogLoaded(logger, builders.Length, read.TotalSeconds, (clock.Elapsed - read).TotalSeconds);
    }

    /// <summary>Feeds stored rows into one builder per zone; a zone whose rows break a rule is remembered as failed.</summary>
    private sealed class BuilderRows : IZoneRowReader
    {
        public Dictionary<long, (ZoneSnapshotBuilder Builder, string? Failure)> Builders { get; } = [];

        public void Zone(long id, DnsName name, uint serial) => Builders[id] = (new ZoneSnapshotBuilder(name), null);

        public void Row(long zoneId, ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
        {
            if (!Builders.TryGetValue(zoneId, out var entry) || entry.Failure is not null)
                return;
            try
            {
                entry.Builder.Add(owner, type, cls, ttl, data);
            }
            catch (ZoneDataException e)
            {
                Builders[zoneId] = (entry.Builder, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Loaded {Zones} zones from the store: rows read in {ReadSeconds:F2} s, zones built in {BuildSeconds:F2} s")]
    private static partial void LogLoaded(ILogger logger, int zones, double readSeconds, double buildSeconds);

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Zone {Zone} in the store is not a valid zone and is not served: {Reason}")]
    private static partial void LogUnloadable(ILogger logger, string zone, string reason);
}
