using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Rdns.Interop.Tests.Support;

/// <summary>
/// A running <c>./rdns serve</c> on 127.0.0.1 with ports the kernel picks, serving a directory of
/// zone files; its output is kept for inspection, and it is stopped with SIGTERM as an operator
/// would stop it.
/// </summary>
public sealed partial class RdnsServer : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly string _data;
    private readonly StringBuilder _output;

    private RdnsServer(Process process, string data, StringBuilder output, IPEndPoint dns, Uri? http = null, bool ownsData = true)
    {
        _process = process;
        _data = data;
        _output = output;
        Dns = dns;
        Http = http;
        _ownsData = ownsData;
    }

    private readonly bool _ownsData;

    /// <summary>The HTTP API's base address.</summary>
    public Uri? Http { get; }

    /// <summary>The data directory (store and admin key).</summary>
    public string Data => _data;

    /// <summary>The operator key written at first start (or by the first node of a shared store).</summary>
    public string AdminKey => File.ReadAllText(Path.Combine(_data, "admin.key")).Trim();

    public int ProcessId => _process.Id;

    /// <summary>The DNS address, UDP and TCP alike.</summary>
    public IPEndPoint Dns { get; }

    public bool IsRunning => !_process.HasExited;

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>
    /// Log lines that must never appear: errors and critical failures (the console logger's
    /// <c>fail:</c> and <c>crit:</c>), and the runtime's report of an unhandled exception.
    /// </summary>
    public IReadOnlyList<string> FailureLines() =>
        Output.Split('\n').Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)
            || l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)).ToList();

    public static Task<RdnsServer> StartAsync(string zonesDirectory) =>
        StartAsync(null, ["--zones", Path.GetFullPath(zonesDirectory)]);

    /// <summary>How long a start may take before the test gives up: generous, as the whole suite runs on two busy cores.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Starts <c>./rdns serve</c> on free ports with <paramref name="data"/> (a new folder when
    /// null, deleted on dispose; an existing one is kept) and extra arguments; returns when both DNS
    /// and HTTP listen.
    /// </summary>
    public static Task<RdnsServer> StartAsync(string? data, IEnumerable<string> arguments) => StartAsync(data, arguments, null);

    /// <summary>
    /// As above, with <paramref name="environment"/> changed for the server (a null value removes
    /// a variable) and, when given, another <paramref name="executable"/> than ./rdns (a published build).
    /// </summary>
    public static async Task<RdnsServer> StartAsync(string? data, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, string? executable = null)
    {
        if (executable is null)
            await RdnsProcess.EnsureBuiltAsync();
        bool ownsData = data is null;
        data ??= Directory.CreateTempSubdirectory("rdns-serve-").FullName;
        var start = new ProcessStartInfo(executable ?? RdnsProcess.Launcher)
        {
            ArgumentList = { "serve", "--http", "127.0.0.1:0", "--data", data },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = data,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        var extra = arguments.ToList();
        if (!extra.Contains("--dns"))
            extra.AddRange(["--dns", "127.0.0.1:0"]);
        foreach (var argument in extra)
            start.ArgumentList.Add(argument);
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var http = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ./rdns serve");
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RdnsServer(process, data, output, new IPEndPoint(IPAddress.Loopback, 0), null, ownsData);
        var exited = process.WaitForExitAsync();
        var ready = await Task.WhenAny(Task.WhenAll(listening.Task, http.Task), exited, Task.Delay(StartTimeout));
        if (!listening.Task.IsCompleted || !http.Task.IsCompleted)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"./rdns serve did not start listening:\n{server.Output}");
        }
        _ = ready;
        return new RdnsServer(process, data, output, await listening.Task, await http.Task, ownsData);

        void Received(string? line)
        {
            if (line is null)
                return;
            lock (output)
                output.AppendLine(line);
            var m = ListeningLine().Match(line);
            if (m.Success)
                listening.TrySetResult(IPEndPoint.Parse(m.Groups[1].Value));
            var h = HttpLine().Match(line);
            if (h.Success)
                http.TrySetResult(new Uri(h.Groups[1].Value));
        }
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            if (kill(_process.Id, SigTerm) != 0)
                throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
            using var cancel = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cancel.Token);
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_ownsData)
            Directory.Delete(_data, recursive: true);
    }

    [GeneratedRegex(@"DNS listening on (\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"HTTP API listening on (\S+)")]
    private static partial Regex HttpLine();

    /// <summary>Sends a signal (SIGHUP: 1) to the server.</summary>
    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>SIGKILL: the process dies at once, mid-write if it was writing; nothing is flushed or closed.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            if (kill(_process.Id, 9) != 0)
                throw new InvalidOperationException($"kill -9 {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
            await _process.WaitForExitAsync();
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
