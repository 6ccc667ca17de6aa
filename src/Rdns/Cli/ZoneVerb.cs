using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns zone list|create|show|export|import|delete</c>: an operator's zones through the API (see
/// <see cref="ApiConnection"/> for the server and key). Not to be confused with <c>rdns zones PREFIX</c>,
/// the offline planner.
/// </summary>
internal static class ZoneVerb
{
    public static Command Create()
    {
        var command = new Command("zone", "Manage hosted zones through the API (operator key).");
        var connection = new ApiConnection();

        var listJson = CliOutput.JsonOption();
        var list = new Command("list", "List hosted zones: name, serial, records, prefix.") { listJson };
        list.SetAction(async (result, cancel) =>
        {
            var (items, failure) = await ApiCalls.ListAsync(result, connection, "/v1/zones", "zones", cancel).ConfigureAwait(false);
            if (items is null)
                return failure;
            Print(result, result.GetValue(listJson), items, ["NAME", "SERIAL", "RECORDS", "PREFIX"],
                z => [CliOutput.Text(z, "name"), CliOutput.Text(z, "serial"), CliOutput.Text(z, "records"), CliOutput.Text(z, "prefix")]);
            return 0;
        });

        var what = new Argument<string>("name-or-prefix") { Description = "A zone name (2.0.192.in-addr.arpa) or a prefix that maps to one zone (192.0.2.0/24)" };
        var ns = new Option<string[]>("--ns") { Description = "Apex name server (repeatable; default: the server's Zones:NameServers)" };
        var createJson = CliOutput.JsonOption();
        var create = new Command("create", "Create a zone with its SOA and NS.") { what, ns, createJson };
        create.SetAction(async (result, cancel) =>
        {
            var value = result.GetValue(what)!;
            var nameServers = result.GetValue(ns) is { Length: > 0 } given ? given : null;
            var body = value.Contains('/', StringComparison.Ordinal)
                ? new JsonObject { ["prefix"] = value, ["nameServers"] = CliJson.Array(nameServers) }
                : new JsonObject { ["name"] = value, ["nameServers"] = CliJson.Array(nameServers) };
            var (zone, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Post, "/v1/zones", body, value, cancel).ConfigureAwait(false);
            if (zone is null)
                return failure;
            Print(result, result.GetValue(createJson), new JsonArray(zone.DeepClone()), ["NAME", "SERIAL", "RECORDS", "PREFIX"],
                z => [CliOutput.Text(z, "name"), CliOutput.Text(z, "serial"), CliOutput.Text(z, "records"), CliOutput.Text(z, "prefix")]);
            return 0;
        });

        var showName = new Argument<string>("name") { Description = "The zone" };
        var showJson = CliOutput.JsonOption();
        var show = new Command("show", "Show a zone's RRsets.") { showName, showJson };
        show.SetAction(async (result, cancel) =>
        {
            var name = result.GetValue(showName)!;
            var (zone, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Get, $"/v1/zones/{Uri.EscapeDataString(name)}", null, name, cancel).ConfigureAwait(false);
            if (zone is null)
                return failure;
            if (result.GetValue(showJson))
            {
                CliOutput.Json(result.InvocationConfiguration.Output, zone);
                return 0;
            }
            CliOutput.Table(result.InvocationConfiguration.Output, ["NAME", "TTL", "TYPE", "DATA"],
                zone["rrsets"]!.AsArray().SelectMany(r => r!["data"]!.AsArray().Select(d => new[] { CliOutput.Text(r, "name"), CliOutput.Text(r, "ttl"), CliOutput.Text(r, "type"), (string?)d })));
            return 0;
        });

        var exportName = new Argument<string>("name") { Description = "The zone" };
        var exportFile = new Option<string?>("--output", "-o") { Description = "Write to FILE instead of standard output" };
        var export = new Command("export", "Print the zone as an RFC 1035 zone file.") { exportName, exportFile };
        export.SetAction(async (result, cancel) =>
        {
            var name = result.GetValue(exportName)!;
            using var http = connection.Client(result, out int failure);
            if (http is null)
                return failure;
            using var response = await http.GetAsync($"/v1/zones/{Uri.EscapeDataString(name)}/export", cancel).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // Same one-line refusal as every API verb.
                using var again = new HttpRequestMessage(HttpMethod.Get, $"/v1/zones/{Uri.EscapeDataString(name)}");
                var (_, error) = await ApiConnection.SendAsync(result, http, again, name, cancel).ConfigureAwait(false);
                return error == 0 ? RdnsCommandLine.InternalError : error;
            }
            if (result.GetValue(exportFile) is { } path)
                await File.WriteAllTextAsync(path, text, cancel).ConfigureAwait(false);
            else
                result.InvocationConfiguration.Output.Write(text);
            return 0;
        });

        var importName = new Argument<string>("name") { Description = "The zone (created when absent)" };
        var importFile = new Argument<string>("file") { Description = "Zone file; '-' reads standard input" };
        var import = new Command("import", "Replace the zone's records with a zone file's, as one change.") { importName, importFile };
        import.SetAction(async (result, cancel) =>
        {
            var name = result.GetValue(importName)!;
            var file = result.GetValue(importFile)!;
            string text;
            try
            {
                text = file == "-" ? await Console.In.ReadToEndAsync(cancel).ConfigureAwait(false) : await File.ReadAllTextAsync(file, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Usage.Fail(result, file, e.Message);
            }
            var (zone, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Post, $"/v1/zones/{Uri.EscapeDataString(name)}/import", null, name, cancel,
                new StringContent(text, Encoding.UTF8, "text/dns")).ConfigureAwait(false);
            if (zone is null)
                return failure;
            result.InvocationConfiguration.Output.WriteLine($"{CliOutput.Text(zone, "name")}\tserial {CliOutput.Text(zone, "serial")}\t{CliOutput.Text(zone, "records")} records");
            return 0;
        });

        var deleteName = new Argument<string>("name") { Description = "The zone" };
        var delete = new Command("delete", "Delete a zone and its records.") { deleteName };
        delete.SetAction(async (result, cancel) =>
        {
            var name = result.GetValue(deleteName)!;
            var (body, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Delete, $"/v1/zones/{Uri.EscapeDataString(name)}", null, name, cancel).ConfigureAwait(false);
            if (body is null)
                return failure;
            result.InvocationConfiguration.Output.WriteLine($"{name}\tdeleted");
            return 0;
        });

        foreach (var verb in new[] { list, create, show, export, import, delete })
        {
            connection.AddTo(verb);
            command.Subcommands.Add(verb);
        }
        return command;
    }

    /// <summary>Items as a table, or as JSON with <c>--json</c>.</summary>
    internal static void Print(ParseResult result, bool json, JsonArray items, string[] header, Func<JsonNode?, string?[]> row)
    {
        if (json)
            CliOutput.Json(result.InvocationConfiguration.Output, items);
        else
            CliOutput.Table(result.InvocationConfiguration.Output, header, items.Select(row));
    }
}
