using System.Collections.Concurrent;
using System.Net.Sockets;
using Rdns.Server.Pipeline;

namespace Rdns.Server;

/// <summary>
/// Who holds the TCP connections, so no one can hold them all (RFC 7766 §6.2.2, RFC 9210): at
/// most <see cref="ServerOptions.MaxTcpConnectionsPerClient"/> per client network (/24, /56),
/// the named secondaries excepted (<see cref="ServerOptions.ExemptFromClientShare"/>);
/// when every slot is taken, the connection idle the longest is closed to make room, so clients
/// that only hold connections open lose them to clients that ask questions; and past three
/// quarters full, idle connections get a short timeout, which the keepalive option (RFC 7828)
/// tells clients.
/// </summary>
public sealed class TcpConnectionTable(ServerOptions options, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<Connection, byte> _open = new();
    private readonly ConcurrentDictionary<(bool V6, UInt128 Network), int> _perNetwork = new();
    private readonly Lock _admission = new();
    private long _evicted;
    private long _refused;

    /// <summary>One accepted connection: its socket, its client network, and when it last did something.</summary>
    public sealed class Connection(Socket socket, (bool V6, UInt128 Network) network, long now)
    {
        private long _lastActivity = now;
        private int _busy;

        public Socket Socket { get; } = socket;

        internal (bool V6, UInt128 Network) Network { get; } = network;

        public CancellationTokenSource Closing { get; } = new();

        public long LastActivity => Volatile.Read(ref _lastActivity);

        /// <summary>True while a request is being answered: never evicted then.</summary>
        public bool Busy => Volatile.Read(ref _busy) != 0;

        public void Begin(long now)
        {
            Volatile.Write(ref _lastActivity, now);
            Volatile.Write(ref _busy, 1);
        }

        public void End(long now)
        {
            Volatile.Write(ref _lastActivity, now);
            Volatile.Write(ref _busy, 0);
        }
    }

    public int Count => _open.Count;

    /// <summary>Idle connections closed to make room for new ones.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Connections refused: their network held its share, or every slot was busy.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public long Now => _time.GetTimestamp();

    /// <summary>How long an idle connection is kept now: the setting, or a tenth of it (at least 1 s) when the table is three quarters full.</summary>
    public TimeSpan IdleTimeout =>
        _open.Count * 4 >= options.MaxTcpConnections * 3
            ? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, options.TcpIdleTimeout.Ticks / 10))
            : options.TcpIdleTimeout;

    /// <summary>The keepalive option's value: the idle timeout in units of 100 ms (RFC 7828 §3.1).</summary>
    public ushort KeepaliveUnits => (ushort)Math.Min(ushort.MaxValue, IdleTimeout.TotalMilliseconds / 100);

    /// <summary>Admits a new connection, closing the longest-idle one when full; null when it must be refused.</summary>
    public Connection? TryAdmit(Socket socket, ClientAddress client, out string? refusal)
    {
        var network = (client.IsV6, client.Network(client.IsV6 ? 56 : 24));
        bool exempt = options.ExemptFromClientShare is { } isExempt && client.IsKnown && isExempt(client.ToIPAddress());
        Connection? victim = null;
        Connection admitted;
        lock (_admission)
        {
            if (!exempt && _perNetwork.GetValueOrDefault(network) >= options.MaxTcpConnectionsPerClient)
            {
                Interlocked.Increment(ref _refused);
                refusal = $"its network already holds {options.MaxTcpConnectionsPerClient} connections";
                return null;
            }
            if (_open.Count >= options.MaxTcpConnections)
            {
                foreach (var c in _open.Keys)
                {
                    if (!c.Busy && (victim is null || c.LastActivity < victim.LastActivity))
                        victim = c;
                }
                if (victim is null)
                {
                    Interlocked.Increment(ref _refused);
                    refusal = $"all {options.MaxTcpConnections} connections are answering queries";
                    return null;
                }
                Forget(victim);
                Interlocked.Increment(ref _evicted);
            }
            admitted = new Connection(socket, network, Now);
            _open[admitted] = 0;
            _perNetwork.AddOrUpdate(network, 1, (_, n) => n + 1);
        }
        // Closing the victim's reads makes its loop end and dispose it.
        victim?.Closing.Cancel();
        refusal = null;
        return admitted;
    }

    /// <summary>Forgets a connection (idempotent).</summary>
    public void Release(Connection connection)
    {
        lock (_admission)
            Forget(connection);
    }

    private void Forget(Connection connection)
    {
        if (!_open.TryRemove(connection, out _))
            return;
        int left = _perNetwork.GetValueOrDefault(connection.Network) - 1;
        if (left <= 0)
            _perNetwork.TryRemove(connection.Network, out _);
        else
            _perNetwork[connection.Network] = left;
    }
}
