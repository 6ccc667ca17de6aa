using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rdns.Hosting;

/// <summary>
/// Gives memory back to the system after bursts of work off the query path (API requests, imports,
/// merges of compact tables), which the garbage collector would otherwise keep committed for later
/// allocations that the query path never makes: once the resident set has grown (by how much:
/// <see cref="TrimPolicy"/>) and the work that grew it is over, a full compacting collection decommits what is free, and glibc's
/// <c>malloc_trim</c> returns the native heap's free pages, once the store has let go of the pages
/// its connections cache (<see cref="Storage.IRdnsStore.ReleaseMemoryAsync"/>: SQLite's writer keeps
/// up to 64 MiB after a large write). One trim also runs, grown or not, once start-up is over (<see cref="TrimPolicy.SettleAfterStart"/>, and quiet);
/// each trim lets go of the pages of the program's own files as well (<see cref="ProgramPages"/>):
/// what start-up alone ran stops counting, what serving runs comes back on first touch. When only
/// those pages grew (code that background work ran), only they are let go, with no collection.
/// </summary>
internal sealed partial class MemoryTrimmer(TimeProvider time, ILogger<MemoryTrimmer> log, Storage.IRdnsStore store) : BackgroundService
{
    /// <summary>Checked every second: reading the resident set is cheap.</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // When to trim, and how much: see TrimPolicy.
        var policy = new TrimPolicy(time);
        using var timer = new PeriodicTimer(CheckEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var (resident, file) = Resident();
                var action = policy.Decide(resident, file);
                if (action == TrimAction.None)
                    continue;
                if (action == TrimAction.Full)
                {
                    await TrimAsync(store, stoppingToken).ConfigureAwait(false);
                    if (log.IsEnabled(LogLevel.Debug))
                    {
                        var gc = GC.GetGCMemoryInfo(GCKind.Any);
                        LogTrimmed(gc.HeapSizeBytes >> 10, gc.TotalCommittedBytes >> 10, gc.FragmentedBytes >> 10);
                    }
                }
                LogProgramPagesReleased(ProgramPages.Release());
                (resident, file) = Resident();
                policy.Done(action, resident, file);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The resident set and its file-backed part (and shared memory), in octets: on Linux from
    /// <c>/proc/self/statm</c> (its second and third fields, in pages); elsewhere the working set, none of it told apart.
    /// </summary>
    internal static (long Resident, long File) Resident()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return ParseStatm(File.ReadAllText("/proc/self/statm"), Environment.SystemPageSize) ?? (Environment.WorkingSet, 0);
            }
            catch (IOException)
            {
            }
        }
        return (Environment.WorkingSet, 0);
    }

    /// <summary>The resident and shared sizes of a <c>/proc/PID/statm</c> text (size resident shared text lib data dt, in pages), in octets; null when unreadable.</summary>
    internal static (long Resident, long File)? ParseStatm(string statm, int pageSize)
    {
        var fields = statm.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3
            || !long.TryParse(fields[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long resident)
            || !long.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long shared))
            return null;
        return (resident * pageSize, shared * pageSize);
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
