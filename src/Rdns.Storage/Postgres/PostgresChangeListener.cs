using System.Threading.Channels;
using Npgsql;
using Rdns.Protocol.Names;

namespace Rdns.Storage.Postgres;

/// <summary>
/// Turns <c>NOTIFY rdns_changes</c> into <see cref="ChangeNotice"/>s on one dedicated connection.
/// When the connection fails it reconnects with exponential backoff. Notifications sent while it
/// was away are gone (PostgreSQL queues them only for live listeners); each time LISTEN takes
/// effect, the first time and after every reconnection, it reports <see cref="ChangeKind.Listening"/>,
/// and the consumer compares with the store in O(change) (the zones written since it last
/// compared, the zones' count, the settings' revision), where a report of every zone's serial
/// would cost a store read per zone on every node at each outage of the database.
/// </summary>
internal sealed class PostgresChangeListener(NpgsqlDataSource source, TimeProvider time)
{
    public const string Channel = "rdns_changes";

    /// <summary>First retry soon (a restarting server is often back in well under a second).</summary>
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>Retries settle at one every 10 s: quick enough to resume, slow enough not to hammer a down server.</summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A silent peer (a dropped network path) sends no error; a query after 30 s without a
    /// notification finds out, and costs nothing worth counting.
    /// </summary>
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    public async Task RunAsync(ChannelWriter<ChangeNotice> notices, CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await using var connection = await source.OpenConnectionAsync(cancellationToken);
                    connection.Notification += (_, e) =>
                    {
                        if (e.Channel == Channel && ChangeNoticeText.TryParse(e.Payload, out var notice))
                            notices.TryWrite(notice);
                    };
                    await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                        await listen.ExecuteNonQueryAsync(cancellationToken);
                    // What was committed before LISTEN took effect (since the consumer loaded its
                    // zones, or while the connection was down) was told to nobody: the consumer
                    // compares with the store now, and cannot miss what is committed after.
                    notices.TryWrite(new ChangeNotice(DnsName.Root, 0, ChangeKind.Listening));
                    backoff = FirstBackoff;
                    while (true)
                    {
                        if (!await connection.WaitAsync(IdleCheck, cancellationToken))
                        {
                            await using var ping = new NpgsqlCommand("SELECT 1", connection);
                            await ping.ExecuteNonQueryAsync(cancellationToken);
                        }
                    }
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Any failure of the connection (server restart, network, authentication) is
                    // retried: the watcher must outlive an outage of the database.
                }
                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping (the consumer left or the store is disposed) can surface as any exception
            // of the operation it interrupted; none of them is an error.
        }
        finally
        {
            notices.TryComplete();
        }
    }
}
