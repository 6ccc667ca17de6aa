namespace Rdns.Hosting;

/// <summary>Files in flight: at most so many, and so many octets of them; one file larger than that is let in alone.</summary>
internal sealed class ImportWindow(int files, long octets)
{
    private readonly Lock _lock = new();
    private int _files;
    private long _octets;
    private TaskCompletionSource? _waiting;

    /// <summary>Waits for room for a file of <paramref name="size"/> octets (one caller at a time: the loop over the files).</summary>
    public async Task EnterAsync(long size, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_lock)
            {
                if (_files == 0 || (_files < files && _octets + size <= octets))
                {
                    _files++;
                    _octets += size;
                    return;
                }
                _waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _waiting.Task;
            }
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Leave(long size)
    {
        TaskCompletionSource? waiting;
        lock (_lock)
        {
            _files--;
            _octets -= size;
            (waiting, _waiting) = (_waiting, null);
        }
        waiting?.TrySetResult();
    }
}
