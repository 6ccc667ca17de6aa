using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rdns.Zones;

namespace Rdns.Server.Tests;

/// <summary>
/// A listener asked for any port (port 0) gets one nobody else holds. For a socket with
/// SO_REUSEPORT, Linux's choice of an ephemeral port skips only ports it could not share: a port
/// held by another SO_REUSEPORT socket of the same user counts as free, and the new socket joins
/// that group, taking a share of someone else's datagrams (or failing to bind beside it). Test
/// suites run many servers on ephemeral ports at once, as one user.
/// </summary>
public sealed class EphemeralPortTests
{
    [Fact]
    public void A_listener_on_port_zero_never_joins_another_sockets_reuseport_group()
    {
        // An address of the loopback no other test uses, an eighth of whose ephemeral ports are
        // held by SO_REUSEPORT sockets of this user (this process, as another server would).
        var address = IPAddress.Parse("127.0.0.77");
        var (low, high) = EphemeralRange();
        var held = new HashSet<int>();
        var foreign = new List<Socket>();
        try
        {
            for (int port = low; port <= high; port++)
            {
                if (port % 8 != 0)
                    continue;
                Socket s;
                try
                {
                    s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                }
                catch (SocketException)
                {
                    break; // out of descriptors: what is held so far has to do
                }
                SocketOptions.EnableReusePort(s);
                try
                {
                    s.Bind(new IPEndPoint(address, port));
                    foreign.Add(s);
                    held.Add(port);
                }
                catch (SocketException)
                {
                    s.Dispose(); // taken by another process (for all addresses, say)
                }
            }
            double share = (double)held.Count / (high - low + 1);
            Assert.True(share > 0.1, $"only {held.Count} ports of {low}-{high} could be held");

            // Enough listeners that, were each free to land on a held port with that chance, all
            // would miss them at most once in a million runs (about a hundred).
            int count = (int)Math.Ceiling(Math.Log(1e-6) / Math.Log(1 - share));
            var options = new ServerOptions { Endpoint = new IPEndPoint(address, 0), UdpWorkers = 2 };
            var pipeline = new Pipeline.DnsPipeline(new ServedZones(), options);
            var listeners = new List<UdpListener>();
            try
            {
                for (int i = 0; i < count; i++)
                    listeners.Add(new UdpListener(pipeline, options, NullLogger.Instance));
                foreach (var listener in listeners)
                {
                    Assert.DoesNotContain(listener.LocalEndPoint.Port, held);
                    Assert.All(listener.Sockets, s => Assert.Equal(listener.LocalEndPoint, s.LocalEndPoint));
                }
            }
            finally
            {
                foreach (var listener in listeners)
                    listener.Dispose();
            }
        }
        finally
        {
            foreach (var s in foreign)
                s.Dispose();
        }
    }

    /// <summary>The kernel's range of ephemeral ports (net.ipv4.ip_local_port_range).</summary>
    private static (int Low, int High) EphemeralRange()
    {
        var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
            .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }
}
