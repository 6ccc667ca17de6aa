using System.CommandLine;
using Rdns.Addressing;
using Rdns.Zones.Synthesis;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns secondary-config knot|bind|nsd --primary IP:PORT[@KEY] --api URL --key KEY</c>: prints a
/// configuration for a standard secondary of a running Rdns primary, reading its pools and zones
/// through the API (see <see cref="SecondaryConfig"/>).
/// </summary>
internal static class SecondaryConfigVerb
{
    public static Command Create()
    {
        var connection = new ApiConnection();
        var server = new Argument<string>("server") { Description = "knot, bind or nsd" };
        server.AcceptOnlyFromAmong("knot", "bind", "nsd");
        var primary = new Option<string>("--primary") { Description = "The primary's DNS address as the secondary reaches it, IP:PORT[@TSIGKEY]", Required = true };
        var catalog = new Option<string>("--catalog") { Description = "The primary's catalog zone (default catalog.invalid.)", DefaultValueFactory = _ => "catalog.invalid." };
        var listen = new Option<string>("--listen") { Description = "Where the secondary listens, IP:PORT (default 0.0.0.0:53)", DefaultValueFactory = _ => "0.0.0.0:53" };
        var storage = new Option<string>("--storage") { Description = "The secondary's data directory (default /var/lib/<server>)" };
        var tsigKeys = new Option<string?>("--tsig-keys") { Description = "Key file holding the --primary key (BIND syntax): its secret goes into the configuration; a placeholder otherwise" };
        var command = new Command("secondary-config", "Print a configuration for Knot, BIND or NSD as a secondary of this Rdns primary (Knot with default names).")
        {
            server, primary, catalog, listen, storage, tsigKeys,
        };
        connection.AddTo(command);
        command.SetAction((result, cancel) => RunAsync(result, connection, result.GetValue(server)!, result.GetValue(primary)!, result.GetValue(catalog)!,
            result.GetValue(listen)!, result.GetValue(storage), result.GetValue(tsigKeys), cancel));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, ApiConnection connection, string server, string primaryText, string catalog, string listenText,
        string? storage, string? keyFile, CancellationToken cancellationToken)
    {
        if (!Transfer.PrimaryServer.TryParse(primaryText, out var primary, out var keyName, out var error))
            return Usage.Fail(result, primaryText, $"--primary: {error}");
        if (!Transfer.PrimaryServer.TryParse(listenText, out var listen, out _, out error))
            return Usage.Fail(result, listenText, $"--listen: {error}");
        Protocol.Tsig.TsigKey? key = null;
        if (keyFile is not null)
        {
            if (keyName is null)
                return Usage.Fail(result, keyFile, "--tsig-keys: --primary names no key (IP:PORT@KEYNAME)");
            try
            {
                key = Protocol.Tsig.TsigKeyFile.Read(keyFile).FirstOrDefault(k => k.Name.ToString().Equals(keyName, StringComparison.OrdinalIgnoreCase));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Protocol.Tsig.TsigKeyFileException)
            {
                return Usage.Fail(result, keyFile, $"--tsig-keys: {e.Message}");
            }
            if (key is null)
                return Usage.Fail(result, keyFile, $"--tsig-keys: no key named {keyName}");
        }
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return failure;
        var pools = new List<DefaultNamePool>();
        string? poolsAfter = null;
        do
        {
            using var poolsRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/pools?limit=500" + (poolsAfter is null ? "" : "&after=" + Uri.EscapeDataString(poolsAfter)));
            var (poolPage, refused) = await ApiConnection.SendAsync(result, http, poolsRequest, "pools", cancellationToken).ConfigureAwait(false);
            if (poolPage is null)
                return refused;
            foreach (var p in poolPage["items"]!.AsArray())
            {
                if (IpPrefix.TryParse((string?)p?["prefix"] ?? "", out var prefix, out _)
                    && DefaultNamePool.TryCreate(prefix, (string?)p?["defaultPtr"] ?? "", (uint?)p?["ttl"] ?? 3600, out var pool, out _))
                    pools.Add(pool);
            }
            poolsAfter = (string?)poolPage["next"];
        }
        while (poolsAfter is not null);
        var zones = new List<string>();
        string? after = null;
        do
        {
            using var zonesRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/zones?limit=500" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after)));
            var (page, zonesRefused) = await ApiConnection.SendAsync(result, http, zonesRequest, "zones", cancellationToken).ConfigureAwait(false);
            if (page is null)
                return zonesRefused;
            foreach (var z in page["items"]!.AsArray())
            {
                var name = (string?)z?["name"];
                if (name is not null && !name.TrimEnd('.').Equals(catalog.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
                    zones.Add(name);
            }
            after = (string?)page["next"];
        }
        while (after is not null);
        var config = new SecondaryConfig(primary.Address.ToString(), primary.Port, keyName, catalog, listen.Address.ToString(), listen.Port,
            storage ?? $"/var/lib/{server}", pools, zones)
        {
            KeyAlgorithm = key is null ? "hmac-sha256" : Protocol.Tsig.TsigAlgorithms.ToText(key.Algorithm),
            KeySecret = key is null ? null : Convert.ToBase64String(key.Secret.ToArray()),
        };
        result.InvocationConfiguration.Output.Write(config.Render(server));
        return 0;
    }
}
