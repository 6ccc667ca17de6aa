using System.Diagnostics;
using System.Net;
using System.Text;
using Rdns.Protocol.Tsig;
using Rdns.TestSupport;

namespace Rdns.Api.Tests.Secondary;

/// <summary>
/// Knot DNS as a primary: zone files, a catalog zone Knot generates from its member zones
/// (<c>catalog-role: generate</c>), NOTIFY to one secondary and transfers to it under a TSIG key,
/// DNS UPDATE from loopback (journaled, so it is served by IXFR). Zones are added or removed by
/// rewriting the configuration and <c>knotc reload</c>.
/// </summary>
internal sealed class KnotPrimary : IAsyncDisposable
{
    private readonly string _folder;
    private readonly TsigKey _key;
    private readonly int _notifyPort;
    private KnotProcess? _process;

    public KnotPrimary(string folder, TsigKey key, int port, int notifyPort)
    {
        _folder = folder;
        _key = key;
        Port = port;
        _notifyPort = notifyPort;
    }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string Log => _process?.Log ?? "";

    /// <summary>Writes the configuration serving <paramref name="zones"/> (name → zone file text) as members of catalog.invalid.</summary>
    public async Task ConfigureAsync(IReadOnlyDictionary<string, string> zones)
    {
        var text = new StringBuilder($"""
            server:
                listen: 127.0.0.1@{Port}
                rundir: {_folder}
            control:
                listen: {_folder}/knot.sock
            database:
                storage: {_folder}/db
            log:
              - target: stderr
                any: info
            key:
              - id: {_key.Name}
                algorithm: hmac-sha256
                secret: {Convert.ToBase64String(_key.Secret)}
            remote:
              - id: edge
                address: 127.0.0.1@{_notifyPort}
                key: {_key.Name}
            acl:
              - id: edge-transfer
                address: 127.0.0.1
                key: {_key.Name}
                action: transfer
              - id: local-update
                address: 127.0.0.1
                action: update
            template:
              - id: default
                storage: {_folder}
                zonefile-sync: -1
                zonefile-load: whole
                journal-content: changes
                notify: edge
                acl: [edge-transfer, local-update]
            zone:
              - domain: catalog.invalid.
                catalog-role: generate

            """);
        foreach (var (zone, content) in zones)
        {
            string file = Path.Combine(_folder, zone + "zone");
            if (!File.Exists(file))
                await File.WriteAllTextAsync(file, content);
            text.Append($"  - domain: {zone}\n    file: {file}\n    catalog-role: member\n    catalog-zone: catalog.invalid.\n");
        }
        await File.WriteAllTextAsync(Path.Combine(_folder, "knot.conf"), text.ToString());
    }

    public void Start() => _process = KnotProcess.Start(Path.Combine(_folder, "knot.conf"));

    /// <summary>Makes knotd read its configuration again (<c>knotc reload</c>).</summary>
    public async Task ReloadAsync()
    {
        var reload = Process.Start(new ProcessStartInfo("knotc", ["-s", Path.Combine(_folder, "knot.sock"), "reload"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await reload.WaitForExitAsync();
        if (reload.ExitCode != 0)
            throw new InvalidOperationException($"knotc reload failed: {await reload.StandardError.ReadToEndAsync()}{await reload.StandardOutput.ReadToEndAsync()}");
    }

    public Task StopAsync() => _process?.StopAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
    }
}
