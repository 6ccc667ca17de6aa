using System.Globalization;
using System.Runtime.InteropServices;

namespace Rdns.Bench.Harness;

/// <summary>
/// What /proc says about a server and every process under it (NSD forks its servers, others run
/// threads in one process): proportional set size and CPU time.
/// </summary>
public static partial class ProcessTree
{
    /// <summary>The process and its descendants, found through the parent field of /proc/PID/stat.</summary>
    public static List<int> Members(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            var fields = StatFields(pid);
            if (fields is null)
                continue;
            int parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (!children.TryGetValue(parent, out var list))
                children[parent] = list = [];
            list.Add(pid);
        }
        var result = new List<int> { root };
        for (int i = 0; i < result.Count; i++)
        {
            if (children.TryGetValue(result[i], out var list))
                result.AddRange(list);
        }
        return result;
    }

    /// <summary>Sum of the Pss lines of /proc/PID/smaps_rollup over the tree, in bytes.</summary>
    public static long Pss(int root)
    {
        long kib = 0;
        foreach (int pid in Members(root))
        {
            try
            {
                foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
                {
                    if (!line.StartsWith("Pss:", StringComparison.Ordinal))
                        continue;
                    kib += long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The process ended between listing and reading.
            }
        }
        return kib * 1024;
    }

    /// <summary>utime + stime of the tree (threads included, finished threads too), in seconds.</summary>
    public static double CpuSeconds(int root)
    {
        long ticks = 0;
        foreach (int pid in Members(root))
        {
            var fields = StatFields(pid);
            if (fields is null)
                continue;
            // After "pid (comm)": state is field 3, utime 14, stime 15 (proc(5)); fields[0] is the state.
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        return (double)ticks / ClockTicks;
    }

    private static readonly long ClockTicks = Math.Max(1, SysConf(2 /* _SC_CLK_TCK */));

    /// <summary>The fields of /proc/PID/stat after the command name (which may hold spaces), or null when gone.</summary>
    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        int close = text.LastIndexOf(')');
        return close < 0 ? null : text[(close + 2)..].Split(' ');
    }

    /// <summary>SIGTERM, the way an init system stops a server.</summary>
    public static void Terminate(int pid) => _ = Kill(pid, 15);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
