using System.CommandLine;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary><c>rdns pool list|create|update|delete</c>: address pools through the API (operator key).</summary>
internal static class PoolVerb
{
    private static readonly string[] Header = ["ID", "PREFIX", "DEFAULT PTR", "TTL"];

    private static string?[] Row(JsonNode? p) => [CliOutput.Text(p, "id"), CliOutput.Text(p, "prefix"), CliOutput.Text(p, "defaultPtr"), CliOutput.Text(p, "ttl")];

    public static Command Create()
    {
        var command = new Command("pool", "Manage address pools through the API (operator key).");
        var connection = new ApiConnection();

        var listJson = CliOutput.JsonOption();
        var list = new Command("list", "List pools in address order.") { listJson };
        list.SetAction(async (result, cancel) =>
        {
            var (items, failure) = await ApiCalls.ListAsync(result, connection, "/v1/pools", "pools", cancel).ConfigureAwait(false);
            if (items is null)
                return failure;
            ZoneVerb.Print(result, result.GetValue(listJson), items, Header, Row);
            return 0;
        });

        var prefix = new Argument<string>("prefix") { Description = "The pool's prefix: 203.0.113.0/24, 2001:db8::/48" };
        var template = new Option<string>("--default-ptr") { Description = "Default name template, e.g. ip-{ip}.pool.example.net.", Required = true };
        var ttl = new Option<uint?>("--ttl") { Description = "TTL of default names (default 3600)" };
        var createJson = CliOutput.JsonOption();
        var create = new Command("create", "Create a pool with its reverse zones and default names.") { prefix, template, ttl, createJson };
        create.SetAction((result, cancel) => One(result, connection, HttpMethod.Post, "/v1/pools",
            new JsonObject { ["prefix"] = result.GetValue(prefix), ["defaultPtr"] = result.GetValue(template), ["ttl"] = result.GetValue(ttl) }, result.GetValue(createJson), cancel));

        var updateId = new Argument<string>("id") { Description = "The pool's id (pool_…)" };
        var updateTemplate = new Option<string?>("--default-ptr") { Description = "New default name template" };
        var updateTtl = new Option<uint?>("--ttl") { Description = "New TTL of default names" };
        var updateJson = CliOutput.JsonOption();
        var update = new Command("update", "Change a pool's default names; DNS answers them at once.") { updateId, updateTemplate, updateTtl, updateJson };
        update.SetAction((result, cancel) => One(result, connection, HttpMethod.Patch, $"/v1/pools/{Uri.EscapeDataString(result.GetValue(updateId)!)}",
            new JsonObject { ["defaultPtr"] = result.GetValue(updateTemplate), ["ttl"] = result.GetValue(updateTtl) }, result.GetValue(updateJson), cancel));

        var deleteId = new Argument<string>("id") { Description = "The pool's id (pool_…)" };
        var delete = new Command("delete", "Delete a pool none of whose addresses is allocated (its zones stay).") { deleteId };
        delete.SetAction((result, cancel) => TenantVerb.Done(result, connection, HttpMethod.Delete, $"/v1/pools/{Uri.EscapeDataString(result.GetValue(deleteId)!)}", result.GetValue(deleteId)!, "deleted", cancel));

        foreach (var verb in new[] { list, create, update, delete })
        {
            connection.AddTo(verb);
            command.Subcommands.Add(verb);
        }
        return command;
    }

    private static async Task<int> One(ParseResult result, ApiConnection connection, HttpMethod method, string path, JsonObject body, bool json, CancellationToken cancel)
    {
        var (p, failure) = await ApiCalls.SendAsync(result, connection, method, path, body, path, cancel).ConfigureAwait(false);
        if (p is null)
            return failure;
        ZoneVerb.Print(result, json, new JsonArray(p.DeepClone()), Header, Row);
        return 0;
    }
}
