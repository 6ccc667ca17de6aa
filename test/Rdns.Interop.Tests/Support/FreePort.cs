using System.Net;
using System.Net.Sockets;

namespace Rdns.Interop.Tests.Support;

/// <summary>Ports on 127.0.0.1 for servers that must be told a port up front (knotd).</summary>
public static class FreePort
{
    /// <summary>A port free for both UDP and TCP at the moment of asking; DNS servers bind both.</summary>
    public static int ForUdpAndTcp()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }
}
