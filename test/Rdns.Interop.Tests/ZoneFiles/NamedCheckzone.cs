using System.Diagnostics;

namespace Rdns.Interop.Tests.ZoneFiles;

/// <summary>
/// BIND's named-checkzone, run for real. A missing binary fails the test: a zone-file check that
/// quietly did not happen would look exactly like one that passed.
/// </summary>
internal static class NamedCheckzone
{
    private static readonly Lazy<string?> Executable = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"])
            .Select(dir => Path.Combine(dir, "named-checkzone"))
            .FirstOrDefault(File.Exists));

    /// <summary>
    /// Checks <paramref name="file"/> as zone <paramref name="zone"/> with in-zone integrity checks
    /// (<c>-i local</c>) and dumps what BIND loaded to <paramref name="dump"/> (<c>-D -o</c>), so the
    /// caller can compare BIND's reading with its own. Fails the test unless BIND exits 0.
    /// </summary>
    public static void CheckAndDump(string zone, string file, string dump)
    {
        var exe = Executable.Value;
        if (exe is null)
            Assert.Fail("named-checkzone is not installed (./test.sh installs bind9-utils); these tests need the real one");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "-i", "local", "-D", "-o", dump, zone, file })
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"named-checkzone {zone} {file} did not finish in 60 s");
        }
        var output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"named-checkzone {zone} {file} exited {process.ExitCode}:\n{output}");
    }
}
