using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rdns.Control.Dnssec;

namespace Rdns.Hosting;

/// <summary>
/// Looks at every signed zone each <see cref="DnssecOptions.CheckInterval"/>: the rollover step
/// that is due, DNSKEY/CDS/CDNSKEY kept in line with the keys, a serial moved now and then so
/// secondaries fetch fresh signatures (<see cref="DnssecService.TickAsync"/>). Every node runs it;
/// a step two nodes take at once is committed by one and refused to the other by the store.
/// </summary>
public sealed partial class DnssecKeeper(DnssecService service, DnssecOptions options, TimeProvider time, ILogger<DnssecKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await service.TickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 620, Level = LogLevel.Warning, Message = "The DNSSEC key check failed; the next interval tries again")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
