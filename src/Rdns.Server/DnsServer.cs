using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Server;

/// <summary>The DNS service: UDP and TCP listeners on one address, sharing one query pipeline.</summary>
public sealed class DnsServer : IDisposable
{
    private readonly UdpListener _udp;
    private readonly DnsTcpListener _tcp;

    public DnsServer(DnsPipeline pipeline, ILoggerFactory loggers)
        : this(pipeline, loggers, pipeline.Options.Endpoint, 0)
    {
    }

    /// <summary>
    /// The listeners of one of several addresses (<c>--dns</c> given more than once), numbered by
    /// <paramref name="index"/>: views match on the address a query arrived on.
    /// </summary>
    public DnsServer(DnsPipeline pipeline, ILoggerFactory loggers, IPEndPoint endpoint, int index)
    {
        Pipeline = pipeline;
        var options = pipeline.Options.For(endpoint);
        var udpLogger = loggers.CreateLogger("Rdns.Server.Udp");
        var tcpLogger = loggers.CreateLogger("Rdns.Server.Tcp");
        (_udp, _tcp) = BindOnePort(
            () => new UdpListener(pipeline, options, udpLogger, index),
            bound => new DnsTcpListener(pipeline, options, tcpLogger, bound, index),
            anyPort: options.Endpoint.Port == 0,
            endpoint: options.Endpoint);
    }

    /// <summary>A server answering only QUERY from <paramref name="zones"/> (no transfers, NOTIFY or UPDATE).</summary>
    public DnsServer(ServedZones zones, ServerOptions options, ILoggerFactory loggers)
        : this(new DnsPipeline(zones, options), loggers)
    {
    }

    /// <summary>
    /// Binds UDP, then TCP on the port UDP got, so an ephemeral port (0) gives one address for
    /// both. A port the kernel finds free for UDP may be in use for TCP (an outgoing connection's
    /// local port, say); with port 0 another port is then tried, with a fixed port the error stands.
    /// The same holds for a UDP port chosen free and taken before the listener's sockets bound it.
    /// </summary>
    internal static (UdpListener Udp, DnsTcpListener Tcp) BindOnePort(
        Func<UdpListener> udp, Func<IPEndPoint, DnsTcpListener> tcp, bool anyPort, int attempts = 32, IPEndPoint? endpoint = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            UdpListener u;
            try
            {
                u = udp();
            }
            catch (SocketException e) when (!anyPort && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new AddressInUseException("UDP", endpoint ?? new IPEndPoint(IPAddress.Any, 0), e);
            }
            catch (SocketException e) when (anyPort && attempt < attempts && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // The port chosen for UDP was taken before its sockets bound: choose again.
                continue;
            }
            try
            {
                return (u, tcp(u.LocalEndPoint));
            }
            catch (SocketException e) when (!anyPort && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                u.Dispose();
                throw new AddressInUseException("TCP", u.LocalEndPoint, e);
            }
            catch (SocketException e) when (anyPort && attempt < attempts && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                u.Dispose();
            }
            catch
            {
                u.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Fails with <see cref="AddressInUseException"/> when another process holds the address for
    /// UDP or TCP: checked before anything else starts, so a second server stops with one line
    /// and touches nothing. Binding proper checks again (the address may be taken in between).
    /// </summary>
    public static void EnsureAddressFree(IPEndPoint endpoint)
    {
        if (endpoint.Port == 0)
            return;
        try
        {
            SocketOptions.ProveUdpAddressFree(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException("UDP", endpoint, e);
        }
        using var tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        SocketOptions.EnableReuseAddress(tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            tcp.DualMode = false;
        try
        {
            tcp.Bind(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException("TCP", endpoint, e);
        }
    }

    public DnsPipeline Pipeline { get; }

    public DnsTcpListener Tcp => _tcp;

    public UdpListener Udp => _udp;

    public IPEndPoint LocalEndPoint => _udp.LocalEndPoint;

    public void Start()
    {
        _udp.Start();
        _tcp.Start();
    }

    public void Dispose()
    {
        _tcp.Dispose();
        _udp.Dispose();
    }
}
