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
}
