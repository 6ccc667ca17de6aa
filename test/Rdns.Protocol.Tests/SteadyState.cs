namespace Rdns.Protocol.Tests;

/// <summary>
/// "Allocates nothing in steady state", measured honestly: the JIT's tiered compilation may
/// allocate once while it promotes a method (more likely on a busy machine), so the claim is a
/// whole window of iterations without a single managed allocation on this thread, within a few
/// windows; a path that allocates per query never produces one.
/// </summary>
internal static class SteadyState
{
    public static void AssertAllocatesNothing(Action iteration, int perWindow = 10_000, int windows = 8)
    {
        for (int i = 0; i < 2_000; i++)
            iteration();
        var seen = new List<long>();
        for (int w = 0; w < windows; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < perWindow; i++)
                iteration();
            seen.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (seen[^1] == 0)
                return;
        }
        Assert.Fail($"allocated bytes per window of {perWindow} iterations: {string.Join(", ", seen)}");
    }
}
