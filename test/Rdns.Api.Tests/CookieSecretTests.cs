using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rdns.Hosting;
using Rdns.Server.Stages;
using Rdns.Storage;
using Rdns.TestSupport;

namespace Rdns.Api.Tests;

/// <summary>Every node of one store answers DNS cookies with the same secret, rotated once for all of them.</summary>
public sealed class CookieSecretTests
{
    [Fact]
    public async Task Nodes_of_one_store_share_the_cookie_secret_and_one_rotation_reaches_them_all()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T00:00:00Z"));
        var options = new CookieOptions { RotateEvery = TimeSpan.FromDays(1) };
        await using var storeA = StoreFactory.Open(new StoreOptions { Connection = db.ConnectionString }, "unused");
        await using var storeB = StoreFactory.Open(new StoreOptions { Connection = db.ConnectionString }, "unused");
        await storeA.MigrateAsync();
        var a = new CookieSecrets();
        var b = new CookieSecrets();
        var keeperA = new CookieSecretKeeper(storeA, a, options, time, NullLogger<CookieSecretKeeper>.Instance);
        var keeperB = new CookieSecretKeeper(storeB, b, options, time, NullLogger<CookieSecretKeeper>.Instance);

        // Two nodes starting at once: one secret for both.
        await Task.WhenAll(keeperA.SyncAsync(default), keeperB.SyncAsync(default));
        Assert.Equal(a.Current, b.Current);
        var first = a.Current;

        // A day later both see it due; one rotation happens, and both end with it.
        time.Advance(TimeSpan.FromDays(1));
        await Task.WhenAll(keeperA.SyncAsync(default), keeperB.SyncAsync(default));
        Assert.Equal(a.Current, b.Current);
        Assert.NotEqual(first, a.Current);
        Assert.Equal(first, a.Previous);
        Assert.Equal(first, b.Previous);
        var stored = await storeA.GetSecretAsync(CookieSecretKeeper.SecretName);
        Assert.Equal(time.GetUtcNow(), stored!.RotatedAt);

        // Within the day nothing rotates.
        time.Advance(TimeSpan.FromHours(23));
        var current = a.Current;
        await keeperA.SyncAsync(default);
        Assert.Equal(current, a.Current);
    }
}
