namespace Rdns.Storage.Tests;

/// <summary>Secrets every node of a store shares: created once, rotated by compare-and-set.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_shared_secret_is_created_once_and_rotated_by_exactly_one_writer()
    {
        var t0 = DateTimeOffset.UnixEpoch.AddDays(20_000);
        Assert.Null(await Store.GetSecretAsync("dns-cookie"));
        Assert.True(await Store.TryPutSecretAsync(new ServerSecret("dns-cookie", [1, 1], null, t0), null));
        // A second node creating it at the same time loses, and reads the first one's.
        await using var other = OpenStore();
        Assert.False(await other.TryPutSecretAsync(new ServerSecret("dns-cookie", [2, 2], null, t0), null));
        Assert.Equal([1, 1], (await other.GetSecretAsync("dns-cookie"))!.Current);
        // Two nodes rotating from the same state: one wins, the stale one changes nothing.
        var t1 = t0.AddDays(1);
        Assert.True(await Store.TryPutSecretAsync(new ServerSecret("dns-cookie", [3, 3], [1, 1], t1), t0));
        Assert.False(await other.TryPutSecretAsync(new ServerSecret("dns-cookie", [4, 4], [1, 1], t1), t0));
        var now = (await other.GetSecretAsync("dns-cookie"))!;
        Assert.Equal([3, 3], now.Current);
        Assert.Equal([1, 1], now.Previous);
        Assert.Equal(t1, now.RotatedAt);
    }
}
