using System.Net;
using Microsoft.Extensions.Logging;
using Rdns.Zones;

namespace Rdns.Server;

/// <summary>The DNS service: UDP and TCP listeners on one address, sharing one query processor.</summary>
public sealed class DnsServer : IDisposable
{
    private readonly UdpListener _udp;
    private readonly DnsTcpListener _tcp;

    public DnsServer(ServedZones zones, ServerOptions options, ILoggerFactory loggers)
    {
        Processor = new QueryProcessor(zones, options);
        // TCP takes the port UDP got, so an ephemeral port (0) gives one address for both; the
        // kernel may have given UDP a port some TCP socket holds, so try again a few times.
        for (int attempt = 1; ; attempt++)
        {
            _udp = new UdpListener(Processor, options, loggers.CreateLogger("Rdns.Server.Udp"));
            try
            {
                _tcp = new DnsTcpListener(Processor, options, loggers.CreateLogger("Rdns.Server.Tcp"), _udp.LocalEndPoint);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (options.Endpoint.Port == 0 && attempt < 20)
            {
                _udp.Dispose();
            }
            catch
            {
                _udp.Dispose();
                throw;
            }
        }
    }

    public QueryProcessor Processor { get; }

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
