using System.Diagnostics;
using System.Text;

namespace Rdns.TestSupport;

/// <summary>
/// A running <c>knotd</c> on a configuration file, its standard output and error kept for
/// assertion messages; killed on <see cref="StopAsync"/>. Fails, never skips, without knotd.
/// </summary>
public sealed class KnotProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private KnotProcess(Process process) => _process = process;

    /// <summary>What knotd has written so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static KnotProcess Start(string configFile)
    {
        var start = new ProcessStartInfo("knotd", ["-c", configFile]) { RedirectStandardError = true, RedirectStandardOutput = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("knotd is required (Debian package knot): " + e.Message, e);
        }
        var knot = new KnotProcess(process);
        process.ErrorDataReceived += (_, e) => { lock (knot._log) knot._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (knot._log) knot._log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return knot;
    }

    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
