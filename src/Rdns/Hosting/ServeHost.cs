using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rdns.Server;
using Rdns.Zones;

namespace Rdns.Hosting;

/// <summary>Composes <c>rdns serve</c>: zones, the DNS listeners and the HTTP API in one host.</summary>
public static class ServeHost
{
    public static async Task<int> RunAsync(ServeSettings settings, TextWriter output, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        Directory.CreateDirectory(settings.Data);

        var zones = new ServedZones();
        if (settings.Zones is not null)
            zones.Replace(ZoneSet.From(ZoneDirectory.Load(settings.Zones)));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(settings.HttpEndpoint));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var serverOptions = new ServerOptions
        {
            Endpoint = settings.DnsEndpoint,
            Nsid = settings.Nsid,
            UdpWorkers = settings.UdpWorkers ?? Environment.ProcessorCount,
        };
        builder.Services.AddSingleton(zones);
        builder.Services.AddSingleton(serverOptions);
        builder.Services.AddSingleton<DnsService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DnsService>());

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/readyz", () => Results.Ok(new { status = "ready", zones = zones.Current.Count }));

        await app.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
