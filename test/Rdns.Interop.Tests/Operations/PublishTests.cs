using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Operations;

/// <summary>
/// <c>./rdns publish DIR</c> gives a program that runs where no .NET is installed: started with
/// DOTNET_ROOT unset and no dotnet on PATH, it serves, answers kdig, and runs on the runtime it
/// carries (not the machine's): Native AOT where it can be built, else ReadyToRun.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PublishTests
{
    /// <summary>A file an older publish left; the new publish must not keep it.</summary>
    private const string Leftover = "Rdns.Leftover.dll";

    /// <summary>
    /// Published once per test run (it compiles the whole server for one platform), over what
    /// stands for a previous publish: its marker and a file the new build does not have.
    /// </summary>
    private static readonly Lazy<Task<string>> Published = new(async () =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"rdns-published-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, ".rdns-publish"), "rdns publish (ReadyToRun, linux-x64) 2026-01-01T00:00:00Z\n");
        await File.WriteAllTextAsync(Path.Combine(dir, Leftover), "from an older publish");
        var result = await ProcessRunner.RunAsync(RdnsProcess.Launcher, ["publish", dir], TimeSpan.FromMinutes(20));
        Assert.True(result.ExitCode == 0, result.ToString());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    });

    [Fact]
    public async Task A_publish_over_a_previous_one_replaces_it_whole()
    {
        var dir = await Published.Value;
        Assert.False(File.Exists(Path.Combine(dir, Leftover)), "a file of the previous publish survived beside the new build");
        Assert.StartsWith("rdns publish (", await File.ReadAllTextAsync(Path.Combine(dir, ".rdns-publish")));
        Assert.True(File.Exists(Path.Combine(dir, "rdns")));
        // Nothing of the swap is left beside it.
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(dir)!, $".{Path.GetFileName(dir)}.*"));
    }

    [Fact]
    public async Task A_directory_holding_other_files_is_refused_before_anything_is_built()
    {
        var dir = Directory.CreateTempSubdirectory("rdns-not-a-publish-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "notes.txt"), "someone else's");
            var result = await ProcessRunner.RunAsync(RdnsProcess.Launcher, ["publish", dir], TimeSpan.FromMinutes(1));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("is not empty and is not a previous publish", result.Stderr);
            Assert.DoesNotContain("publishing (", result.Stderr);
            Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_published_binary_answers_without_the_sdk()
    {
        var dir = await Published.Value;
        var empty = Directory.CreateTempSubdirectory("rdns-nopath-").FullName;
        var zones = Directory.CreateTempSubdirectory("rdns-published-zones-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(zones, "2.0.192.in-addr.arpa.zone"), """
                $ORIGIN 2.0.192.in-addr.arpa.
                @ 3600 IN SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 3600
                @ 3600 IN NS  ns1.example.net.
                7 3600 IN PTR published.example.net.
                """);
            var environment = new Dictionary<string, string?>
            {
                ["DOTNET_ROOT"] = null,
                ["DOTNET_ROOT_X64"] = null,
                ["DOTNET_HOST_PATH"] = null,
                ["MSBuildExtensionsPath"] = null,
                ["MSBuildSDKsPath"] = null,
                ["PATH"] = empty,
            };
            await using var server = await RdnsServer.StartAsync(null, ["--zones", zones], environment, Path.Combine(dir, "rdns"));
            var kdig = ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig not installed");
            var answer = await ProcessRunner.RunAsync(kdig, ["@127.0.0.1", "-p", server.Dns.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+short", "-x", "192.0.2.7"], TimeSpan.FromSeconds(10));
            Assert.Equal("published.example.net.", answer.Stdout.Trim());
            // The runtime it runs on is the one it carries: compiled into the executable (Native
            // AOT), or beside it (the ReadyToRun and self-contained fall-backs); never the machine's.
            var maps = await File.ReadAllTextAsync($"/proc/{server.ProcessId}/maps");
            if (File.Exists(Path.Combine(dir, "libcoreclr.so")))
                Assert.Contains(Path.Combine(dir, "libcoreclr.so"), maps);
            else
                Assert.DoesNotContain("libcoreclr.so", maps);
            Assert.DoesNotContain("/usr/share/dotnet", maps);
            var version = await ProcessRunner.RunAsync(Path.Combine(dir, "rdns"), ["version"], TimeSpan.FromSeconds(30));
            Assert.StartsWith("rdns ", version.Stdout);

            // The unit file, pointed at this build, is one systemd accepts.
            var unit = Path.Combine(empty, "rdns.service");
            await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "deploy", "rdns.service"))).Replace("/opt/rdns/", dir + "/"));
            var analyze = ProcessRunner.Find("systemd-analyze") ?? throw new InvalidOperationException("systemd-analyze not installed (systemd)");
            var verified = await ProcessRunner.RunAsync(analyze, ["verify", unit], TimeSpan.FromSeconds(30));
            Assert.True(verified.ExitCode == 0 && !verified.Stderr.Contains("rdns.service"), verified.ToString());
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
            Directory.Delete(zones, recursive: true);
        }
    }
}
