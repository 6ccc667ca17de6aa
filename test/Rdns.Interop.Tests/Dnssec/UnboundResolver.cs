using System.Text;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Dnssec;

/// <summary>
/// A validating Unbound (Debian <c>unbound</c>) on loopback: each zone of Rdns is a stub zone with
/// its DS as the trust anchor, so every answer it gives for those zones was validated up to that
/// anchor, and AD says so (RFC 4035 §3.2.3).
/// </summary>
public sealed class UnboundResolver : IAsyncDisposable
{
    private readonly BackgroundProcess _process;
    private readonly string _folder;

    private UnboundResolver(BackgroundProcess process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string Output => _process.Output + (File.Exists(Path.Combine(_folder, "unbound.log")) ? File.ReadAllText(Path.Combine(_folder, "unbound.log")) : "");

    /// <param name="anchors">Zone → its DS records in presentation form (the API's <c>ds</c>).</param>
    public static async Task<UnboundResolver> StartAsync(int rdnsPort, IReadOnlyDictionary<string, IReadOnlyList<string>> anchors)
    {
        Assert.True(ProcessRunner.Find("unbound") is not null, "unbound is not installed (./test.sh installs it)");
        var folder = Directory.CreateTempSubdirectory("rdns-unbound-").FullName;
        int port = FreePort.ForUdpAndTcp();
        var conf = new StringBuilder();
        conf.AppendLine("server:");
        conf.AppendLine("  interface: 127.0.0.1");
        conf.AppendLine($"  port: {port}");
        conf.AppendLine("  do-not-query-localhost: no");
        conf.AppendLine("  username: \"\"");
        conf.AppendLine("  chroot: \"\"");
        conf.AppendLine($"  directory: \"{folder}\"");
        conf.AppendLine($"  pidfile: \"{folder}/unbound.pid\"");
        conf.AppendLine("  use-syslog: no");
        conf.AppendLine($"  logfile: \"{folder}/unbound.log\"");
        conf.AppendLine("  verbosity: 1");
        conf.AppendLine("  val-log-level: 2");
        conf.AppendLine("  module-config: \"validator iterator\"");
        conf.AppendLine("  qname-minimisation: no");
        // Every answer is asked of Rdns, not derived from NSEC records seen before (RFC 8198).
        conf.AppendLine("  aggressive-nsec: no");
        // Unbound serves the documentation and private ranges itself unless told not to.
        conf.AppendLine("  local-zone: \"2.0.192.in-addr.arpa.\" nodefault");
        conf.AppendLine("  local-zone: \"8.b.d.0.1.0.0.2.ip6.arpa.\" nodefault");
        conf.AppendLine("  local-zone: \"100.51.198.in-addr.arpa.\" nodefault");
        foreach (var (_, records) in anchors)
        {
            foreach (var ds in records)
                conf.AppendLine($"  trust-anchor: \"{ds}\"");
        }
        foreach (var zone in anchors.Keys)
        {
            conf.AppendLine("stub-zone:");
            conf.AppendLine($"  name: \"{zone}\"");
            conf.AppendLine($"  stub-addr: 127.0.0.1@{rdnsPort}");
        }
        var path = Path.Combine(folder, "unbound.conf");
        await File.WriteAllTextAsync(path, conf.ToString());
        var check = await ProcessRunner.RunAsync(ProcessRunner.Find("unbound-checkconf")!, [path], TimeSpan.FromSeconds(20));
        Assert.True(check.ExitCode == 0, check.ToString());
        var process = BackgroundProcess.Start("unbound", ["-d", "-c", path]);
        var resolver = new UnboundResolver(process, folder, port);
        // Ready when it answers at all (its own localhost zone).
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var r = await ProcessRunner.RunAsync(ProcessRunner.Find("kdig")!, ["@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+time=1", "+retry=0", "localhost.", "A"],
                TimeSpan.FromSeconds(10));
            if (r.Stdout.Contains("status: NOERROR", StringComparison.Ordinal))
                return resolver;
            Assert.False(process.HasExited, "unbound exited: " + resolver.Output);
            await Task.Delay(100);
        }
        throw new InvalidOperationException("unbound did not answer: " + resolver.Output);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(5));
        await _process.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
