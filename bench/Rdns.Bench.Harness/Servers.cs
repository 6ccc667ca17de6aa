using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Bench.Data;

namespace Rdns.Bench.Harness;

/// <summary>How to start one kind of authoritative server on the dataset's zone files.</summary>
public abstract class ServerKind
{
    public abstract string Name { get; }

    /// <summary>The executable, or null when it is not installed (the server is then left out).</summary>
    public abstract string? Executable { get; }

    /// <summary>Stops what <see cref="Prepare"/> started beside the server (a dnstap collector).</summary>
    public virtual void Cleanup()
    {
    }

    /// <summary>The option that prints the version.</summary>
    public virtual string VersionFlag => "-V";

    /// <summary>Writes what the server needs into <paramref name="work"/> and returns its arguments.</summary>
    public abstract IReadOnlyList<string> Prepare(string work, string zones, DatasetManifest dataset, int port);

    public static string? Find(string name, params string[] extra)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(extra).Concat(["/usr/sbin", "/sbin"]);
        foreach (string dir in dirs)
        {
            if (dir.Length == 0)
                continue;
            string path = Path.Combine(dir, name);
            if (File.Exists(path))
                return path;
        }
        return null;
    }

    /// <summary>A port free for UDP and TCP on 127.0.0.1 at the moment of asking.</summary>
    public static int FreePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }
}

/// <summary>
/// <c>rdns serve</c> from its store. The store is filled beforehand by a separate run with
/// <c>--zones</c> (timed as the import), so the start measured here is a restart from the store.
/// </summary>
public sealed class RdnsServer(string executable, IReadOnlyList<string> extraArguments, string name = "Rdns", bool dnstap = false) : ServerKind
{
    private System.Diagnostics.Process? _collector;

    public override string Name => name;

    public override string VersionFlag => "--version";

    public override string? Executable => File.Exists(executable) ? executable : null;

    /// <summary>The HTTP API's port of the last started server.</summary>
    public int HttpPort { get; private set; }

    public IReadOnlyList<string> ImportArguments(string work, string zones, int port) =>
        [.. Arguments(work, port), "--zones", zones];

    public override IReadOnlyList<string> Prepare(string work, string zones, DatasetManifest dataset, int port)
    {
        if (!dnstap)
            return Arguments(work, port);
        // dnstap at full rate into fstrm_capture (the collector operators run), which throws the
        // frames away: the server's cost of logging every query, not the disk's.
        string socket = Path.Combine(work, "dnstap.sock");
        var start = new System.Diagnostics.ProcessStartInfo(Find("fstrm_capture") ?? throw new InvalidOperationException("fstrm_capture is not installed (apt-get install fstrm-bin)"))
        {
            ArgumentList = { "-t", "protobuf:dnstap.Dnstap", "-u", socket, "-w", "/dev/null" },
            UseShellExecute = false,
        };
        _collector = System.Diagnostics.Process.Start(start);
        for (int i = 0; i < 100 && !File.Exists(socket); i++)
            Thread.Sleep(50);
        return [.. Arguments(work, port), "--dnstap", socket];
    }

    public override void Cleanup()
    {
        if (_collector is { HasExited: false })
            _collector.Kill();
        _collector?.Dispose();
        _collector = null;
    }

    /// <summary>Rate limiting off: dnsperf sends from one address, and the peers here run without it too.</summary>
    private List<string> Arguments(string work, int port)
    {
        HttpPort = FreePort();
        return ["serve", "--data", Path.Combine(work, "store"), "--dns", $"127.0.0.1:{port}", "--http", $"127.0.0.1:{HttpPort}", "--rrl-rate", "0", .. extraArguments];
    }

    /// <summary>
    /// Uses the API as an operator would, so memory is measured on a server in use: the OpenAPI
    /// document, the zone list, some zones and PTRs read, one PTR set again to what it was.
    /// </summary>
    public void UseApi(string work, string zones, DatasetManifest dataset)
    {
        string key = File.ReadAllText(Path.Combine(work, "store", "admin.key")).Trim();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        void Get(string path)
        {
            using var response = http.GetAsync(path).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        }
        Get("/openapi/v1.json");
        Get("/v1/zones");
        // GET /v1/zones/{name} returns every RRset of the zone as JSON: 20 zones of ordinary size
        // (a zone file below 1 MiB; the whole of a million-record zone is 100 MB of JSON, an export).
        foreach (var zone in dataset.ZoneNames.Where(z => new FileInfo(Path.Combine(zones, DatasetManifest.ZoneFileName(z))).Length < (1 << 20)).Take(20))
            Get($"/v1/zones/{zone}");
        foreach (var probe in dataset.Probes)
        {
            if (!Addressing.ReverseName.TryParseAddress(probe.Name, out var ip, out _))
                continue;
            Get($"/v1/ptr/{ip}");
        }
        if (dataset.Probes.Count > 0 && Addressing.ReverseName.TryParseAddress(dataset.Probes[0].Name, out var first, out _))
        {
            using var body = new StringContent($"{{\"ptrdname\":\"{dataset.Probes[0].Target}\"}}", Encoding.UTF8, "application/json");
            using var response = http.PutAsync($"/v1/ptr/{first}", body).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
        }
    }
}

