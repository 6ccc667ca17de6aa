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
/// again once on a new one. Connections left idle past that time are closed by a sweep every
/// <see cref="KeepFor"/>, so a secondary that stops asking does not hold the primary's closed
/// connections (CLOSE_WAIT) until its next request.
/// </summary>
internal sealed class ConnectionPool : IDisposable
{
    /// <summary>16: as many as a secondary runs refreshes at once by default.</summary>
    public const int MaxIdlePerServer = 16;

    /// <summary>5 s: well within the idle timeouts of common servers.</summary>
    public static readonly TimeSpan DefaultKeepFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<IPEndPoint, ConcurrentQueue<TcpConnection>> _idle = new();
    private readonly long _keepForMs;
    private readonly Timer _sweeper;
    private int _sweeping;
    private long _opened;
    private long _reused;
    private volatile bool _disposed;

    /// <summary>Connections opened so far.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Requests sent on a connection an earlier request used.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    public ConnectionPool(TimeSpan? keepFor = null)
    {
        KeepFor = keepFor ?? DefaultKeepFor;
        _keepForMs = (long)KeepFor.TotalMilliseconds;
        // Not started until a connection is kept; holds no reference that keeps the pool alive.
        _sweeper = new Timer(static state => ((ConnectionPool)state!).Sweep(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>How long an idle connection is kept.</summary>
    public TimeSpan KeepFor { get; }

    /// <summary>Connections kept idle now, for every server.</summary>
    public int IdleCount => _idle.Values.Sum(q => q.Count);

    public void CountOpened() => Interlocked.Increment(ref _opened);

    /// <summary>An idle connection to <paramref name="server"/> that still looks usable, or null.</summary>
    public TcpConnection? Take(IPEndPoint server)
    {
        if (!_idle.TryGetValue(server, out var stack))
            return null;
        long now = Environment.TickCount64;
        while (stack.TryDequeue(out var connection))
        {
            if (now - connection.IdleSince <= _keepForMs && connection.LooksUsable())
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
        else if (Interlocked.CompareExchange(ref _sweeping, 1, 0) == 0)
            Schedule(KeepFor);
    }

    /// <summary>
    /// Closes the connections idle for longer than <see cref="KeepFor"/> or closed by their server;
    /// stops itself when nothing is left kept. Each queue is passed through once: a connection is
    /// either taken out and put back, or closed, and requests may take and return meanwhile.
    /// </summary>
    internal void Sweep()
    {
        long now = Environment.TickCount64;
        foreach (var queue in _idle.Values)
        {
            for (int n = queue.Count; n > 0 && queue.TryDequeue(out var connection); n--)
            {
                if (!_disposed && now - connection.IdleSince <= _keepForMs && connection.LooksUsable())
                    queue.Enqueue(connection);
                else
                    connection.Dispose();
            }
        }
        if (IdleCount == 0 || _disposed)
        {
            // Stopped before the flag is cleared: a connection kept meanwhile either finds the
            // flag set (and the check below restarts the sweep) or clears the way to start it.
            Schedule(Timeout.InfiniteTimeSpan);
            Volatile.Write(ref _sweeping, 0);
            if (!_disposed && IdleCount > 0 && Interlocked.CompareExchange(ref _sweeping, 1, 0) == 0)
                Schedule(KeepFor);
        }
    }

    /// <summary>Runs the sweep every <paramref name="period"/> (infinite: stops it); nothing once disposed.</summary>
    private void Schedule(TimeSpan period)
    {
        try
        {
            _sweeper.Change(period, period);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _sweeper.Dispose();
        foreach (var stack in _idle.Values)
        {
            while (stack.TryDequeue(out var connection))
                connection.Dispose();
        }
    }
}
