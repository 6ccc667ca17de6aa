using Rdns.Hosting;

namespace Rdns.Api.Tests;

/// <summary>
/// The zone files a <c>--zones</c> import has in flight: enough small ones that the writer always
/// finds a full batch, never so many octets that large files crowd the memory, and a file larger
/// than the whole budget still goes (alone).
/// </summary>
public sealed class ImportWindowTests
{
    [Fact]
    public async Task Small_files_go_in_up_to_the_count_and_the_next_waits_for_one_to_leave()
    {
        var window = new ImportWindow(files: 4, octets: 1 << 20);
        for (int i = 0; i < 4; i++)
            Assert.True(window.EnterAsync(500, default).IsCompletedSuccessfully);

        await WaitsUntilOneLeavesAsync(window, window.EnterAsync(500, default), leaving: 500);
    }

    [Fact]
    public async Task Files_go_in_while_their_octets_fit_and_one_larger_than_the_budget_goes_alone()
    {
        var window = new ImportWindow(files: 256, octets: 1000);
        Assert.True(window.EnterAsync(600, default).IsCompletedSuccessfully);
        Assert.True(window.EnterAsync(400, default).IsCompletedSuccessfully);

        // 1,000 octets in flight: one more octet waits.
        await WaitsUntilOneLeavesAsync(window, window.EnterAsync(1, default), leaving: 600);

        // A file of 5,000 octets waits until nothing else is in flight, then goes alone.
        var large = window.EnterAsync(5000, default);
        window.Leave(400);
        await WaitsUntilOneLeavesAsync(window, large, leaving: 1);
        await WaitsUntilOneLeavesAsync(window, window.EnterAsync(1, default), leaving: 5000);
    }

    /// <summary>The entry waits, and goes in once a file of <paramref name="leaving"/> octets has left.</summary>
    private static async Task WaitsUntilOneLeavesAsync(ImportWindow window, Task entry, long leaving)
    {
        await Task.Delay(50);
        Assert.False(entry.IsCompleted);
        window.Leave(leaving);
        await entry.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_wait_ends_when_the_import_is_cancelled()
    {
        var window = new ImportWindow(files: 1, octets: 1000);
        await window.EnterAsync(10, default);
        using var cancel = new CancellationTokenSource();
        var waiting = window.EnterAsync(10, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
