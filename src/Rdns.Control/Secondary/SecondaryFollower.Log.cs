using Microsoft.Extensions.Logging;

namespace Rdns.Control.Secondary;

public sealed partial class SecondaryFollower
{
    [LoggerMessage(EventId = 350, Level = LogLevel.Information, Message = "Zone {Zone}: {Kind} from {Primary}, serial {From} to {To} ({Bytes} bytes)")]
    private static partial void LogTransferred(ILogger logger, string zone, string kind, string primary, uint from, uint to, long bytes);

    [LoggerMessage(EventId = 351, Level = LogLevel.Warning, Message = "Zone {Zone}: refresh failed ({Failures} in a row), keeping what is served: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string zone, int failures, string reason);

    [LoggerMessage(EventId = 352, Level = LogLevel.Error, Message = "Zone {Zone} expired: no primary reached since {Since:u}, longer than its SOA EXPIRE of {Expire} s; answering SERVFAIL until a refresh succeeds")]
    private static partial void LogExpired(ILogger logger, string zone, DateTimeOffset since, long expire);

    [LoggerMessage(EventId = 353, Level = LogLevel.Debug, Message = "NOTIFY for {Zone} (serial {Serial}): refreshing now")]
    private static partial void LogNotified(ILogger logger, string zone, string serial);

    [LoggerMessage(EventId = 354, Level = LogLevel.Warning, Message = "Catalog {Catalog}: {Problem}")]
    private static partial void LogCatalogProblem(ILogger logger, string catalog, string problem);

    [LoggerMessage(EventId = 355, Level = LogLevel.Error, Message = "Catalog {Catalog} has schema version {Version}; only version 2 is understood (RFC 9432 §5.1), so its members are not changed")]
    private static partial void LogCatalogVersion(ILogger logger, string catalog, string version);

    [LoggerMessage(EventId = 356, Level = LogLevel.Information, Message = "Zone {Zone} left catalog {Catalog}: deleted here")]
    private static partial void LogMemberRemoved(ILogger logger, string zone, string catalog);

    [LoggerMessage(EventId = 357, Level = LogLevel.Error, Message = "Applying catalog {Catalog} failed; the next refresh retries")]
    private static partial void LogCatalogFailed(ILogger logger, string catalog, Exception exception);

    [LoggerMessage(EventId = 358, Level = LogLevel.Error, Message = "Zone {Zone}: refresh failed unexpectedly; retrying later")]
    private static partial void LogRefreshBug(ILogger logger, string zone, Exception exception);

    [LoggerMessage(EventId = 359, Level = LogLevel.Warning, Message = "The refresh times of followed zones could not be saved: {Reason}")]
    private static partial void LogTimesNotSaved(ILogger logger, string reason);
}
