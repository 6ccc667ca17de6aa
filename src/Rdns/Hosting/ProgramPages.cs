using System.Globalization;
using System.Runtime.InteropServices;

namespace Rdns.Hosting;

/// <summary>
/// Lets go of the pages of the program's own files that the process has mapped: the executable's
/// code and read-only data, and those of the shared libraries it loaded. Start-up
/// runs a great deal of code once (configuration, the container, the HTTP pipeline, the store's
/// schema check) that a serving process never runs again, and the kernel also maps the pages
/// around each one touched; all of it stays counted as the process's memory (RSS, PSS) for as long
/// as it stays mapped. <c>madvise(MADV_DONTNEED)</c> on such a mapping only drops the process's
/// page-table entries: the pages stay in the kernel's page cache, and a page the process touches
/// again comes back from there on first touch (a minor fault), counted again. Only mappings that
/// cannot hold data of the process's own are advised: private, not writable, of a file that
/// stays mapped for the life of the process (the executable and <c>.so</c> libraries, which the
/// dynamic loader relocates before it makes them read-only), with no anonymous (copied-on-write)
/// pages in them. Assemblies mapped by the .NET runtime of a JIT build are left alone: the runtime
/// may make a page of one writable to relocate it while this runs.
/// </summary>
internal static partial class ProgramPages
{
    private const int MadvDontNeed = 4;

    /// <summary>Drops the process's mappings of its program files' pages; returns the resident kB dropped (Linux only, else 0).</summary>
    public static long Release()
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        string executable;
        IEnumerable<string> smaps;
        try
        {
            executable = Path.GetFullPath(File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true)?.FullName ?? "");
            smaps = File.ReadLines("/proc/self/smaps");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        long released = 0;
        try
        {
            foreach (var mapping in Mappings(smaps))
            {
                if (!IsProgramFile(mapping, executable))
                    continue;
                if (Madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), MadvDontNeed) == 0)
                    released += mapping.ResidentKb;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException)
        {
            // No madvise (not glibc or musl), or /proc gone: the pages stay mapped, as before.
        }
        return released;
    }

    internal readonly record struct Mapping(ulong Start, ulong End, string Permissions, string Path, long ResidentKb, long AnonymousKb, bool Locked);

    internal static bool IsProgramFile(Mapping mapping, string executable) =>
        mapping.Permissions.Length == 4 && mapping.Permissions[1] == '-' && mapping.Permissions[3] == 'p'
        && mapping.AnonymousKb == 0 && mapping.ResidentKb > 0 && !mapping.Locked
        && mapping.Path.StartsWith('/') && !mapping.Path.EndsWith(" (deleted)", StringComparison.Ordinal)
        && (mapping.Path == executable || mapping.Path.EndsWith(".so", StringComparison.Ordinal) || mapping.Path.Contains(".so.", StringComparison.Ordinal));

    /// <summary>The mappings of a <c>/proc/PID/smaps</c> text: each header line, then its fields.</summary>
    internal static IEnumerable<Mapping> Mappings(IEnumerable<string> smaps)
    {
        Mapping? current = null;
        foreach (string line in smaps)
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && IsHex(line.AsSpan(0, dash)))
            {
                if (current is { } done)
                    yield return done;
                // start-end perms offset dev inode [path]
                string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                current = new Mapping(
                    ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    parts.Length > 1 ? parts[1] : "",
                    parts.Length > 5 ? parts[5].Trim() : "",
                    0, 0, false);
            }
            else if (current is { } mapping)
            {
                if (line.StartsWith("Rss:", StringComparison.Ordinal))
                    current = mapping with { ResidentKb = Kb(line) };
                else if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
                    current = mapping with { AnonymousKb = Kb(line) };
                else if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
                    current = mapping with { Locked = line.Contains(" lo", StringComparison.Ordinal) };
            }
        }
        if (current is { } last)
            yield return last;
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
                return false;
        }
        return text.Length > 0;
    }

    private static long Kb(string line)
    {
        var value = line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim();
        int end = value.IndexOf(' ');
        return long.TryParse(end < 0 ? value : value[..end], NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb : -1;
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
