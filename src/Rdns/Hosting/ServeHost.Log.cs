using Microsoft.Extensions.Logging;

namespace Rdns.Hosting;

public static partial class ServeHost
{
    [LoggerMessage(EventId = 630, Level = LogLevel.Information, Message = "Imported {Files} zone files from {Directory}; durable in the store")]
    private static partial void LogZoneFilesDurable(ILogger logger, int files, string directory);

    [LoggerMessage(EventId = 631, Level = LogLevel.Warning, Message = "SQLite bulk inserts bind rows through SQLitePCLRaw's ordinary calls (slower imports): {Reason}")]
    private static partial void LogSqliteBulkBindingFallback(ILogger logger, string reason);
}
