namespace Rdns.Storage;

/// <summary>
/// A bulk load under way (<see cref="IRdnsStore.BeginBulkLoadAsync"/>): the commits made meanwhile
/// are atomic and consistent but need not be durable yet, so nothing may be acknowledged or served
/// on the strength of one until <see cref="CompleteAsync"/> has returned. Disposing without
/// completing returns the store to durable commits; what was committed stays, and becomes durable
/// with the next commit.
/// </summary>
public interface IBulkLoad : IAsyncDisposable
{
    /// <summary>Makes every commit since the load began durable, and every later one durable as it commits.</summary>
    Task CompleteAsync(CancellationToken cancellationToken = default);
}
