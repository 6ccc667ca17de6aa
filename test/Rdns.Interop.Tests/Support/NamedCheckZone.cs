namespace Rdns.Interop.Tests.Support;

/// <summary>BIND's <c>named-checkzone</c>, the reference for what a zone file may contain.</summary>
public static class NamedCheckZone
{
    /// <summary>
    /// Checks <paramref name="zoneText"/> as the zone <paramref name="zone"/>. On success stdout
    /// holds the zone as BIND read it, one record per line with absolute owners
    /// (<c>-D -o -</c>), so a test can see how relative names were understood.
    /// </summary>
    public static async Task<ProcessResult> CheckAsync(string zone, string zoneText)
    {
        // Absent means the environment is broken, which a test must report, not hide by skipping.
        string program = ProcessRunner.Find("named-checkzone")
            ?? throw new InvalidOperationException("named-checkzone is not installed (./test.sh installs bind9-utils)");
        string file = Path.Combine(Path.GetTempPath(), $"rdns-{Guid.NewGuid():N}.zone");
        await File.WriteAllTextAsync(file, zoneText);
        try
        {
            // -k fail: names that break the host-name rules are errors, not warnings.
            return await ProcessRunner.RunAsync(program, ["-k", "fail", "-D", "-o", "-", zone, file], TimeSpan.FromSeconds(30));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
