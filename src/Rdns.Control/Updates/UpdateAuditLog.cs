using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rdns.Storage;
using Rdns.Zones.Updates;
using Rdns.Zones.Writes;

namespace Rdns.Control.Updates;

/// <summary>
/// Refused DNS updates in the audit log. Refusals arrive over UDP from anyone, so they are queued
/// (never blocking an answer) and written in batches of up to <see cref="MaxBatch"/> rows per
/// transaction; past <see cref="Capacity"/> waiting, further refusals are counted and the count is
/// written as one row, so a flood costs the store a few transactions a second, not one per packet.
/// </summary>
public sealed partial class UpdateAuditLog : IUpdateAuditLog, IAsyncDisposable
{
    public const int Capacity = 10_000;
    public const int MaxBatch = 256;

    private readonly ITsigKeyStore _store;
    private readonly ILogger _logger;
    private readonly Channel<WriteAudit> _queue = Channel.CreateBounded<WriteAudit>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _loop;
    private long _dropped;

    public UpdateAuditLog(ITsigKeyStore store, ILogger<UpdateAuditLog> logger)
    {
        _store = store;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Refused(WriteAudit audit)
    {
        if (!_queue.Writer.TryWrite(audit))
            Interlocked.Increment(ref _dropped);
    }

    /// <summary>Completes when everything queued so far is written (tests, shutdown).</summary>
    public async Task FlushAsync()
    {
        while (_queue.Reader.Count > 0 || _writing)
            await Task.Delay(10).ConfigureAwait(false);
    }

    private volatile bool _writing;

    private async Task RunAsync()
    {
        var batch = new List<AuditEntry>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _writing = true;
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var a))
                batch.Add(new AuditEntry(a.Actor, a.Action, a.Target, a.Detail, a.RemoteAddress));
            long dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
                batch.Add(new AuditEntry("system", "dns.update.refused", "*", $"{dropped} more refused updates were not recorded one by one (more than {Capacity} waiting)"));
            try
            {
                await _store.AppendAuditAsync(batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogFailed(_logger, batch.Count, e);
            }
            finally
            {
                _writing = false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 332, Level = LogLevel.Error, Message = "{Count} audit rows of refused DNS updates could not be written")]
    private static partial void LogFailed(ILogger logger, int count, Exception exception);
}
