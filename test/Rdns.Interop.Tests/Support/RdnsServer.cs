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

    private RdnsServer(Process process, string data, StringBuilder output, IPEndPoint dns)
    {
        _process = process;
        _data = data;
        _output = output;
        Dns = dns;
    }

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

    public static async Task<RdnsServer> StartAsync(string zonesDirectory)
    {
        await RdnsProcess.EnsureBuiltAsync();
        string data = Directory.CreateTempSubdirectory("rdns-serve-").FullName;
        var start = new ProcessStartInfo(RdnsProcess.Launcher)
        {
            ArgumentList = { "serve", "--zones", Path.GetFullPath(zonesDirectory), "--dns", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", data },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = data,
        };
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ./rdns serve");
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RdnsServer(process, data, output, new IPEndPoint(IPAddress.Loopback, 0));
        var exited = process.WaitForExitAsync();
        var ready = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (ready != listening.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"./rdns serve did not start listening:\n{server.Output}");
        }
        return new RdnsServer(process, data, output, await listening.Task);

        void Received(string? line)
        {
            if (line is null)
                return;
            lock (output)
                output.AppendLine(line);
            var m = ListeningLine().Match(line);
            if (m.Success)
                listening.TrySetResult(IPEndPoint.Parse(m.Groups[1].Value));
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
        Directory.Delete(_data, recursive: true);
    }

    [GeneratedRegex(@"DNS listening on (\S+)")]
    private static partial Regex ListeningLine();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
