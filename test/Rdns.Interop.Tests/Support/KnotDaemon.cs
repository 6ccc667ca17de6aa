using System.Diagnostics;
using System.Net;
using System.Text;

namespace Rdns.Interop.Tests.Support;

/// <summary>
/// A throwaway Knot DNS server (<c>knotd</c>) on 127.0.0.1 and a free port, serving the given
/// zone files from a temporary folder; stopped and cleaned up on dispose.
/// </summary>
public sealed class KnotDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private KnotDaemon(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <param name="zones">Zone name (absolute) → master-file text.</param>
    /// <param name="transferKeys">TSIG keys knotd knows; when given, every zone allows AXFR to them (and only them).</param>
    /// <param name="updateKey">A key knotd accepts DNS UPDATE (RFC 2136) from, for every zone; it may transfer too.</param>
    /// <param name="onlineSign">Sign every zone's answers with Knot's <c>mod-onlinesign</c> (ECDSA P-256, keys made at start).</param>
    public static async Task<KnotDaemon> StartAsync(IReadOnlyDictionary<string, string> zones, IReadOnlyList<KnotKey>? transferKeys = null, KnotKey? updateKey = null,
        bool onlineSign = false)
    {
        string folder = Directory.CreateTempSubdirectory("rdns-knot-").FullName;
        var files = new List<(string Zone, string File)>();
        foreach (var (zone, text) in zones)
        {
            string file = Path.Combine(folder, $"zone{files.Count}.zone");
            await File.WriteAllTextAsync(file, text);
            files.Add((zone, file));
        }
        return await StartAsync(folder, files, transferKeys, updateKey, onlineSign);
    }

    /// <summary>
    /// Serves every <c>*.zone</c> file of <paramref name="directory"/> in place, the file name
    /// without <c>.zone</c> being the zone's name (as <c>rdns serve --zones</c> reads them).
    /// </summary>
    public static Task<KnotDaemon> StartFromDirectoryAsync(string directory)
    {
        string folder = Directory.CreateTempSubdirectory("rdns-knot-").FullName;
        var files = Directory.EnumerateFiles(directory, "*.zone").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f).TrimEnd('.') + ".", Path.GetFullPath(f)))
            .ToList();
        return StartAsync(folder, files);
    }

    private static async Task<KnotDaemon> StartAsync(string folder, IReadOnlyList<(string Zone, string File)> zones, IReadOnlyList<KnotKey>? transferKeys = null, KnotKey? updateKey = null,
        bool onlineSign = false)
    {
        string knotd = ProcessRunner.Find("knotd")
            ?? throw new InvalidOperationException("knotd is not installed (./test.sh installs knot)");
        // The free port may be taken again before knotd binds it; knotd then exits at once.
        for (int attempt = 1; ; attempt++)
        {
            var (daemon, log) = await StartOnceAsync(knotd, folder, zones, FreePort.ForUdpAndTcp(), transferKeys, updateKey, onlineSign);
            if (daemon is not null)
                return daemon;
            if (attempt == 5 || !log.Contains("cannot bind", StringComparison.Ordinal))
            {
                Directory.Delete(folder, recursive: true);
                throw new InvalidOperationException($"knotd did not serve its zones:\n{log}");
            }
        }
    }

    private static async Task<(KnotDaemon? Daemon, string Log)> StartOnceAsync(
        string knotd, string folder, IReadOnlyList<(string Zone, string File)> zones, int port, IReadOnlyList<KnotKey>? transferKeys, KnotKey? updateKey = null,
        bool onlineSign = false)
    {
        // Zone files are only read: no flushing back, no journal. Semantic checks off, so Knot
        // serves exactly what rdns serves from the same files.
        var config = new StringBuilder()
            .Append($"server:\n  rundir: {folder}\n  listen: 127.0.0.1@{port}\n")
            // knotd gives one message of an outgoing transfer 500 ms by default; on a loaded
            // test machine kdig can be slower than that to read, and knotd cuts the AXFR short.
            .Append("  tcp-io-timeout: 30000\n  tcp-remote-io-timeout: 30000\n")
            .Append($"database:\n  storage: {folder}/db\n")
            .Append($"template:\n  - id: default\n    storage: {folder}\n    zonefile-sync: -1\n    journal-content: none\n    semantic-checks: off\n")
            .Append(onlineSign ? "    module: mod-onlinesign\n" : "");
        if (transferKeys is { Count: > 0 })
        {
            config.Append("key:\n");
            foreach (var key in transferKeys)
                config.Append($"  - id: {key.Name}\n    algorithm: {key.Algorithm}\n    secret: {key.Secret}\n");
            config.Append($"acl:\n  - id: tsig-transfer\n    key: [{string.Join(", ", transferKeys.Select(k => k.Name))}]\n    action: transfer\n");
        }
        if (updateKey is not null)
        {
            config.Append($"key:\n  - id: {updateKey.Name}\n    algorithm: {updateKey.Algorithm}\n    secret: {updateKey.Secret}\n");
            config.Append($"acl:\n  - id: tsig-update\n    key: {updateKey.Name}\n    action: [update, transfer]\n");
        }
        config.Append("zone:\n");
        foreach (var (zone, file) in zones)
        {
            config.Append($"  - domain: {zone}\n    file: {file}\n");
            if (transferKeys is { Count: > 0 })
                config.Append("    acl: tsig-transfer\n");
            else if (updateKey is not null)
                config.Append("    acl: tsig-update\n");
        }
        // The key database of mod-onlinesign lives there, and knotd does not make the folder.
        Directory.CreateDirectory(Path.Combine(folder, "db"));
        string configFile = Path.Combine(folder, "knot.conf");
        await File.WriteAllTextAsync(configFile, config.ToString());

        var start = new ProcessStartInfo(knotd)
        {
            ArgumentList = { "-c", configFile },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start knotd");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new KnotDaemon(process, folder, port);

        // Ready when every zone answers its SOA.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        foreach (var (zone, _) in zones)
        {
            while (true)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    await daemon.StopAsync();
                    lock (log) return (null, $"(zone {zone} not served)\n{log}");
                }
                var soa = await daemon.QueryAsync(zone, "SOA");
                if (soa.Stdout.Contains("\tSOA\t", StringComparison.Ordinal))
                    break;
                await Task.Delay(100);
            }
        }
        return (daemon, "");
    }

    /// <summary>
    /// Asks the server with <c>kdig</c>, recursion off; stdout holds the answer and authority
    /// sections, one record per line.
    /// </summary>
    public Task<ProcessResult> QueryAsync(string name, string type)
    {
        string kdig = ProcessRunner.Find("kdig")
            ?? throw new InvalidOperationException("kdig is not installed (./test.sh installs knot-dnsutils)");
        return ProcessRunner.RunAsync(kdig,
            ["@127.0.0.1", "-p", Port.ToString(), "+norec", "+noall", "+answer", "+authority", "+retry=0", "+time=2", name, type],
            TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>A TSIG key in knotd's own configuration terms (name, algorithm, base64 secret).</summary>
public sealed record KnotKey(string Name, string Algorithm, string Secret);
