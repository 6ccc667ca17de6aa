namespace Rdns.Hosting;

/// <summary>What <see cref="MemoryTrimmer"/> does after a look at the resident set.</summary>
internal enum TrimAction
{
    None,

    /// <summary>The store's caches, a full compacting collection, the native heap, and the program's pages.</summary>
    Full,

    /// <summary>Only the program's pages (<see cref="ProgramPages"/>): no collection, nothing paused.</summary>
    ProgramPages,
}

/// <summary>
/// When <see cref="MemoryTrimmer"/> gives memory back, decided from the resident set it reads every
/// second (its whole and its file-backed part), so the rule can be tested without a process:
/// <list type="bullet">
/// <item>once start-up is over (<see cref="SettleAfterStart"/>, and quiet), a full trim;</item>
/// <item>a full trim when the resident set has grown since the last by <see cref="Growth"/>
/// (at most every <see cref="MinimumGap"/>), or by a sixteenth of what it held, at least
/// <see cref="SmallGrowth"/> (at most every <see cref="SmallGap"/>): a server of a million PTRs
/// holds about 60 MiB, and the few MiB a burst of API writes leaves on the heaps are a tenth of it,
/// while its full collection pauses the answering threads for milliseconds, so not more often than
/// that;</item>
/// <item>else, when the file-backed part has grown by <see cref="FileGrowth"/> since the program's
/// pages were last let go (code that background work ran: a resync round, a write's path; at most
/// every <see cref="FileGap"/>), only those pages: that costs no pause, and what serving runs comes
/// back on first touch.</item>
/// </list>
/// Every trim waits for a quiet second (the resident set moved by less than <see cref="Quiet"/>), so
/// the work that grew the process is over first.
/// </summary>
internal sealed class TrimPolicy(TimeProvider time)
{
    /// <summary>Start-up is over (the listeners bound, the first requests of health checks served) by then.</summary>
    public static readonly TimeSpan SettleAfterStart = TimeSpan.FromSeconds(3);

    /// <summary>
    /// At most one trim per 5 s for large growth: a full compacting collection pauses every managed
    /// thread (milliseconds per 100 MiB held), and it only runs once the work that grew the process
    /// is over, so a burst of API requests costs one trim.
    /// </summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(5);

    /// <summary>Small growth is trimmed at most once a minute: a steady stream of writes, whose heap regrows after each trim, pauses queries no more often.</summary>
    public static readonly TimeSpan SmallGap = TimeSpan.FromSeconds(60);

    /// <summary>The program's pages alone are let go at most twice a minute: the 30 s resync touches some each round.</summary>
    public static readonly TimeSpan FileGap = TimeSpan.FromSeconds(30);

    /// <summary>Less change than this in a second counts as quiet.</summary>
    public const long Quiet = 1L << 20;

    /// <summary>16 MiB: a server holding millions of PTRs grows by more only through real work.</summary>
    public const long Growth = 16L << 20;

    /// <summary>The least growth trimmed in a small process (a sixteenth of what it held, when larger).</summary>
    public const long SmallGrowth = 4L << 20;

    /// <summary>1 MiB of the program's pages mapped again since they were last let go.</summary>
    public const long FileGrowth = 1L << 20;

    private readonly long _started = time.GetTimestamp();
    private bool _settled;
    private long _baseline = long.MaxValue;
    private long _previous = -1;
    private long _fileBaseline = long.MaxValue;
    private long _lastFull = long.MinValue;
    private long _lastPages = long.MinValue;

    /// <summary>What to do now, the process holding <paramref name="resident"/> octets, <paramref name="file"/> of them file-backed.</summary>
    public TrimAction Decide(long resident, long file)
    {
        _baseline = Math.Min(_baseline, resident);
        _fileBaseline = Math.Min(_fileBaseline, file);
        bool quiet = _previous >= 0 && Math.Abs(resident - _previous) < Quiet;
        _previous = resident;
        if (!quiet)
            return TrimAction.None;
        if (!_settled)
            return time.GetElapsedTime(_started) >= SettleAfterStart ? TrimAction.Full : TrimAction.None;
        long grown = resident - _baseline;
        if (grown >= Growth && Since(_lastFull) >= MinimumGap)
            return TrimAction.Full;
        if (grown >= Math.Max(SmallGrowth, _baseline / 16) && Since(_lastFull) >= SmallGap)
            return TrimAction.Full;
        if (file - _fileBaseline >= FileGrowth && Since(_lastPages) >= FileGap)
            return TrimAction.ProgramPages;
        return TrimAction.None;
    }

    /// <summary>After <paramref name="action"/> was done: the process now holds <paramref name="resident"/> octets, <paramref name="file"/> of them file-backed.</summary>
    public void Done(TrimAction action, long resident, long file)
    {
        long now = time.GetTimestamp();
        if (action == TrimAction.Full)
        {
            _settled = true;
            _baseline = resident;
            _lastFull = now;
        }
        _fileBaseline = file;
        _lastPages = now;
        _previous = resident;
    }

    private TimeSpan Since(long timestamp) =>
        timestamp == long.MinValue ? TimeSpan.MaxValue : time.GetElapsedTime(timestamp);
}
