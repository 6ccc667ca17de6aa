using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns view list|add|set|delete</c>: an operator's views (split horizon) through the API
/// (see <see cref="ApiConnection"/> for the URL, the key and the exit codes). One view per line:
/// name, match, destinations, keys, tenant, zones; lists comma-separated, <c>-</c> when empty.
/// </summary>
internal static class ViewVerb
{
    public static Command Create()
    {
        var connection = new ApiConnection();
        var command = new Command("view", "List, add, change or delete views: which clients see which zones (operator API).");

        var list = new Command("list", "Every view, in the order they are tried.");
        list.SetAction((result, cancel) => SendAsync(result, connection, HttpMethod.Get, "/v1/views", null, "views", cancel));

        var addName = new Argument<string>("name") { Description = "The view's name: a-z, 0-9 and -, starting with a letter" };
        var (match, destinations, keys, tenant) = RuleOptions();
        var add = new Command("add", "Add a view after the others.") { addName, match, destinations, keys, tenant };
        add.SetAction((result, cancel) => SendAsync(result, connection, HttpMethod.Post, "/v1/views",
            Body(result, result.GetValue(addName), match, destinations, keys, tenant), result.GetValue(addName) ?? "", cancel));

        var setName = new Argument<string>("name") { Description = "The view" };
        var (setMatch, setDestinations, setKeys, setTenant) = RuleOptions();
        var set = new Command("set", "Replace the rules given (the others stay); applies at once on every node.") { setName, setMatch, setDestinations, setKeys, setTenant };
        set.SetAction((result, cancel) => SendAsync(result, connection, HttpMethod.Patch, $"/v1/views/{Uri.EscapeDataString(result.GetValue(setName) ?? "")}",
            Body(result, null, setMatch, setDestinations, setKeys, setTenant), result.GetValue(setName) ?? "", cancel));

        var deleteName = new Argument<string>("name") { Description = "The view (it must hold no zones)" };
        var delete = new Command("delete", "Delete a view that holds no zones.") { deleteName };
        delete.SetAction((result, cancel) => SendAsync(result, connection, HttpMethod.Delete, $"/v1/views/{Uri.EscapeDataString(result.GetValue(deleteName) ?? "")}",
            null, result.GetValue(deleteName) ?? "", cancel));

        foreach (var verb in new[] { list, add, set, delete })
        {
            connection.AddTo(verb);
            command.Subcommands.Add(verb);
        }
        return command;
    }

    private static (Option<string[]> Match, Option<string[]> Destinations, Option<string[]> Keys, Option<string?> Tenant) RuleOptions() =>
    (
        new Option<string[]>("--match") { Description = "Client prefix (repeatable)" },
        new Option<string[]>("--destination") { Description = "Local address prefix queries arrive on (repeatable)" },
        new Option<string[]>("--tsig-key") { Description = "TSIG key name (repeatable)" },
        new Option<string?>("--tenant") { Description = "Tenant that manages the view's private PTRs (\"\" removes it)" }
    );

    private static string Body(ParseResult result, string? name, Option<string[]> match, Option<string[]> destinations, Option<string[]> keys, Option<string?> tenant)
    {
        static string[]? Given(ParseResult r, Option<string[]> o) => r.GetResult(o) is null ? null : r.GetValue(o);
        var body = new JsonObject();
        void Add(string member, JsonNode? value)
        {
            if (value is not null)
                body[member] = value;
        }
        Add("name", name);
        Add("match", CliJson.Array(Given(result, match)));
        Add("destinations", CliJson.Array(Given(result, destinations)));
        Add("keys", CliJson.Array(Given(result, keys)));
        Add("tenant", result.GetValue(tenant));
        return body.ToJsonString();
    }

    private static async Task<int> SendAsync(ParseResult result, ApiConnection connection, HttpMethod method, string path, string? body, string subject, CancellationToken cancellationToken)
    {
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return failure;
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var (reply, refused) = await ApiConnection.SendAsync(result, http, request, subject, cancellationToken).ConfigureAwait(false);
        if (reply is null)
            return refused;
        var output = result.InvocationConfiguration.Output;
        if (method == HttpMethod.Delete)
            output.WriteLine($"{subject}\tdeleted");
        else if (reply is JsonArray views)
        {
            foreach (var v in views)
                output.WriteLine(Line(v!));
        }
        else
        {
            output.WriteLine(Line(reply));
        }
        return 0;
    }

    private static string Line(JsonNode v)
    {
        static string Items(JsonNode? list) => list is JsonArray a && a.Count > 0 ? string.Join(',', a.Select(x => (string?)x)) : "-";
        return $"{(string?)v["name"]}\t{Items(v["match"])}\t{Items(v["destinations"])}\t{Items(v["keys"])}\t{(string?)v["tenant"] ?? "-"}\t{(int?)v["zones"] ?? 0} zones";
    }
}
