using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns dnssec enable|show|ds|rollover|ds-seen|disable ZONE</c>: online signing of a zone
/// through the operator API (docs/DNSSEC.md; <see cref="ApiConnection"/> for the URL, key and exit
/// codes). <c>ds</c> prints only the DS records to hand to the parent, one per line.
/// </summary>
internal static class DnssecVerb
{
    public static Command Create()
    {
        var connection = new ApiConnection();
        var command = new Command("dnssec", "Sign a zone online, show its keys and the DS for its parent, roll its keys (operator API).");

        var zoneEnable = Zone();
        var algorithm = new Option<int?>("--algorithm") { Description = "13 (ECDSA P-256/SHA-256, default) or 15 (Ed25519)" };
        var keys = new Option<string?>("--keys") { Description = "csk (one combined key, default) or ksk-zsk" };
        var denial = new Option<string?>("--denial") { Description = "compact (RFC 9824, default) or nsec (RFC 4470)" };
        var enable = new Command("enable", "Sign the zone: make its keys and publish DNSKEY, CDS and CDNSKEY.") { zoneEnable, algorithm, keys, denial };
        enable.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Post, result.GetValue(zoneEnable)!, "",
            new JsonObject { ["algorithm"] = result.GetValue(algorithm), ["keys"] = result.GetValue(keys), ["denial"] = result.GetValue(denial) }, Show, cancel));

        var zoneShow = Zone();
        var show = new Command("show", "Show the zone's signing state, keys and DS records.") { zoneShow };
        show.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Get, result.GetValue(zoneShow)!, "", null, Show, cancel));

        var zoneDs = Zone();
        var ds = new Command("ds", "Print the DS records the parent (the RIR for a reverse zone) should publish.") { zoneDs };
        ds.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Get, result.GetValue(zoneDs)!, "", null, PrintDs, cancel));

        var zoneRoll = Zone();
        var which = new Argument<string>("key") { Description = "zsk, ksk or csk" };
        var rollover = new Command("rollover", "Start a rollover of the zone's ZSK, KSK or CSK now.") { zoneRoll, which };
        rollover.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Post, result.GetValue(zoneRoll)!, "/rollover",
            new JsonObject { ["key"] = result.GetValue(which) }, Show, cancel));

        var zoneSeen = Zone();
        var seen = new Command("ds-seen", "Confirm that the parent publishes the submitted DS records.") { zoneSeen };
        seen.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Post, result.GetValue(zoneSeen)!, "/ds-seen", null, Show, cancel));

        var zoneDisable = Zone();
        var disable = new Command("disable", "Stop signing (remove the DS at the parent first).") { zoneDisable };
        disable.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Delete, result.GetValue(zoneDisable)!, "", null,
            (output, zone, _) => output.WriteLine($"{zone}\tunsigned"), cancel));

        foreach (var verb in new[] { enable, show, ds, rollover, seen, disable })
        {
            connection.AddTo(verb);
            command.Subcommands.Add(verb);
        }
        return command;
    }

    private static Argument<string> Zone() => new("zone") { Description = "The zone, e.g. 2.0.192.in-addr.arpa" };

    private static async Task<int> RunAsync(ParseResult result, ApiConnection connection, HttpMethod method, string zone, string path, JsonObject? body,
        Action<TextWriter, string, JsonNode> print, CancellationToken cancellationToken)
    {
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return failure;
        using var request = new HttpRequestMessage(method, $"/v1/zones/{Uri.EscapeDataString(zone)}/dnssec{path}");
        if (body is not null || method == HttpMethod.Post)
            request.Content = new StringContent((body ?? new JsonObject()).ToJsonString(), Encoding.UTF8, "application/json");
        var (view, refused) = await ApiConnection.SendAsync(result, http, request, zone, cancellationToken).ConfigureAwait(false);
        if (view is null)
            return refused;
        print(result.InvocationConfiguration.Output, zone, view);
        return 0;
    }

    /// <summary>A line for the zone, a line per key (tag, role, algorithm, state, DS state), then the DS records.</summary>
    private static void Show(TextWriter output, string zone, JsonNode view)
    {
        if (view["enabled"]?.GetValue<bool>() != true)
        {
            output.WriteLine($"{(string?)view["zone"] ?? zone}\tunsigned");
            return;
        }
        output.WriteLine($"{(string?)view["zone"]}\tsigned\talgorithm {(int?)view["algorithm"]}\t{(string?)view["keys"]}\t{(string?)view["denial"]}\trollover {(string?)view["rollover"]}");
        foreach (var key in view["keyList"]?.AsArray() ?? [])
            output.WriteLine($"key {(int?)key?["keyTag"]}\t{(string?)key?["role"]}\t{(string?)key?["state"]}\tds {(string?)key?["dsState"]}");
        PrintDs(output, zone, view);
    }

    private static void PrintDs(TextWriter output, string zone, JsonNode view)
    {
        foreach (var ds in view["ds"]?.AsArray() ?? [])
            output.WriteLine((string?)ds);
    }
}
