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

    /// <summary>
    /// The start of a knotd configuration for a secondary of the Rdns at <paramref name="primaryPort"/>:
    /// its listener, database and log, the TSIG key when there is one, the primary as remote
    /// <c>rdns</c> and the ACL <c>from-rdns</c> that takes its NOTIFY. Templates and zones follow.
    /// </summary>
    public static string SecondaryHead(string folder, int knotPort, int primaryPort, Protocol.Tsig.TsigKey? key = null)
    {
        var text = new StringBuilder();
        text.Append($"server:\n    listen: 127.0.0.1@{knotPort}\n    rundir: {folder}\n");
        // knotd's per-message TCP limits (500 ms in, 5 s out by default) cut transfers short
        // on a loaded test machine; a test's own bounds decide when something is too slow.
        text.Append("    tcp-io-timeout: 30000\n    tcp-remote-io-timeout: 30000\n");
        text.Append($"database:\n    storage: {folder}/db\n");
        text.Append("log:\n  - target: stderr\n    any: info\n");
        string keyLine = "";
        if (key is not null)
        {
            text.Append($"key:\n  - id: {key.Name}\n    algorithm: {Protocol.Tsig.TsigAlgorithms.ToText(key.Algorithm)}\n    secret: {Convert.ToBase64String(key.Secret)}\n");
            keyLine = $"    key: {key.Name}\n";
        }
        text.Append($"remote:\n  - id: rdns\n    address: 127.0.0.1@{primaryPort}\n{keyLine}");
        text.Append($"acl:\n  - id: from-rdns\n    address: 127.0.0.1\n{keyLine}    action: notify\n");
        return text.ToString();
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
