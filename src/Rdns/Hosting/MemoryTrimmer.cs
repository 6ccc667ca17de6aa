using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rdns.Hosting;

/// <summary>
/// Gives memory back to the system after bursts of work off the query path (API requests, imports,
/// merges of compact tables), which the garbage collector would otherwise keep committed for later
/// allocations that the query path never makes: once the resident set has grown by
/// <see cref="Growth"/> and the work that grew it is over, a full compacting collection decommits what is free, and glibc's
/// <c>malloc_trim</c> returns the native heap's free pages, once the store has let go of the pages
/// its connections cache (<see cref="Storage.IRdnsStore.ReleaseMemoryAsync"/>: SQLite's writer keeps
/// up to 64 MiB after a large write). One trim also runs, grown or not, once start-up is over (<see cref="SettleAfterStart"/>, and quiet);
/// each trim lets go of the pages of the program's own files as well (<see cref="ProgramPages"/>):
/// what start-up alone ran stops counting, what serving runs comes back on first touch.
/// </summary>
internal sealed partial class MemoryTrimmer(TimeProvider time, ILogger<MemoryTrimmer> log, Storage.IRdnsStore store) : BackgroundService
{
    /// <summary>Start-up is over (the listeners bound, the first requests of health checks served) by then.</summary>
    private static readonly TimeSpan SettleAfterStart = TimeSpan.FromSeconds(3);

    /// <summary>Checked every second: reading the resident set is cheap.</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// At most one trim per 5 s: a full compacting collection pauses every managed thread
    /// (milliseconds per 100 MiB held), and it only runs once the work that grew the process is
    /// over (the resident set steady for a second), so a burst of API requests costs one trim.
    /// </summary>
    private static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(5);

    /// <summary>Less change than this in a second counts as quiet.</summary>
    private const long Quiet = 1L << 20;

    /// <summary>16 MiB: less is not worth a pause; a server holding millions of PTRs grows by more only through real work.</summary>
    private const long Growth = 16L << 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long started = time.GetTimestamp();
        bool settled = false;
        long baseline = Environment.WorkingSet;
        long previous = baseline;
        // Start-up has just trimmed; the first growth after it may be trimmed at once.
        long last = time.GetTimestamp() - (long)(MinimumGap.TotalSeconds * time.TimestampFrequency);
        using var timer = new PeriodicTimer(CheckEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                long resident = Environment.WorkingSet;
                baseline = Math.Min(baseline, resident);
                // Grown, and quiet for a second (what grew it is over), and not trimmed just now.
                bool quiet = Math.Abs(resident - previous) < Quiet;
                previous = resident;
                bool settling = !settled && quiet && time.GetElapsedTime(started) >= SettleAfterStart;
                if (!settling && (resident - baseline < Growth || !quiet || time.GetElapsedTime(last) < MinimumGap))
                    continue;
                // Once start-up is over (what it left on the heaps, and the program pages only it
                // ran), then after each burst of work that grew the process.
                await TrimAsync(store, stoppingToken).ConfigureAwait(false);
                settled |= settling;
                if (log.IsEnabled(LogLevel.Debug))
                {
                    var gc = GC.GetGCMemoryInfo(GCKind.Any);
                    LogTrimmed(gc.HeapSizeBytes >> 10, gc.TotalCommittedBytes >> 10, gc.FragmentedBytes >> 10);
                }
                LogProgramPagesReleased(ProgramPages.Release());
                baseline = previous = Environment.WorkingSet;
                last = time.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The store's cached pages let go (<see cref="Storage.IRdnsStore.ReleaseMemoryAsync"/>), a full
    /// compacting collection, then the native heap trimmed (Linux with glibc), so what the store
    /// freed goes back to the system too.
    /// </summary>
    public static async Task TrimAsync(Storage.IRdnsStore store, CancellationToken cancellationToken)
    {
        await store.ReleaseMemoryAsync(cancellationToken).ConfigureAwait(false);
        Trim();
    }

    private static void Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): its free pages stay with the process.
        }
    }

    [LoggerMessage(EventId = 641, Level = LogLevel.Debug, Message = "Trimmed: managed heap {HeapKb} kB, committed {CommittedKb} kB, fragmented {FragmentedKb} kB")]
    private partial void LogTrimmed(long heapKb, long committedKb, long fragmentedKb);

    [LoggerMessage(EventId = 640, Level = LogLevel.Debug, Message = "Let go of {Kb} kB of program file pages (they come back from the page cache when used)")]
    private partial void LogProgramPagesReleased(long kb);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
