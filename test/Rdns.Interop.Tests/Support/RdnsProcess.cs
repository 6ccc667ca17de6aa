namespace Rdns.Interop.Tests.Support;

/// <summary>Runs the real <c>./rdns</c> launcher at the repository root, as a user would.</summary>
public static class RdnsProcess
{
    /// <summary>Generous: the first run may build the CLI, with Native AOT (minutes on a busy machine).</summary>
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // The launcher prints "building..." on stderr when it builds; build once up front so no
    // test sees that line in the stderr it checks.
    private static readonly Lazy<Task> Built = new(async () =>
    {
        var result = await ProcessRunner.RunAsync(Launcher, ["--version"], BuildTimeout);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"./rdns --version failed: {result}");
    });

    public static string Launcher => Path.Combine(RepoRoot.Path, "rdns");

    /// <summary>Builds the CLI once (if needed) before a test starts it itself.</summary>
    public static Task EnsureBuiltAsync() => Built.Value;

    public static async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        await Built.Value;
        return await ProcessRunner.RunAsync(Launcher, arguments, Timeout);
    }
}
