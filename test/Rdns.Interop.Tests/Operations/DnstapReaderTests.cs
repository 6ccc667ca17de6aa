using System.Diagnostics;
using Rdns.Interop.Tests.Support;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Interop.Tests.Operations;

/// <summary>
/// dnstap as operators collect it: fstrm_capture (fstrm-bin) takes the Frame Streams from the
/// server's socket into a file, and BIND's dnstap-read decodes it; every query is there, with its
/// response.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DnstapReaderTests : IDisposable
{
    private const int SigTerm = 15;
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-dnstap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Fstrm_capture_and_dnstap_read_find_every_query_and_response()
    {
        var capture = ProcessRunner.Find("fstrm_capture") ?? throw new InvalidOperationException("fstrm_capture not installed (fstrm-bin; ./test.sh installs it)");
        var reader = ProcessRunner.Find("dnstap-read") ?? throw new InvalidOperationException("dnstap-read not installed (bind9-dnsutils; ./test.sh installs it)");
        var socket = Path.Combine(_dir, "dnstap.sock");
        var file = Path.Combine(_dir, "queries.dnstap");
        var start = new ProcessStartInfo(capture) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-t", "protobuf:dnstap.Dnstap", "-u", socket, "-w", file])
            start.ArgumentList.Add(a);
        using var collector = Process.Start(start)!;
        var collectorErrors = collector.StandardError.ReadToEndAsync();
        for (int i = 0; i < 100 && !File.Exists(socket); i++)
            await Task.Delay(50);
        Assert.True(File.Exists(socket), "fstrm_capture did not create its socket");

        const int n = 25;
        await using (var server = await RdnsServer.StartAsync(null, ["--dnstap", socket, "--rrl-rate", "0"]))
        {
            for (int i = 0; i < 100 && !server.Output.Contains("dnstap: writing to"); i++)
                await Task.Delay(50);
            for (int i = 0; i < n; i++)
            {
                var query = DnsMessage.Query(DnsName.Parse($"q{i}.catalog.invalid."), RecordType.TXT).ToWire();
                Assert.NotNull(await DnsClient.UdpAsync(server.Dns, query, TimeSpan.FromSeconds(2), attempts: 1));
            }
            // SIGTERM: the server writes what is queued, then STOP, and the collector answers FINISH.
            Assert.Equal(0, await server.StopAsync(TimeSpan.FromSeconds(15)));
            Assert.Contains("dnstap: writing to", server.Output);
        }
        Assert.Equal(0, kill(collector.Id, SigTerm));
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            await collector.WaitForExitAsync(wait.Token);

        var read = await ProcessRunner.RunAsync(reader, [file], TimeSpan.FromSeconds(30));
        Assert.True(read.ExitCode == 0, $"{read}\n--- fstrm_capture\n{await collectorErrors}");
        var lines = read.StdoutLines;
        for (int i = 0; i < n; i++)
        {
            // "27-Nov-2026 14:02:03.123 AQ 127.0.0.1 UDP 45b q0.catalog.invalid/IN/TXT"
            Assert.Single(lines, l => l.Contains(" AQ ") && l.Contains($" q{i}.catalog.invalid/IN/TXT"));
            Assert.Single(lines, l => l.Contains(" AR ") && l.Contains($" q{i}.catalog.invalid/IN/TXT"));
        }
        Assert.All(lines.Where(l => l.Contains("catalog.invalid")), l => Assert.Contains(" UDP ", l));
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
