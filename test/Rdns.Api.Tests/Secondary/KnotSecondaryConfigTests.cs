using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rdns.Addressing;
using Rdns.Cli;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// <c>rdns secondary-config knot</c> against a running primary with pools: knotd started with the
/// printed configuration answers the pools' default names (IPv4 and IPv6, PTR and forward) exactly
/// as the primary does.
/// </summary>
public sealed class KnotSecondaryConfigTests : IAsyncLifetime
{
    private ApiHost _primary = null!;
    private int _knotPort;
    private string _folder = null!;
    private Process? _knot;
    private readonly StringBuilder _log = new();

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("rdns-knot-config-").FullName;
        _knotPort = Rdns.Interop.Tests.Support.FreePort.ForUdpAndTcp();
        _primary = await ApiHost.StartAsync(configure: s => s.Secondaries = [$"127.0.0.1:{_knotPort}"]);
    }

    public async Task DisposeAsync()
    {
        if (_knot is { HasExited: false })
        {
            _knot.Kill();
            await _knot.WaitForExitAsync();
        }
        _knot?.Dispose();
        await _primary.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private DnsMessage AskKnot(string name, RecordType type)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 2000;
        s.SendTo(DnsMessage.Query(DnsName.Parse(name), type, id: 5, edns: new EdnsOptions()).ToWire(), new IPEndPoint(IPAddress.Loopback, _knotPort));
        var buffer = new byte[65535];
        int n = s.Receive(buffer);
        return DnsMessage.Parse(buffer.AsSpan(0, n));
    }

    private static string Answers(DnsMessage m) =>
        $"rcode {(Rcode)m.Rcode}\n" + string.Join('\n', m.Answers.Select(r => r.ToString()).Order());

    private string Log()
    {
        lock (_log)
            return _log.ToString();
    }

    [Fact]
    public async Task Knot_configured_by_rdns_answers_the_pools_default_names_as_the_primary_does()
    {
        await _primary.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "198.51.100.0/24", defaultPtr = "ip-{ip}.pool.example.net." }), HttpStatusCode.Created);
        await _primary.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "2001:db8:7::/48", defaultPtr = "v6-{ip}.pool.example.net." }), HttpStatusCode.Created);

        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await Task.Run(() => RdnsCommandLine.Run(["secondary-config", "knot", "--primary", $"127.0.0.1:{_primary.DnsEndpoint.Port}",
            "--listen", $"127.0.0.1:{_knotPort}", "--storage", _folder, "--api", _primary.Http.BaseAddress!.ToString(), "--key", _primary.AdminKey], output, error));
        Assert.True(exit == 0, error.ToString());
        var config = output.ToString();
        Assert.Contains("mod-synthrecord", config, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(_folder, "knot.conf"), config);
        Directory.CreateDirectory(Path.Combine(_folder, "db"));
        _knot = Process.Start(new ProcessStartInfo("knotd", ["-c", Path.Combine(_folder, "knot.conf")]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("knotd is required (Debian package knot)");
        _knot.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _knot.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _knot.BeginErrorReadLine();
        _knot.BeginOutputReadLine();

        string v4 = ReverseName.ToName(IpAddress.Parse("198.51.100.77"));
        string v6 = ReverseName.ToName(IpAddress.Parse("2001:db8:7:0:1::abcd"));
        await Eventually.True(() => AskKnot(v4, RecordType.PTR).Answers.Count == 1 && AskKnot(v6, RecordType.PTR).Answers.Count == 1,
            "Knot answering the default names", () => config + "\n--- knotd:\n" + Log());

        var names = new List<(string, RecordType)> { (v4, RecordType.PTR), (v6, RecordType.PTR) };
        foreach (var reverse in new[] { v4, v6 })
        {
            string forward = Protocol.Records.Rdata.ReadName(_primary.Dns(reverse, RecordType.PTR).Answers.Single().Data).ToString();
            names.Add((forward, forward.StartsWith("v6-", StringComparison.Ordinal) ? RecordType.AAAA : RecordType.A));
        }
        foreach (var (name, type) in names)
            Assert.Equal(Answers(_primary.Dns(name, type)), Answers(AskKnot(name, type)));

        // A pool created after the configuration was printed reaches Knot through the catalog, but
        // not its default names: rdns compare shows what Knot misses, and exits 1.
        await _primary.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "203.0.113.0/24", defaultPtr = "late-{ip}.pool.example.net." }), HttpStatusCode.Created);
        await Eventually.True(() => AskKnot("113.0.203.in-addr.arpa.", RecordType.SOA).Rcode == (int)Rcode.NoError, "the new pool's zone reaching Knot", Log);
        var compared = new StringWriter();
        int differs = await Task.Run(() => RdnsCommandLine.Run(["compare", $"127.0.0.1:{_primary.DnsEndpoint.Port}", $"127.0.0.1:{_knotPort}",
            "--prefix", "203.0.113.0/24", "--sample", "4"], compared, new StringWriter()));
        Assert.Equal(1, differs);
        Assert.Contains("late-203-0-113-0.pool.example.net.", compared.ToString(), StringComparison.Ordinal);
        Assert.Contains("NXDomain", compared.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bind", "named-checkconf")]
    [InlineData("nsd", "nsd-checkconf")]
    public async Task The_bind_and_nsd_configurations_pass_their_servers_checks_and_say_what_they_cannot_synthesize(string server, string checker)
    {
        await _primary.Send(HttpMethod.Post, "/v1/pools", ApiHost.Json(new { prefix = "198.51.100.0/24", defaultPtr = "ip-{ip}.pool.example.net." }), HttpStatusCode.Created);
        var key = Protocol.Tsig.TsigKey.Generate(DnsName.Parse("edge-key."), Protocol.Tsig.TsigAlgorithm.HmacSha256);
        var keyFile = Path.Combine(_folder, "keys.conf");
        await File.WriteAllTextAsync(keyFile, key.ToBindText());
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await Task.Run(() => RdnsCommandLine.Run(["secondary-config", server, "--primary", $"127.0.0.1:{_primary.DnsEndpoint.Port}@edge-key",
            "--tsig-keys", keyFile, "--listen", $"127.0.0.1:{_knotPort}", "--storage", _folder, "--api", _primary.Http.BaseAddress!.ToString(), "--key", _primary.AdminKey], output, error));
        Assert.True(exit == 0, error.ToString());
        var config = output.ToString();
        Assert.Contains(Convert.ToBase64String(key.Secret.ToArray()), config, StringComparison.Ordinal);
        Assert.Contains("cannot synthesize default names", config, StringComparison.Ordinal);
        var path = Path.Combine(_folder, server + ".conf");
        await File.WriteAllTextAsync(path, config);
        using var check = Process.Start(new ProcessStartInfo(checker, [path]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{checker} is required");
        var stdout = check.StandardOutput.ReadToEndAsync();
        var stderr = check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();
        Assert.True(check.ExitCode == 0, $"{checker}: {await stdout}{await stderr}\n{config}");
    }
}
