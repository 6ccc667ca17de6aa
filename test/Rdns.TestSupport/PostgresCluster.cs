using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rdns.TestSupport;

/// <summary>
/// A PostgreSQL server of its own (initdb, pg_ctl) in a temporary folder, for tests that stop and
/// start the store under a running server — never the shared one <c>./test.sh</c> starts. As root
/// the server runs as the postgres user (runuser), as PostgreSQL requires.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;

    private PostgresCluster(string bin, string root, int port)
    {
        _bin = bin;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string for the <c>postgres</c> database (what <c>--store</c> takes).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0).LastOrDefault()
            ?? throw new InvalidOperationException("no PostgreSQL server under /usr/lib/postgresql (./test.sh installs it)");
        var root = Directory.CreateTempSubdirectory("rdns-pgcluster-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        if (IsRoot)
            await RunAsync("chown", ["postgres:", root]);
        await AsPostgresAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(root, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        for (int attempt = 0; ; attempt++)
        {
            var cluster = new PostgresCluster(bin, root, FreePort());
            try
            {
                await cluster.StartAgainAsync();
                return cluster;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>Starts the server (again) and returns when it accepts connections.</summary>
    public Task StartAgainAsync() =>
        AsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_root, "data"), "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_root} -c fsync=off", "start"]);

    /// <summary>Stops the server at once (connections are cut, as when a database host fails).</summary>
    public Task StopAsync() =>
        AsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_root, "data"), "-w", "-m", "immediate", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
        }
        Directory.Delete(_root, recursive: true);
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static Task AsPostgresAsync(string program, IEnumerable<string> arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)}: exit {process.ExitCode}\n{await stdout}\n{await stderr}");
    }
}
