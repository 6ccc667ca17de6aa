using System.CommandLine;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary><c>rdns tenant list|create|rename|delete</c> and <c>rdns tenant allocate|release</c>: tenants and their addresses through the API (operator key).</summary>
internal static class TenantVerb
{
    private static readonly string[] Header = ["ID", "NAME", "CREATED"];

    private static string?[] Row(JsonNode? t) => [CliOutput.Text(t, "id"), CliOutput.Text(t, "name"), CliOutput.Text(t, "createdAt")];

    public static Command Create()
    {
        var command = new Command("tenant", "Manage tenants and their allocations through the API (operator key).");
        var connection = new ApiConnection();

        var listJson = CliOutput.JsonOption();
        var list = new Command("list", "List tenants, oldest first.") { listJson };
        list.SetAction(async (result, cancel) =>
        {
            var (items, failure) = await ApiCalls.ListAsync(result, connection, "/v1/tenants", "tenants", cancel).ConfigureAwait(false);
            if (items is null)
                return failure;
            ZoneVerb.Print(result, result.GetValue(listJson), items, Header, Row);
            return 0;
        });

        var createName = new Argument<string>("name") { Description = "The tenant's name" };
        var createJson = CliOutput.JsonOption();
        var create = new Command("create", "Create a tenant; prints its id.") { createName, createJson };
        create.SetAction((result, cancel) => One(result, connection, HttpMethod.Post, "/v1/tenants", new JsonObject { ["name"] = result.GetValue(createName) }, result.GetValue(createJson), cancel));

        var renameId = new Argument<string>("id") { Description = "The tenant's id (ten_…)" };
        var renameName = new Argument<string>("name") { Description = "The new name" };
        var renameJson = CliOutput.JsonOption();
        var rename = new Command("rename", "Rename a tenant.") { renameId, renameName, renameJson };
        rename.SetAction((result, cancel) => One(result, connection, HttpMethod.Patch, $"/v1/tenants/{Uri.EscapeDataString(result.GetValue(renameId)!)}",
            new JsonObject { ["name"] = result.GetValue(renameName) }, result.GetValue(renameJson), cancel));

        var deleteId = new Argument<string>("id") { Description = "The tenant's id (ten_…)" };
        var delete = new Command("delete", "Delete a tenant that holds no addresses; its keys are revoked.") { deleteId };
        delete.SetAction((result, cancel) => Done(result, connection, HttpMethod.Delete, $"/v1/tenants/{Uri.EscapeDataString(result.GetValue(deleteId)!)}", result.GetValue(deleteId)!, "deleted", cancel));

        var allocTenant = new Argument<string>("id") { Description = "The tenant's id (ten_…)" };
        var allocPrefix = new Argument<string>("prefix") { Description = "Addresses of a pool: 203.0.113.8/29, 2001:db8::/56, or one address" };
        var allocate = new Command("allocate", "Give a tenant a prefix of a pool; prints the allocation id.") { allocTenant, allocPrefix };
        allocate.SetAction(async (result, cancel) =>
        {
            var (a, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Post, "/v1/allocations",
                new JsonObject { ["tenant"] = result.GetValue(allocTenant), ["prefix"] = result.GetValue(allocPrefix) }, result.GetValue(allocPrefix)!, cancel).ConfigureAwait(false);
            if (a is null)
                return failure;
            result.InvocationConfiguration.Output.WriteLine($"{CliOutput.Text(a, "id")}\t{CliOutput.Text(a, "prefix")}\t{CliOutput.Text(a, "tenant")}");
            return 0;
        });

        var releaseId = new Argument<string>("allocation-id") { Description = "The allocation's id (alloc_…)" };
        var release = new Command("release", "Release an allocation: every PTR at its addresses returns to the default.") { releaseId };
        release.SetAction(async (result, cancel) =>
        {
            var id = result.GetValue(releaseId)!;
            var (r, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Delete, $"/v1/allocations/{Uri.EscapeDataString(id)}", null, id, cancel).ConfigureAwait(false);
            if (r is null)
                return failure;
            result.InvocationConfiguration.Output.WriteLine($"{id}\treleased\t{CliOutput.Text(r, "prefix")}\t{CliOutput.Text(r, "resetPtrs")} PTRs reset");
            return 0;
        });

        var allocationsTenant = new Option<string?>("--tenant") { Description = "Only this tenant's" };
        var allocationsJson = CliOutput.JsonOption();
        var allocations = new Command("allocations", "List held allocations.") { allocationsTenant, allocationsJson };
        allocations.SetAction(async (result, cancel) =>
        {
            var tenant = result.GetValue(allocationsTenant);
            var (items, failure) = await ApiCalls.ListAsync(result, connection, tenant is null ? "/v1/allocations" : $"/v1/allocations?tenant={Uri.EscapeDataString(tenant)}", "allocations", cancel).ConfigureAwait(false);
            if (items is null)
                return failure;
            ZoneVerb.Print(result, result.GetValue(allocationsJson), items, ["ID", "PREFIX", "TENANT", "POOL", "CREATED"],
                a => [CliOutput.Text(a, "id"), CliOutput.Text(a, "prefix"), CliOutput.Text(a, "tenant"), CliOutput.Text(a, "pool"), CliOutput.Text(a, "createdAt")]);
            return 0;
        });

        foreach (var verb in new[] { list, create, rename, delete, allocate, release, allocations })
        {
            connection.AddTo(verb);
            command.Subcommands.Add(verb);
        }
        return command;
    }

    private static async Task<int> One(ParseResult result, ApiConnection connection, HttpMethod method, string path, JsonObject body, bool json, CancellationToken cancel)
    {
        var (t, failure) = await ApiCalls.SendAsync(result, connection, method, path, body, path, cancel).ConfigureAwait(false);
        if (t is null)
            return failure;
        ZoneVerb.Print(result, json, new JsonArray(t.DeepClone()), Header, Row);
        return 0;
    }

    /// <summary>A request whose success is a line "SUBJECT\tWHAT".</summary>
    internal static async Task<int> Done(ParseResult result, ApiConnection connection, HttpMethod method, string path, string subject, string what, CancellationToken cancel)
    {
        var (body, failure) = await ApiCalls.SendAsync(result, connection, method, path, null, subject, cancel).ConfigureAwait(false);
        if (body is null)
            return failure;
        result.InvocationConfiguration.Output.WriteLine($"{subject}\t{what}");
        return 0;
    }
}
