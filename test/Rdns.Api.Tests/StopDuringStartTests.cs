using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rdns.Hosting;

namespace Rdns.Api.Tests;

/// <summary>A stop asked for while the listeners are still starting is a clean stop, not an internal error.</summary>
public sealed class StopDuringStartTests
{
    [Fact]
    public async Task A_stop_during_start_is_reported_as_such_and_frees_the_data_directory()
    {
        var data = Directory.CreateTempSubdirectory("rdns-stop-").FullName;
        try
        {
            ServeSettings Settings() => new() { Data = data, Dns = "127.0.0.1:0", Http = "127.0.0.1:0", Quiet = true, NameServers = ["ns1.example.net."] };

            // What SIGTERM does to a host still starting: the lifetime stops, and whatever is
            // still starting sees its token cancelled.
            await Assert.ThrowsAsync<StoppedBeforeServingException>(() => ServeHost.StartAsync(Settings(), TextWriter.Null,
                services => services.AddHostedService<StopsWhileStarting>()));

            // Nothing is left holding the data directory: the next start serves.
            await using var host = await ServeHost.StartAsync(Settings(), TextWriter.Null);
            Assert.NotEqual(0, host.DnsEndpoint.Port);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private sealed class StopsWhileStarting(IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.StopApplication();
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
