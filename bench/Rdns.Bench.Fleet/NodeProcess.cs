using System.Diagnostics;
using System.Globalization;

namespace Rdns.Bench.Fleet;

/// <summary>A server process of the fleet: its output goes to a log file; SIGKILL on <see cref="Kill"/>; CPU read from /proc.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();

    private NodeProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static NodeProcess Start(string file, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            start.Environment[k] = v;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var node = new NodeProcess(process, log);
        process.OutputDataReceived += (_, e) => node.Write(e.Data);
        process.ErrorDataReceived += (_, e) => node.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Write(string? line)
    {
        if (line is null)
            return;
        lock (_gate)
            _log.WriteLine(line);
    }

    /// <summary>User plus system CPU seconds of the process so far (/proc/PID/stat utime + stime); 0 once it is gone.</summary>
    public double CpuSeconds() => CpuSecondsOf(_process.Id);

    public static double CpuSecondsOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces) start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / 100.0; // USER_HZ is 100 on Linux
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>SIGKILL: no chance to flush or say goodbye, as a crash or a power cut.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_gate)
            _log.Dispose();
    }
}
