using System.CommandLine;
using Rdns.Hosting;
using Rdns.Protocol.Text;

namespace Rdns.Cli;

/// <summary><c>rdns serve</c>: the DNS server, the store and the HTTP API in one process.</summary>
public static class ServeVerb
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory: SQLite store and admin key (default ./rdns-data)" };
        var dns = new Option<string[]>("--dns") { Description = "DNS listen address IP:PORT, UDP and TCP (default 127.0.0.1:5353; repeatable)" };
        var http = new Option<string?>("--http") { Description = "HTTP API listen address IP:PORT (default 127.0.0.1:8080)" };
        var zones = new Option<string?>("--zones") { Description = "Directory of *.zone files to load (file name = zone name)" };
        var store = new Option<string?>("--store") { Description = "PostgreSQL connection string (Host=...) or SQLite path" };
        var config = new Option<string?>("--config") { Description = "JSON settings file (default DATA/rdns.json when present)" };
        var nsid = new Option<string?>("--nsid") { Description = "NSID to return when a query asks for it (RFC 5001)" };
        var workers = new Option<int?>("--udp-workers") { Description = "UDP receive loops (default: one per core)" };
        var resolver = new Option<string?>("--resolver") { Description = "Recursive resolver IP:PORT for forward checks (default: /etc/resolv.conf)" };
        var secondary = new Option<string[]>("--secondary") { Description = "Secondary IP:PORT[@KEYNAME]: gets NOTIFY, may transfer (repeatable)" };
        var primary = new Option<string[]>("--primary") { Description = "Follow a primary IP:PORT[@KEYNAME] as its secondary: its catalog zone and every member (repeatable)" };
        var tsigKeys = new Option<string?>("--tsig-keys") { Description = "TSIG keys file in BIND's key syntax" };
        var catalog = new Option<string?>("--catalog") { Description = "Catalog zone name (default catalog.invalid.)" };
        var rrlRate = new Option<int?>("--rrl-rate") { Description = "Response rate limit per client network and second (default 200; 0 = off)" };
        var rrlSlip = new Option<int?>("--rrl-slip") { Description = "Send every Nth rate-limited response truncated (default 2; 0 = drop all)" };
        var ns = new Option<string[]>("--ns") { Description = "Name server of new zones' apex NS (repeatable; default: this host's fully qualified name)" };
        var contact = new Option<string?>("--contact") { Description = "SOA contact of new zones, e.g. hostmaster@example.net (default hostmaster.ZONE)" };
        var logFormat = new Option<string?>("--log-format") { Description = "Console log format: simple (default) or json (one object per line)" };
        logFormat.AcceptOnlyFromAmong("simple", "json");
        var metrics = new Option<string?>("--metrics") { Description = "Prometheus metrics at /metrics and the DNS counters behind them: on (default) or off" };
        metrics.AcceptOnlyFromAmong("on", "off");
        var dnstap = new Option<string?>("--dnstap") { Description = "dnstap: log queries and responses to this Frame Streams Unix socket" };
        var init = new Option<bool>("--init")
        {
            Description = "Start even though the data directory has held a store that is now missing, empty or another one (creates or accepts the store found)",
        };
        var command = new Command("serve", "Run the authoritative DNS server and the HTTP API")
        {
            data, dns, http, zones, store, config, nsid, workers, resolver, secondary, primary, tsigKeys, catalog, rrlRate, rrlSlip, ns, contact, logFormat, metrics, dnstap, init,
        };
        command.SetAction(result =>
        {
            var values = new Dictionary<string, string?>
            {
                ["Zones:Contact"] = result.GetValue(contact),
                ["Data"] = result.GetValue(data),
                ["Dns"] = result.GetValue(dns) is { Length: > 0 } listeners ? string.Join(',', listeners) : null,
                ["Http"] = result.GetValue(http),
                ["Zones"] = result.GetValue(zones),
                ["Store"] = result.GetValue(store),
                ["Nsid"] = result.GetValue(nsid),
                ["Resolver"] = result.GetValue(resolver),
                ["Secondary"] = result.GetValue(secondary) is { Length: > 0 } peers ? string.Join(',', peers) : null,
                ["Primary"] = result.GetValue(primary) is { Length: > 0 } primaries ? string.Join(',', primaries) : null,
                ["TsigKeys"] = result.GetValue(tsigKeys),
                ["Catalog"] = result.GetValue(catalog),
                ["UdpWorkers"] = result.GetValue(workers)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Rrl:Rate"] = result.GetValue(rrlRate)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Rrl:Slip"] = result.GetValue(rrlSlip)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["LogFormat"] = result.GetValue(logFormat),
                ["Dnstap:Socket"] = result.GetValue(dnstap),
                ["Metrics:Enabled"] = result.GetValue(metrics) switch { "on" => "true", "off" => "false", _ => null },
            };
            try
            {
                var nameServers = result.GetValue(ns) ?? [];
                for (int i = 0; i < nameServers.Length; i++)
                    values[$"Zones:NameServers:{i}"] = nameServers[i];
                var settings = ServeSettings.Bind(result.GetValue(config), result.GetValue(data), values);
                settings.Init = result.GetValue(init);
                return ServeHost.RunAsync(settings, Console.Out).GetAwaiter().GetResult();
            }
            catch (StoppedBeforeServingException e)
            {
                Console.Error.WriteLine($"rdns: {e.Message}");
                return 0;
            }
            catch (SettingsException e)
            {
                Console.Error.WriteLine($"rdns: {e.Message}");
                return RdnsCommandLine.UsageError;
            }
            catch (StartupException e)
            {
                Console.Error.WriteLine($"rdns: {e.Message}");
                return RdnsCommandLine.InternalError;
            }
            catch (Exception e) when (Unwrap<Server.AddressInUseException>(e) is { } inUse)
            {
                Console.Error.WriteLine($"rdns: {inUse.Message}");
                return 1;
            }
            catch (ZoneFileException e)
            {
                Console.Error.WriteLine($"rdns: {e.Message}");
                return RdnsCommandLine.UsageError;
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"rdns: cannot listen: {e.Message}");
                return 1;
            }
            catch (System.Net.Sockets.SocketException e)
            {
                Console.Error.WriteLine($"rdns: cannot listen: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The exception of type <typeparamref name="T"/> in <paramref name="e"/> or what it wraps (the host may aggregate start failures).</summary>
    private static T? Unwrap<T>(Exception e) where T : Exception => e switch
    {
        T t => t,
        AggregateException a => a.InnerExceptions.Select(Unwrap<T>).FirstOrDefault(x => x is not null),
        { InnerException: { } inner } => Unwrap<T>(inner),
        _ => null,
    };
}