/// <summary>Knot DNS: zone files loaded whole, no journal, nothing written back.</summary>
public sealed class KnotServer : ServerKind
{
    public override string Name => "Knot";

    public override string? Executable => Find("knotd");

    public override IReadOnlyList<string> Prepare(string work, string zones, DatasetManifest dataset, int port)
    {
        var conf = new StringBuilder()
            .Append("server:\n")
            .Append($"  rundir: {work}\n")
            .Append($"  listen: 127.0.0.1@{port}\n")
            .Append("log:\n  - target: stderr\n    any: notice\n")
            .Append($"database:\n  storage: {work}/db\n")
            .Append("template:\n  - id: default\n")
            .Append($"    storage: {zones}\n")
            .Append("    file: \"%s.zone\"\n")
            .Append("    zonefile-sync: -1\n")
            .Append("    zonefile-load: whole\n")
            .Append("    journal-content: none\n")
            .Append("zone:\n");
        foreach (string zone in dataset.ZoneNames)
            conf.Append("  - domain: ").Append(zone).Append('\n');
        string path = Path.Combine(work, "knot.conf");
        File.WriteAllText(path, conf.ToString());
        return ["-c", path];
    }
}

/// <summary>NSD, when installed: no database file, zones read from the zone files.</summary>
public sealed class NsdServer : ServerKind
{
    public override string Name => "NSD";

    public override string VersionFlag => "-v";

    public override string? Executable => Find("nsd");

    public override IReadOnlyList<string> Prepare(string work, string zones, DatasetManifest dataset, int port)
    {
        var conf = new StringBuilder()
            .Append("server:\n")
            .Append($"  ip-address: 127.0.0.1@{port}\n")
            .Append($"  port: {port}\n")
            .Append("  do-ip6: no\n")
            .Append("  username: \"\"\n")
            .Append("  chroot: \"\"\n")
            .Append($"  zonesdir: \"{zones}\"\n")
            .Append("  database: \"\"\n")
            .Append($"  zonelistfile: \"{work}/zone.list\"\n")
            .Append($"  xfrdfile: \"{work}/xfrd.state\"\n")
            .Append($"  xfrdir: \"{work}\"\n")
            .Append($"  pidfile: \"{work}/nsd.pid\"\n")
            .Append($"  server-count: {Environment.ProcessorCount}\n")
            .Append("  verbosity: 1\n")
            // Like the others: no NS in the authority section of positive answers.
            .Append("  minimal-responses: yes\n")
            .Append("remote-control:\n  control-enable: no\n");
        foreach (string zone in dataset.ZoneNames)
            conf.Append("zone:\n  name: \"").Append(zone).Append("\"\n  zonefile: \"").Append(DatasetManifest.ZoneFileName(zone)).Append("\"\n");
        string path = Path.Combine(work, "nsd.conf");
        File.WriteAllText(path, conf.ToString());
        return ["-d", "-c", path];
    }
}

/// <summary>BIND 9 (named), when installed: primary zones, no recursion, foreground.</summary>
public sealed class BindServer : ServerKind
{
    public override string Name => "BIND";

    public override string VersionFlag => "-v";

    public override string? Executable => Find("named");

    public override IReadOnlyList<string> Prepare(string work, string zones, DatasetManifest dataset, int port)
    {
        var conf = new StringBuilder()
            .Append("options {\n")
            .Append($"  directory \"{work}\";\n")
            .Append($"  listen-on port {port} {{ 127.0.0.1; }};\n")
            .Append("  listen-on-v6 { none; };\n")
            .Append($"  pid-file \"{work}/named.pid\";\n")
            .Append($"  session-keyfile \"{work}/session.key\";\n")
            .Append("  recursion no;\n  notify no;\n  dnssec-validation no;\n  minimal-responses yes;\n")
            .Append("};\ncontrols { };\n");
        foreach (string zone in dataset.ZoneNames)
            conf.Append($"zone \"{zone}\" {{ type primary; file \"{Path.Combine(zones, DatasetManifest.ZoneFileName(zone))}\"; }};\n");
        string path = Path.Combine(work, "named.conf");
        File.WriteAllText(path, conf.ToString());
        return ["-g", "-c", path];
    }
}
