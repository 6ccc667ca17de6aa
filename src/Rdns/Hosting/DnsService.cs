using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rdns.Server;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Hosting;

/// <summary>Runs the DNS listeners for as long as the host runs.</summary>
public sealed partial class DnsService(DnsPipeline pipeline, ServedZones zones, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger("Rdns.Dns");
    private DnsServer? _server;

    public DnsServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>The running server, or null before start and after stop.</summary>
    public DnsServer? TryGetServer() => _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new DnsServer(pipeline, loggers);
        _server.Start();
        LogListening(_logger, EndpointText.Format(_server.LocalEndPoint), zones.Current.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _server?.Dispose();
        _server = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _server?.Dispose();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "DNS listening on {Endpoint} (UDP and TCP), serving {Zones} zones")]
    private static partial void LogListening(ILogger logger, string endpoint, int zones);
}
