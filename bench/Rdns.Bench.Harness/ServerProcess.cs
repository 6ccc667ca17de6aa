using System.Diagnostics;

namespace Rdns.Bench.Harness;

/// <summary>
/// A server the harness started: its output goes to a log file, and it is stopped (SIGTERM, then
/// SIGKILL) on <see cref="Dispose"/>, on Ctrl+C and when the harness exits, whatever happened.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private static readonly List<ServerProcess> Running = [];
    private readonly Process _process;
    private readonly StreamWriter _log;

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        Console.CancelKeyPress += (_, _) => StopAll();
    }

    private ServerProcess(Process process, StreamWriter log, Stopwatch clock)
    {
        _process = process;
        _log = log;
        Clock = clock;
    }

    /// <summary>Started just before the process was spawned.</summary>
    public Stopwatch Clock { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ServerProcess Start(string file, IEnumerable<string> arguments, string logPath, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string a in arguments)
            info.ArgumentList.Add(a);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        log.WriteLine($"$ {file} {string.Join(' ', info.ArgumentList)}");
        var clock = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var server = new ServerProcess(process, log, clock);
        process.OutputDataReceived += (_, e) => server.Write(e.Data);
        process.ErrorDataReceived += (_, e) => server.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (Running)
            Running.Add(server);
        return server;
    }

    private void Write(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.WriteLine(line);
    }

    /// <summary>SIGTERM and up to <paramref name="grace"/> to exit, then SIGKILL to the whole tree.</summary>
    public void Stop(TimeSpan grace)
    {
        try
        {
            if (!_process.HasExited)
            {
                ProcessTree.Terminate(_process.Id);
                if (!_process.WaitForExit(grace))
                    _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(10));
        lock (Running)
            Running.Remove(this);
        lock (_log)
            _log.Dispose();
        _process.Dispose();
    }

    private static void StopAll()
    {
        ServerProcess[] all;
        lock (Running)
            all = [.. Running];
        foreach (var server in all)
            server.Stop(TimeSpan.FromSeconds(2));
    }
}
