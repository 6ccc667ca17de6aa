using System.Net.Sockets;

namespace Rdns.Server;

internal static class SocketOptions
{
    private const int SolSocket = 1;
    private const int SoReusePortLinux = 15;
    private const int SolSocketMac = 0xffff;
    private const int SoReusePortMac = 0x0200;

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
