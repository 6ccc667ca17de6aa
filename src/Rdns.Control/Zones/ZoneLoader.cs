using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Images;

namespace Rdns.Control.Zones;

/// <summary>
/// Start-up: every zone read from the store as raw rows straight into one snapshot builder per
/// zone (no object per address PTR), built on all cores; or, for every zone the data directory's
/// zone image (<see cref="ZoneImageFile"/>) holds at the store's current revision, read from the
/// image, which skips the rows and most of the building. A zone that cannot be built is logged
/// and left out rather than stopping the server. The reading is split in two stages on two
/// threads (<see cref="PipelinedRows"/>): the store's rows are copied into batches on one, and fed
/// to the builders on another, in the same order. <see cref="ReadAsync(IRdnsStore, CancellationToken)"/>
/// needs only the store, so a host can start it before the rest of the server is put together and
/// <see cref="Publish"/> the zones once it is.
/// </summary>
public sealed partial class ZoneLoader(IRdnsStore store, ServedZones zones, ILogger<ZoneLoader> logger)
{
    /// <summary>What <see cref="ReadAsync(IRdnsStore, CancellationToken)"/> read and built, to be published.</summary>
    public sealed record Loaded(IReadOnlyList<ZoneSnapshot> Zones, int Count, IReadOnlyList<(string Zone, string Reason)> Failures, double ReadSeconds, double BuildSeconds)
    {
        /// <summary>The image read from, or to write.</summary>
        public ZoneImageFile? Image { get; init; }

        /// <summary>Why the image was not used, when there was one that could not be.</summary>
        public string? ImageProblem { get; init; }

        /// <summary>How many zones came from the image (or from zones built before) rather than from rows.</summary>
        public int FromCopies { get; init; }

        /// <summary>True when the image held exactly the zones loaded, each at its current revision: nothing to write.</summary>
        public bool ImageCurrent { get; init; }

        /// <summary>Every zone built, with the store row and revision it was built at.</summary>
        public IReadOnlyList<ZoneImageSource> Sources { get; init; } = [];
    }

    /// <summary>The image being written in the background, if any (see <see cref="KeepImage"/>).</summary>
    public Task ImageWritten { get; private set; } = Task.CompletedTask;

    public async Task LoadAllAsync(CancellationToken cancellationToken = default) =>
        Publish(await ReadAsync(store, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads and builds every zone of <paramref name="store"/> from its rows, on worker threads; nothing is served yet.</summary>
    public static Task<Loaded> ReadAsync(IRdnsStore store, CancellationToken cancellationToken = default) =>
        ReadAsync(store, null, null, cancellationToken);

    /// <summary>
    /// As <see cref="ReadAsync(IRdnsStore, CancellationToken)"/>, taking every zone that
    /// <paramref name="image"/> (or, when given, <paramref name="built"/>) holds at the store's
    /// current revision from there instead of from rows.
    /// </summary>
    public static Task<Loaded> ReadAsync(IRdnsStore store, ZoneImageFile? image, IReadOnlyList<ZoneImageSource>? built, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            string? problem = null;
            var opened = built is null ? image?.Open(out problem) : null;
            var read = await PipelinedRows.ReadAsync(store, opened, built?.ToDictionary(z => z.Id), null, cancellationToken).ConfigureAwait(false);
            var readTime = clock.Elapsed;
            var failures = new ConcurrentQueue<(int Index, string Zone, string Reason)>();
            var fallback = new ConcurrentQueue<long>();
            var sources = Build(read, opened, failures, fallback, cancellationToken);
            int held = opened?.Count ?? built?.Count ?? -1;
            // The image's octets are not needed once its zones are built: unmapped now, not held
            // by this task, which a host keeps until it is serving (tens of MiB for a million PTRs).
            opened?.Dispose();
            opened = null;
            int copies = read.Copies.Count - fallback.Count;
            if (!fallback.IsEmpty)
            {
                // A zone the image could not give after all: from its rows, as if there were no image.
                var again = await PipelinedRows.ReadAsync(store, null, null, fallback.ToHashSet(), cancellationToken).ConfigureAwait(false);
                var more = new ConcurrentQueue<(int Index, string Zone, string Reason)>();
                sources.AddRange(Build(again, null, more, fallback, cancellationToken));
                foreach (var (index, zone, reason) in more)
                    failures.Enqueue((read.Rows.Count + read.Copies.Count + index, zone, reason));
            }
            var failed = failures.OrderBy(f => f.Index).Select(f => (f.Zone, f.Reason)).ToList();
            int rowZones = read.Rows.Count, copied = read.Copies.Count;
            // Nor the read's lists (a name per zone: megabytes with a hundred thousand zones).
            read.Rows.Clear();
            read.Copies.Clear();
            return new Loaded(sources.ConvertAll(s => s.Zone), rowZones + copied, failed, readTime.TotalSeconds, (clock.Elapsed - readTime).TotalSeconds)
            {
                Image = image,
                ImageProblem = problem,
                FromCopies = copies,
                ImageCurrent = rowZones == 0 && copies == copied && held == copied,
                Sources = sources,
            };
        }, cancellationToken);

    /// <summary>Builds the zones of a read on every core: from rows, or from their copy; a copy that fails goes to <paramref name="fallback"/>.</summary>
    private static List<ZoneImageSource> Build(PipelinedRows.Read read, ZoneImage? image, ConcurrentQueue<(int Index, string Zone, string Reason)> failures,
        ConcurrentQueue<long> fallback, CancellationToken cancellationToken)
    {
        var rows = read.Rows;
        var built = new ZoneImageSource?[rows.Count + read.Copies.Count];
        Parallel.For(0, built.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            if (i >= rows.Count)
            {
                var copy = read.Copies[i - rows.Count];
                try
                {
                    built[i] = new ZoneImageSource(copy.Id, copy.Revision, copy.Built ?? image!.Build(copy.Entry));
                }
                catch (Exception e) when (e is ZoneDataException or InvalidDataException)
                {
                    fallback.Enqueue(copy.Id);
                }
                return;
            }
            var (id, revision, builder, failure) = rows[i];
            // The builder's arenas are garbage once its zone is built: nothing else keeps them.
            rows[i] = default;
            try
            {
                if (failure is not null)
                    throw new ZoneDataException(failure);
                built[i] = new ZoneImageSource(id, revision, builder.Build());
            }
            catch (ZoneDataException e)
            {
                failures.Enqueue((i, builder.Origin.ToString(), e.Message));
            }
        });
        return [.. built.OfType<ZoneImageSource>()];
    }

