using Microsoft.Extensions.Logging;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Control.Zones;

/// <summary>
/// Start-up: every zone read from the store as raw rows straight into one snapshot builder per
/// zone (no object per address PTR), built on all cores. A zone that cannot be built is logged
/// and left out rather than stopping the server. The reading is split in two stages on two
/// threads (<see cref="PipelinedRows"/>): the store's rows are copied into batches on one, and fed
/// to the builders on another, in the same order. <see cref="ReadAsync"/> needs only the store,
/// so a host can start it before the rest of the server is put together and
/// <see cref="Publish"/> the zones once it is.
/// </summary>
public sealed partial class ZoneLoader(IRdnsStore store, ServedZones zones, ILogger<ZoneLoader> logger)
{
    /// <summary>What <see cref="ReadAsync"/> read and built, to be published.</summary>
    public sealed record Loaded(IReadOnlyList<ZoneSnapshot> Zones, int Count, IReadOnlyList<(string Zone, string Reason)> Failures, double ReadSeconds, double BuildSeconds);

    public async Task LoadAllAsync(CancellationToken cancellationToken = default) =>
        Publish(await ReadAsync(store, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads and builds every zone of <paramref name="store"/>, on worker threads; nothing is served yet.</summary>
    public static Task<Loaded> ReadAsync(IRdnsStore store, CancellationToken cancellationToken = default) =>
        Task.Run(async () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var builders = await PipelinedRows.ReadAsync(store, cancellationToken).ConfigureAwait(false);
            var read = clock.Elapsed;
            var built = new ZoneSnapshot?[builders.Count];
            // Failures are rare: kept with their zone's place, so they are logged in zone order.
            var failures = new System.Collections.Concurrent.ConcurrentQueue<(int Index, string Zone, string Reason)>();
            Parallel.For(0, builders.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var (builder, failure) = builders[i];
                // The builder's arenas are garbage once its zone is built: nothing else keeps them.
                builders[i] = default;
                try
                {
                    if (failure is not null)
                        throw new ZoneDataException(failure);
                    built[i] = builder.Build();
                }
                catch (ZoneDataException e)
                {
                    failures.Enqueue((i, builder.Origin.ToString(), e.Message));
                }
            });
            var failed = failures.OrderBy(f => f.Index).Select(f => (f.Zone, f.Reason)).ToList();
            return new Loaded(built.OfType<ZoneSnapshot>().ToArray(), builders.Count, failed, read.TotalSeconds, (clock.Elapsed - read).TotalSeconds);
        }, cancellationToken);

    /// <summary>Serves what <see cref="ReadAsync"/> loaded, and logs the zones left out.</summary>
    public void Publish(Loaded loaded)
    {
        foreach (var (zone, reason) in loaded.Failures)
            LogUnloadable(logger, zone, reason);
        zones.Replace(zones.Current.Rebuilt(loaded.Zones));
        LogLoaded(logger, loaded.Count, loaded.ReadSeconds, loaded.BuildSeconds);
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Loaded {Zones} zones from the store: rows read in {ReadSeconds:F2} s, zones built in {BuildSeconds:F2} s")]
    private static partial void LogLoaded(ILogger logger, int zones, double readSeconds, double buildSeconds);

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Zone {Zone} in the store is not a valid zone and is not served: {Reason}")]
    private static partial void LogUnloadable(ILogger logger, string zone, string reason);
}
