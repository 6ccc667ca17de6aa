using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rdns.Control.Tenants;

/// <summary>Re-checks custom PTRs' forward records every <see cref="TenantOptions.RecheckInterval"/>.</summary>
public sealed partial class DriftChecker(TenantReverseService reverses, TenantOptions options, ILogger<DriftChecker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.RecheckInterval, stoppingToken).ConfigureAwait(false);
                var (checkedCount, changed) = await reverses.RecheckAllAsync(stoppingToken).ConfigureAwait(false);
                LogRechecked(logger, checkedCount, changed);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Re-checked {Checked} custom PTRs; {Changed} changed status")]
    private static partial void LogRechecked(ILogger logger, int @checked, int changed);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Re-checking custom PTRs failed; will try again next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
