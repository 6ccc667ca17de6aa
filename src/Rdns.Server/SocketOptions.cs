using System.Net.Sockets;

namespace Rdns.Server;

internal static class SocketOptions
{
    private const int SolSocket = 1;
    private const int SoReusePortLinux = 15;
    private const int SolSocketMac = 0xffff;
    private const int SoReusePortMac = 0x0200;

    private const int SoReuseAddrLinux = 2;
    private const int SoReuseAddrMac = 0x0004;

    /// <summary>
    /// SO_REUSEADDR alone: a restarted server binds while its old connections linger in TIME_WAIT.
    /// .NET's own ReuseAddress option also sets SO_REUSEPORT on Unix, which would let a second
    /// process listen on the same TCP port and take half the connections.
    /// </summary>
    public static void EnableReuseAddress(Socket socket)
    {
        Span<byte> one = stackalloc byte[4];
        BitConverter.TryWriteBytes(one, 1);
        if (OperatingSystem.IsLinux())
            socket.SetRawSocketOption(SolSocket, SoReuseAddrLinux, one);
        else if (OperatingSystem.IsMacOS())
            socket.SetRawSocketOption(SolSocketMac, SoReuseAddrMac, one);
        else
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
    }

    /// <summary>
    /// Fails with AddressAlreadyInUse when any other socket is bound to <paramref name="endpoint"/>:
    /// a socket without SO_REUSEPORT cannot share an address, so binding one proves nobody holds
    /// it. Run before the SO_REUSEPORT sockets are bound, which would otherwise join another
    /// process's group silently (the kernel allows that for the same user).
    /// </summary>
    public static void ProveUdpAddressFree(System.Net.IPEndPoint endpoint)
    {
        using var probe = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            probe.DualMode = false;
        probe.Bind(endpoint);
    }

    /// <summary>
    /// <paramref name="endpoint"/> with a port no socket holds, for a listener asked for any port:
    /// a socket without SO_REUSEPORT is bound to port 0, and the port the kernel gives it is taken.
    /// Binding the SO_REUSEPORT sockets to port 0 instead would let the kernel give them a port
    /// another SO_REUSEPORT socket of the same user already holds (it counts such a port as free,
    /// since it could be shared), joining that socket's group and taking a share of its datagrams.
    /// The probe is closed before the listener's sockets bind: another process taking the port in
    /// between is caught as for a fixed port (address in use), except by a socket that itself
    /// joins groups silently.
    /// </summary>
    public static System.Net.IPEndPoint FreeUdpEndpoint(System.Net.IPEndPoint endpoint)
    {
        using var probe = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            probe.DualMode = false;
        probe.Bind(endpoint);
        return (System.Net.IPEndPoint)probe.LocalEndPoint!;
    }

    /// <summary>SO_REUSEPORT: several sockets on one address, the kernel balancing datagrams between them.</summary>
    public static void EnableReusePort(Socket socket)
    {
        Span<byte> one = stackalloc byte[4];
        BitConverter.TryWriteBytes(one, 1);
        if (OperatingSystem.IsLinux())
            socket.SetRawSocketOption(SolSocket, SoReusePortLinux, one);
        else
            socket.SetRawSocketOption(SolSocketMac, SoReusePortMac, one);
    }

    // Linux <netinet/in.h>, <linux/in6.h>; macOS <netinet/in.h>, <netinet6/in6.h>.
    private const int IpProtoIp = 0, IpProtoIpv6 = 41;
    private const int IpMtuDiscoverLinux = 10, Ipv6MtuDiscoverLinux = 23, PmtuDiscProbe = 3;
    private const int Ipv6DontFragLinux = 62;
    private const int IpDontFragMac = 28, Ipv6DontFragMac = 62;

    /// <summary>
    /// Answers go out never fragmented (RFC 9715 §3.1): on Linux, IPv4 datagrams carry DF and
    /// IPv6 ones are not fragmented by the sender (IP(V6)_PMTUDISC_PROBE, with IPV6_DONTFRAG),
    /// the path MTU the kernel learns from ICMP being ignored, so a forged "fragmentation needed"
    /// cannot shrink or drop answers; on macOS, IP(V6)_DONTFRAG. UDP answers are at most
    /// <see cref="ServerOptions.MaxUdpPayload"/> (1,232) octets, which fits the smallest IPv6 MTU
    /// (1,280) with its headers, so nothing needs fragmenting. With DF set and no connected peer,
    /// Linux also leaves the IPv4 identification 0 (RFC 6864 §4.1) rather than drawing it from
    /// its shared, hashed counters for every datagram.
    /// </summary>
    public static void NeverFragment(Socket socket)
    {
        Span<byte> value = stackalloc byte[4];
        bool v4 = socket.AddressFamily == AddressFamily.InterNetwork;
        if (OperatingSystem.IsLinux())
        {
            BitConverter.TryWriteBytes(value, PmtuDiscProbe);
            socket.SetRawSocketOption(v4 ? IpProtoIp : IpProtoIpv6, v4 ? IpMtuDiscoverLinux : Ipv6MtuDiscoverLinux, value);
            if (!v4)
            {
                BitConverter.TryWriteBytes(value, 1);
                socket.SetRawSocketOption(IpProtoIpv6, Ipv6DontFragLinux, value);
            }
        }
        else if (OperatingSystem.IsMacOS())
        {
            BitConverter.TryWriteBytes(value, 1);
            socket.SetRawSocketOption(v4 ? IpProtoIp : IpProtoIpv6, v4 ? IpDontFragMac : Ipv6DontFragMac, value);
        }
    }
}