    /// <summary>Serves what <see cref="ReadAsync(IRdnsStore, CancellationToken)"/> loaded, and logs the zones left out.</summary>
    public void Publish(Loaded loaded)
    {
        foreach (var (zone, reason) in loaded.Failures)
            LogUnloadable(logger, zone, reason);
        if (loaded.ImageProblem is not null)
            LogImageIgnored(logger, loaded.Image!.Path, loaded.ImageProblem);
        zones.Replace(zones.Current.Rebuilt(loaded.Zones));
        if (loaded.Image is null)
            LogLoaded(logger, loaded.Count, loaded.ReadSeconds, loaded.BuildSeconds);
        else
            LogLoadedWithImage(logger, loaded.Count, loaded.FromCopies, loaded.ReadSeconds, loaded.BuildSeconds);
    }

    /// <summary>
    /// Brings the zone image up to date in the background, once start-up is done: when the load
    /// built any zone from rows, or when zones were created or replaced since (<paramref name="changedSince"/>:
    /// the store is read again, and only what changed is built from rows). Writing takes a few
    /// hundred milliseconds of one core for a million PTRs; a failure is logged and costs nothing
    /// but the next start's speed.
    /// </summary>
    public void KeepImage(Loaded loaded, bool changedSince, CancellationToken cancellationToken = default)
    {
        if (loaded.Image is not { } image || (loaded.ImageCurrent && !changedSince))
            return;
        ImageWritten = Task.Run(async () =>
        {
            try
            {
                var current = loaded;
                if (changedSince)
                {
                    current = await ReadAsync(store, image, loaded.Sources, cancellationToken).ConfigureAwait(false);
                    if (current.ImageCurrent && loaded.ImageCurrent)
                        return;
                }
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (written, octets) = image.Write(current.Sources);
                LogImageWritten(logger, image.Path, written, octets / 1048576.0, clock.Elapsed.TotalSeconds);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                // Whatever went wrong, the image is only a cache: a stop waiting for it must not fail.
                LogImageNotWritten(logger, image.Path, e.Message);
            }
        }, CancellationToken.None);
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Loaded {Zones} zones from the store: rows read in {ReadSeconds:F2} s, zones built in {BuildSeconds:F2} s")]
    private static partial void LogLoaded(ILogger logger, int zones, double readSeconds, double buildSeconds);

    [LoggerMessage(EventId = 360, Level = LogLevel.Information, Message = "Loaded {Zones} zones from the store, {FromImage} of them from the zone image: rows read in {ReadSeconds:F2} s, zones built in {BuildSeconds:F2} s")]
    private static partial void LogLoadedWithImage(ILogger logger, int zones, int fromImage, double readSeconds, double buildSeconds);

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Zone {Zone} in the store is not a valid zone and is not served: {Reason}")]
    private static partial void LogUnloadable(ILogger logger, string zone, string reason);

    [LoggerMessage(EventId = 361, Level = LogLevel.Warning, Message = "The zone image {Path} is ignored (every zone is read from the store): {Reason}")]
    private static partial void LogImageIgnored(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 362, Level = LogLevel.Information, Message = "Wrote the zone image {Path}: {Zones} zones, {MiB:F1} MiB in {Seconds:F2} s")]
    private static partial void LogImageWritten(ILogger logger, string path, int zones, double miB, double seconds);

    [LoggerMessage(EventId = 363, Level = LogLevel.Warning, Message = "The zone image {Path} was not written (the next start reads the store's rows): {Reason}")]
    private static partial void LogImageNotWritten(ILogger logger, string path, string reason);
}
