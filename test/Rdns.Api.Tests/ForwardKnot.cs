using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rdns.Api.Tests;

/// <summary>
/// A real knotd serving one forward zone that tests change with knsupdate (RFC 2136), used as the
/// resolver the forward checks ask. Fails, never skips, when Knot is not installed.
/// </summary>
public sealed class ForwardKnot : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _log = new();

    private ForwardKnot(Process process, string folder, int port, string zone)
    {
        _process = process;
        _folder = folder;
        Port = port;
        Zone = zone;
    }

    public int Port { get; }

    public string Zone { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<ForwardKnot> StartAsync(string zone, string records)
    {
        var folder = Directory.CreateTempSubdirectory("rdns-knot-").FullName;
        // knotd does not create the journal's parent folder; dynamic updates fail without it.
        Directory.CreateDirectory(Path.Combine(folder, "db"));
        int port = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
        await File.WriteAllTextAsync(Path.Combine(folder, "zone.zone"),
            $"$ORIGIN {zone}\n$TTL 60\n@ SOA ns.{zone} admin.{zone} 1 60 60 600 60\n@ NS ns.{zone}\nns A 127.0.0.1\n{records}\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "knot.conf"),
            $"server:\n  listen: 127.0.0.1@{port}\n  rundir: {folder}\n" +
            $"database:\n  storage: {folder}/db\n" +
            "log:\n  - target: stderr\n    any: info\n" +
            "acl:\n  - id: local-update\n    address: 127.0.0.0/8\n    action: update\n" +
            $"zone:\n  - domain: {zone}\n    storage: {folder}\n    file: zone.zone\n    acl: local-update\n");
        var start = new ProcessStartInfo("knotd", ["-c", Path.Combine(folder, "knot.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("knotd is required for this test (Debian package knot): " + e.Message, e);
        }
        var knot = new ForwardKnot(process, folder, port, zone);
        process.ErrorDataReceived += (_, e) => { lock (knot._log) knot._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (knot._log) knot._log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        for (int i = 0; i < 100; i++)
        {
            if ((await RunAsync("kdig", $"@127.0.0.1 -p {port} +short {zone} SOA")).Output.Trim().Length > 0)
                return knot;
            await Task.Delay(100);
        }
        await knot.DisposeAsync();
        throw new InvalidOperationException($"knotd did not start: {knot._log}");
    }

    /// <summary>Applies an RFC 2136 update through knsupdate, e.g. "add x.example. 60 A 192.0.2.1".</summary>
    public async Task UpdateAsync(params string[] lines)
    {
        var script = $"server 127.0.0.1 {Port}\nzone {Zone}\n{string.Join('\n', lines)}\nsend\nquit\n";
        var result = await RunAsync("knsupdate", "", script);
        Assert.True(result.ExitCode == 0, $"knsupdate failed: {result.Output}");
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string? input = null)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        if (input is not null)
        {
            await p.StandardInput.WriteAsync(input);
            p.StandardInput.Close();
        }
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(cancel.Token);
        return (p.ExitCode, await output + await error);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
