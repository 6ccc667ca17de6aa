using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rdns.Server.Stages;
using Rdns.Storage;

namespace Rdns.Hosting;

/// <summary>
/// Keeps the DNS cookie secret in step with the store: every node of one store answers with the
/// same secret, so a client's cookie is good at any of them (anycast), and it is rotated every
/// <see cref="CookieOptions.RotateEvery"/> by whichever node sees it due first (the store's
/// compare-and-set makes it one rotation). Each node re-reads the pair every minute; the previous
/// secret keeps validating cookies handed out before a rotation (RFC 9018 §5).
/// </summary>
public sealed partial class CookieSecretKeeper(IRdnsStore store, CookieSecrets secrets, CookieOptions options, TimeProvider time, ILogger<CookieSecretKeeper> logger)
    : BackgroundService
{
    public const string SecretName = "dns-cookie";

    /// <summary>A minute: a rotation reaches every node well within the hour a cookie lives.</summary>
    public static readonly TimeSpan ReloadEvery = TimeSpan.FromMinutes(1);

    /// <summary>Reads the shared secret, creating or rotating it when due, and puts it in use.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetSecretAsync(SecretName, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (stored is null)
        {
            await store.TryPutSecretAsync(new ServerSecret(SecretName, RandomNumberGenerator.GetBytes(CookieSecrets.Size), null, now), null, cancellationToken)
                .ConfigureAwait(false);
            stored = await store.GetSecretAsync(SecretName, cancellationToken).ConfigureAwait(false);
        }
        else if (now - stored.RotatedAt >= options.RotateEvery)
        {
            var next = new ServerSecret(SecretName, RandomNumberGenerator.GetBytes(CookieSecrets.Size), stored.Current, now);
            if (await store.TryPutSecretAsync(next, stored.RotatedAt, cancellationToken).ConfigureAwait(false))
                LogRotated(logger);
            stored = await store.GetSecretAsync(SecretName, cancellationToken).ConfigureAwait(false);
        }
        if (stored is not null && !stored.Current.AsSpan().SequenceEqual(secrets.Current))
            secrets.Set(stored.Current, stored.Previous);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ReloadEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await SyncAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The secret in use stays valid; the next minute tries again.
                LogSyncFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "DNS cookie secret rotated; the previous one is accepted until the next rotation")]
    private static partial void LogRotated(ILogger logger);

    [LoggerMessage(EventId = 611, Level = LogLevel.Warning, Message = "Could not read the shared DNS cookie secret from the store; keeping the one in use")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
