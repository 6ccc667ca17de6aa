using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Rdns.Hosting;

/// <summary>
/// Console logging as operators of any .NET service expect it: levels per category from the
/// standard <c>Logging</c> section (settings file, <c>Logging__LogLevel__Default=Debug</c> or
/// <c>RDNS_LOGGING__LOGLEVEL__RDNS.NOTIFY=Debug</c>), reloaded on SIGHUP, and <c>--log-format
/// json</c> for one JSON object per line.
/// </summary>
public static class LogSetup
{
    public static void Configure(ILoggingBuilder logging, ServeSettings settings)
    {
        logging.ClearProviders();
        if (settings.Quiet)
            return;
        if (settings.LogFormat == "json")
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = false;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }
        // The defaults first: rules from the configuration are added after them, so a level set
        // for the same category there wins.
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        if (settings.Configuration() is { } configuration)
            logging.AddConfiguration(configuration.GetSection("Logging"));
    }

    /// <summary>The levels the <c>Logging</c> section sets, as one line for the reload log ("Default=Information, Rdns.Notify=Debug").</summary>
    public static string Describe(IConfiguration? configuration)
    {
        if (configuration is null)
            return "";
        var levels = configuration.GetSection("Logging:LogLevel").GetChildren().Select(c => $"{c.Key}={c.Value}");
        return string.Join(", ", levels.Order(StringComparer.Ordinal));
    }
}
