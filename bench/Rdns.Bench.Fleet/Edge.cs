using System.Net;

namespace Rdns.Bench.Fleet;

/// <summary>
/// One secondary of the fleet: an Rdns node in secondary mode (<c>rdns serve --primary</c>, its own
/// SQLite store) or knotd (catalog interpreted), each on its own port of 127.0.0.1 and its own
/// folder. <see cref="Epoch"/> changes at every kill and start, so a measurement that spans one is
/// thrown away rather than counted.
/// </summary>
internal sealed class Edge(string name, EdgeKind kind, string folder, int port, int httpPort) : IDisposable
{
    private NodeProcess? _process;
    private double _cpuOfEarlierLives;
    private int _epoch;

    public string Name { get; } = name;
    public EdgeKind Kind { get; } = kind;
    public string Folder { get; } = folder;
    public IPEndPoint Dns { get; } = new(IPAddress.Loopback, port);
    public int HttpPort { get; } = httpPort;

    /// <summary>True while the edge answers (from its first answer after a start until it is killed).</summary>
    public volatile bool Up;

    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>CPU seconds of every life of this edge so far.</summary>
    public double CpuSeconds => _cpuOfEarlierLives + (_process?.CpuSeconds() ?? 0);

    public void Start(FleetOptions options, int primaryPort)
    {
        Directory.CreateDirectory(Folder);
        var log = Path.Combine(Folder, "server.log");
        if (Kind == EdgeKind.Rdns)
        {
            _process = NodeProcess.Start(options.Rdns,
                ["serve", "--data", Folder, "--dns", $"127.0.0.1:{Dns.Port}", "--http", $"127.0.0.1:{HttpPort}", "--rrl-rate", "0", "--primary", $"127.0.0.1:{primaryPort}"],
                log, Primary.QuietLogs);
        }
        else
        {
            Directory.CreateDirectory(Path.Combine(Folder, "db"));
            var config = Path.Combine(Folder, "knot.conf");
            File.WriteAllText(config, KnotConfig(primaryPort));
            _process = NodeProcess.Start(options.Knotd, ["-c", config], log);
        }
        Interlocked.Increment(ref _epoch);
    }

    /// <summary>
    /// Knot as a secondary of the Rdns primary through its catalog (the template every member
    /// gets): NOTIFY taken from the primary, transfers allowed to 127.0.0.2 (the harness's check at
    /// the end), the journal kept so IXFR works across restarts. Tuned as an edge that follows many
    /// zones changing often would be: 8 background workers (each zone refresh is one; the default
    /// is one per CPU), outgoing TCP connections kept (<c>remote-pool-limit</c>), and the journal
    /// written asynchronously (Knot's advice for secondaries with many zones).
    /// </summary>
    private string KnotConfig(int primaryPort) => $"""
        server:
            listen: 127.0.0.1@{Dns.Port}
            rundir: {Folder}
            background-workers: 8
            remote-pool-limit: 16
        database:
            storage: {Folder}/db
            journal-db-mode: asynchronous
        log:
          - target: stderr
            any: warning
        remote:
          - id: primary
            address: 127.0.0.1@{primaryPort}
        acl:
          - id: notify-from-primary
            address: 127.0.0.1
            action: notify
          - id: harness
            address: 127.0.0.2
            action: transfer
        template:
          - id: default
            storage: {Folder}
            master: primary
            acl: [notify-from-primary, harness]
            zonefile-sync: -1
            zonefile-load: none
            journal-content: all
        zone:
          - domain: catalog.invalid.
            catalog-role: interpret
            catalog-template: default

        """;

    /// <summary>SIGKILL; the edge is down until started again.</summary>
    public void Kill()
    {
        Up = false;
        Interlocked.Increment(ref _epoch);
        if (_process is not null)
        {
            _cpuOfEarlierLives += _process.CpuSeconds();
            _process.Dispose();
            _process = null;
        }
    }

    /// <summary>
    /// Lets the harness transfer from this edge at the end: for an Rdns edge, 127.0.0.2 becomes one of
    /// its secondaries by a settings file and SIGHUP (nothing changes any more, so no NOTIFY of note
    /// goes there); knotd allows it from the start.
    /// </summary>
    public void AllowHarnessTransfers()
    {
        if (Kind != EdgeKind.Rdns || _process is null)
            return;
        File.WriteAllText(Path.Combine(Folder, "rdns.json"), """{ "Secondaries": ["127.0.0.2:9"] }""");
        Primary.SendSignal(_process.Pid, 1);
    }

    public void Dispose() => Kill();
}
