using Microsoft.Extensions.Time.Testing;
using Rdns.Hosting;

namespace Rdns.Api.Tests;

/// <summary>
/// When the server gives memory back: a full trim once start-up is over and after growth (large
/// growth every 5 s at most, small growth, a sixteenth of the process, once a minute), the
/// program's pages alone when only they grew; never while the process is still growing.
/// </summary>
public sealed class TrimPolicyTests
{
    private const long MiB = 1L << 20;

    private readonly FakeTimeProvider _time = new();

    /// <summary>A policy past its start-up trim, the process holding 60 MiB, 10 of them file-backed.</summary>
    private TrimPolicy Settled(long resident = 60 * MiB, long file = 10 * MiB)
    {
        var policy = new TrimPolicy(_time);
        Assert.Equal(TrimAction.None, policy.Decide(resident, file));
        Assert.Equal(TrimAction.Full, After(3, policy, resident, file));
        policy.Done(TrimAction.Full, resident, file);
        return policy;
    }

    /// <summary>The policy's look at the process <paramref name="seconds"/> later.</summary>
    private TrimAction After(int seconds, TrimPolicy policy, long resident, long file)
    {
        _time.Advance(TimeSpan.FromSeconds(seconds));
        return policy.Decide(resident, file);
    }

    /// <summary>Each second's look at the process until one asks for a trim (done, and returned), or <paramref name="seconds"/> pass.</summary>
    private TrimAction Watch(TrimPolicy policy, long resident, long file, int seconds)
    {
        for (int s = 0; s < seconds; s++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var action = policy.Decide(resident, file);
            if (action != TrimAction.None)
            {
                policy.Done(action, resident, file);
                return action;
            }
        }
        return TrimAction.None;
    }

    [Fact]
    public void Start_up_is_trimmed_once_it_is_over_and_quiet_not_before()
    {
        var policy = new TrimPolicy(_time);
        Assert.Equal(TrimAction.None, policy.Decide(100 * MiB, 10 * MiB));
        Assert.Equal(TrimAction.None, After(1, policy, 100 * MiB, 10 * MiB));
        // Still growing at 3 s: not yet.
        Assert.Equal(TrimAction.None, After(2, policy, 120 * MiB, 10 * MiB));
        Assert.Equal(TrimAction.Full, After(1, policy, 120 * MiB, 10 * MiB));
    }

    [Fact]
    public void Large_growth_is_trimmed_once_quiet_and_again_after_five_seconds()
    {
        var policy = Settled();
        Assert.Equal(TrimAction.None, After(5, policy, 60 * MiB, 10 * MiB));
        // Growing: never in the middle of the work.
        Assert.Equal(TrimAction.None, After(1, policy, 80 * MiB, 10 * MiB));
        Assert.Equal(TrimAction.Full, After(1, policy, 80 * MiB, 10 * MiB));
        policy.Done(TrimAction.Full, 62 * MiB, 10 * MiB);
        // 16 MiB more at once, then quiet: within 5 s of the last trim, not yet; then at once.
        Assert.Equal(TrimAction.None, After(1, policy, 80 * MiB, 10 * MiB));
        Assert.Equal(TrimAction.None, After(1, policy, 80 * MiB, 10 * MiB));
        Assert.Equal(TrimAction.Full, Watch(policy, 80 * MiB, 10 * MiB, 10));
    }

    [Fact]
    public void Small_growth_of_a_small_process_is_trimmed_at_most_once_a_minute()
    {
        var policy = Settled();
        // 5 MiB on 60 MiB: more than a sixteenth and than 4 MiB, but the start-up trim was just now.
        Assert.Equal(TrimAction.None, Watch(policy, 65 * MiB, 10 * MiB, 50));
        Assert.Equal(TrimAction.Full, Watch(policy, 65 * MiB, 10 * MiB, 15));
        // Again grown by 5 MiB: a minute later, not before.
        Assert.Equal(TrimAction.None, Watch(policy, 70 * MiB, 10 * MiB, 55));
        Assert.Equal(TrimAction.Full, Watch(policy, 70 * MiB, 10 * MiB, 10));
    }

    [Fact]
    public void Growth_below_a_sixteenth_of_a_large_process_waits_for_16_MiB()
    {
        // 500 MiB held (millions of PTRs): 12 MiB more is under a sixteenth (31 MiB) and under 16 MiB.
        var policy = Settled(500 * MiB);
        Assert.Equal(TrimAction.None, Watch(policy, 512 * MiB, 10 * MiB, 120));
        Assert.Equal(TrimAction.Full, Watch(policy, 517 * MiB, 10 * MiB, 10));
    }

    [Fact]
    public void Growth_under_4_MiB_is_never_trimmed_in_full()
    {
        var policy = Settled(40 * MiB);
        Assert.Equal(TrimAction.None, Watch(policy, 40 * MiB + 3 * MiB, 10 * MiB, 180));
    }

    [Fact]
    public void Program_pages_grown_by_a_mebibyte_are_let_go_alone_at_most_twice_a_minute()
    {
        var policy = Settled();
        // Background work ran code: 2.5 MiB more file-backed, 3 MiB in all (no full trim for
        // that): let go once 30 s have passed since the start-up trim let go of them.
        Assert.Equal(TrimAction.None, Watch(policy, 63 * MiB, 12 * MiB + MiB / 2, 28));
        Assert.Equal(TrimAction.ProgramPages, Watch(policy, 63 * MiB, 12 * MiB + MiB / 2, 5));
        // Then run again at once: not within 30 s of the last time.
        Assert.Equal(TrimAction.None, Watch(policy, 63 * MiB + MiB / 2, 14 * MiB, 25));
        Assert.Equal(TrimAction.ProgramPages, Watch(policy, 63 * MiB + MiB / 2, 14 * MiB, 10));
        // Less than a mebibyte more: left.
        Assert.Equal(TrimAction.None, Watch(policy, 63 * MiB + MiB / 2, 14 * MiB + MiB / 2, 120));
    }

    [Fact]
    public void Statm_gives_the_resident_set_and_its_file_backed_part()
    {
        Assert.Equal((2000L * 4096, 300L * 4096), MemoryTrimmer.ParseStatm("123456 2000 300 150 0 4000 0\n", 4096));
        Assert.Null(MemoryTrimmer.ParseStatm("123456\n", 4096));
        Assert.Null(MemoryTrimmer.ParseStatm("a b c", 4096));
        if (OperatingSystem.IsLinux())
        {
            var (resident, file) = MemoryTrimmer.Resident();
            Assert.InRange(file, 1, resident);
        }
    }
}
