using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rdns.Server;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Hosting;

/// <summary>Runs the DNS listeners, one set per configured address, for as long as the host runs.</summary>
public sealed partial class DnsService(DnsPipeline pipeline, ServedZones zones, ILoggerFactory loggers, IReadOnlyList<System.Net.IPEndPoint> endpoints) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger("Rdns.Dns");
    private readonly List<DnsServer> _servers = [];

    /// <summary>The listeners of the first address.</summary>
    public DnsServer Server => _servers.Count > 0 ? _servers[0] : throw new InvalidOperationException("not started");

    public IReadOnlyList<DnsServer> Servers => _servers;

    /// <summary>The running server, or null before start and after stop.</summary>
    public DnsServer? TryGetServer() => _servers.Count > 0 ? _servers[0] : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            for (int i = 0; i < endpoints.Count; i++)
            {
                var server = new DnsServer(pipeline, loggers, endpoints[i], i);
                _servers.Add(server);
                server.Start();
                LogListening(_logger, EndpointText.Format(server.LocalEndPoint), zones.Current.Count);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var server in _servers)
            server.Dispose();
        _servers.Clear();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "DNS listening on {Endpoint} (UDP and TCP), serving {Zones} zones")]
    private static partial void LogListening(ILogger logger, string endpoint, int zones);
}
