namespace Rdns.Storage.Sqlite;

/// <summary>A bulk load of <see cref="SqliteStore"/>: completing flushes it; ending it either way brings durable commits back.</summary>
internal sealed class SqliteBulkLoad(Func<CancellationToken, Task> complete, Func<Task> restore) : IBulkLoad
{
    private bool _ended;

    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        await complete(cancellationToken);
        _ended = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ended)
            return;
        _ended = true;
        try
        {
            await restore();
        }
        catch (ObjectDisposedException)
        {
            // The store is closed: its next connection starts with durable commits anyway.
        }
    }
}
