using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>
/// The directory `rdns serve` is started from is not its business: under systemd it is <c>/</c>.
/// Nothing there is read or watched (a watched configuration file once meant an inotify watch on
/// every directory below the working directory, and seconds of start-up from <c>/</c>).
/// </summary>
public sealed class WorkingDirectoryTests
{
    [Fact]
    public async Task Serve_watches_nothing_under_its_working_directory()
    {
        var data = Directory.CreateTempSubdirectory("rdns-cwd-").FullName;
        for (int i = 0; i < 300; i++)
            Directory.CreateDirectory(Path.Combine(data, "tree", $"d{i / 20}", $"d{i}"));
        await using var server = await RdnsServer.StartAsync(data, []);
        Assert.True(server.IsRunning);
        Assert.Equal(0, InotifyWatches(server.ProcessId));
        Directory.Delete(Path.Combine(data, "tree"), recursive: true);
    }

    /// <summary>The process's inotify watches: one "inotify wd:" line per watch in /proc/PID/fdinfo.</summary>
    private static int InotifyWatches(int pid)
    {
        int watches = 0;
        foreach (var info in Directory.EnumerateFiles($"/proc/{pid}/fdinfo"))
        {
            try
            {
                watches += File.ReadLines(info).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // The descriptor closed while being read.
            }
        }
        return watches;
    }
}
