using System.Collections.Concurrent;
using System.Net;

namespace Rdns.Transfer;

/// <summary>
/// Idle TCP connections to the servers asked, kept for the next request (RFC 7766 §6.2.1: a
/// client should reuse a connection rather than open one per query). A secondary that refreshes
/// a zone on every NOTIFY otherwise opens and closes a connection per change, which costs both
/// sides a handshake, an accept and a close each time. At most <see cref="MaxIdlePerServer"/> are
/// kept per server, each for at most <see cref="KeepFor"/> (servers close idle connections after
/// their own timeout: Rdns and Knot 10 s, BIND 30 s); one the server closed meanwhile is noticed
/// before it is used, and a request that fails on a reused connection before any answer is sent
/// again once on a new one.
/// </summary>
internal sealed class ConnectionPool : IDisposable
{
    /// <summary>16: as many as a secondary runs refreshes at once by default.</summary>
    public const int MaxIdlePerServer = 16;

    /// <summary>5 s: well within the idle timeouts of common servers.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<IPEndPoint, ConcurrentQueue<TcpConnection>> _idle = new();
    private long _opened;
    private long _reused;
    private volatile bool _disposed;

    /// <summary>Connections opened so far.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Requests sent on a connection an earlier request used.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    public void CountOpened() => Interlocked.Increment(ref _opened);

    /// <summary>An idle connection to <paramref name="server"/> that still looks usable, or null.</summary>
    public TcpConnection? Take(IPEndPoint server)
    {
        if (!_idle.TryGetValue(server, out var stack))
            return null;
        long now = Environment.TickCount64;
        while (stack.TryDequeue(out var connection))
        {
            if (now - connection.IdleSince <= KeepFor.TotalMilliseconds && connection.LooksUsable())
            {
                connection.Reused = true;
                Interlocked.Increment(ref _reused);
                return connection;
            }
            connection.Dispose();
        }
        return null;
    }

    /// <summary>Keeps a connection whose exchange ended cleanly; closes it when the pool for its server is full.</summary>
    public void Return(TcpConnection connection)
    {
        connection.IdleSince = Environment.TickCount64;
        var stack = _idle.GetOrAdd(connection.Server, _ => new ConcurrentQueue<TcpConnection>());
        if (_disposed || stack.Count >= MaxIdlePerServer)
        {
            connection.Dispose();
            return;
        }
        stack.Enqueue(connection);
        if (_disposed && stack.TryDequeue(out var late))
            late.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var stack in _idle.Values)
        {
            while (stack.TryDequeue(out var connection))
                connection.Dispose();
        }
    }
}
