using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Rdns.Hosting;

/// <summary>
/// systemd's Type=notify: READY=1 once zones are loaded and DNS and HTTP listen, STOPPING=1 when
/// SIGTERM starts the drain. Enabled whenever a service manager gave us NOTIFY_SOCKET — not only
/// when our parent is systemd (the library's own test), so a wrapper script or a container's init
/// can pass it on.
/// </summary>
public static class Systemd
{
    public static void Configure(IServiceCollection services)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
            return;
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<IHostLifetime, SystemdLifetime>();
    }
}
