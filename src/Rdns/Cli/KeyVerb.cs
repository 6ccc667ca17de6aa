using System.CommandLine;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns key list [--tenant ID]</c> and <c>rdns key revoke KEYID [--tenant ID]</c>: an operator's
/// API keys, or a tenant's, through the API (see <see cref="ApiConnection"/> for --api and --key).
/// Keys are listed one per line, tab-separated: id, role, tenant (or -), created, revoked (or -),
/// label (or -); never the key itself, which the server does not keep. <c>rdns key create
/// [--tenant ID] [--label L]</c> prints the new key's id and the key, tab-separated.
/// </summary>
internal static class KeyVerb
{
    public static Command Create()
    {
        var command = new Command("key", "List or revoke API keys (operator keys, or a tenant's with --tenant).");

        var connection = new ApiConnection();
        var tenantList = new Option<string?>("--tenant") { Description = "The tenant whose keys to list (default: operator keys)" };
        var list = new Command("list", "List keys, revoked ones included; never the keys themselves.") { tenantList };
        connection.AddTo(list);
        list.SetAction((result, cancel) => ListAsync(result, connection, result.GetValue(tenantList), cancel));

        var keyId = new Argument<string>("key-id") { Description = "The key's id (key_…), as listed" };
        var tenantRevoke = new Option<string?>("--tenant") { Description = "The tenant the key belongs to (default: an operator key)" };
        var revoke = new Command("revoke", "Revoke a key: refused at once here, within seconds on every node.") { keyId, tenantRevoke };
        connection.AddTo(revoke);
        revoke.SetAction((result, cancel) => RevokeAsync(result, connection, result.GetValue(keyId)!, result.GetValue(tenantRevoke), cancel));

        var tenantCreate = new Option<string?>("--tenant") { Description = "Create a key of this tenant (default: an operator key)" };
        var label = new Option<string?>("--label") { Description = "What the key is for, shown in listings" };
        var create = new Command("create", "Create a key; prints its id and the key, which is shown this once.") { tenantCreate, label };
        connection.AddTo(create);
        create.SetAction(async (result, cancel) =>
        {
            var tenant = result.GetValue(tenantCreate);
            var (key, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Post, KeysPath(tenant), new JsonObject { ["label"] = result.GetValue(label) }, tenant ?? "operator key", cancel).ConfigureAwait(false);
            if (key is null)
                return failure;
            result.InvocationConfiguration.Output.WriteLine($"{(string?)key["id"]}	{(string?)key["key"]}");
            return 0;
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(create);
        command.Subcommands.Add(revoke);
        return command;
    }

    private static string KeysPath(string? tenant) => tenant is null ? "/v1/keys" : $"/v1/tenants/{Uri.EscapeDataString(tenant)}/keys";

    private static async Task<int> ListAsync(ParseResult result, ApiConnection connection, string? tenant, CancellationToken cancellationToken)
    {
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return failure;
        using var request = new HttpRequestMessage(HttpMethod.Get, KeysPath(tenant));
        var (body, error) = await ApiConnection.SendAsync(result, http, request, tenant ?? "operator keys", cancellationToken).ConfigureAwait(false);
        if (body is null)
            return error;
        var output = result.InvocationConfiguration.Output;
        foreach (var key in body["items"]!.AsArray().OfType<JsonNode>())
        {
            output.WriteLine(string.Join('\t', (string?)key["id"], (string?)key["role"], (string?)key["tenant"] ?? "-",
                (string?)key["createdAt"], (string?)key["revokedAt"] ?? "-", Printable((string?)key["label"])));
        }
        return 0;
    }

    private static async Task<int> RevokeAsync(ParseResult result, ApiConnection connection, string keyId, string? tenant, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(keyId) || keyId.Any(c => char.IsWhiteSpace(c) || c == '/'))
            return Usage.Fail(result, keyId, "not a key id; 'rdns key list' shows them (key_…)");
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return failure;
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{KeysPath(tenant)}/{Uri.EscapeDataString(keyId)}");
        var (body, error) = await ApiConnection.SendAsync(result, http, request, keyId, cancellationToken).ConfigureAwait(false);
        if (body is null)
            return error;
        result.InvocationConfiguration.Output.WriteLine($"{keyId}\trevoked");
        return 0;
    }

    /// <summary>A label on one field of one line: tabs and line breaks would break the columns.</summary>
    private static string Printable(string? label) =>
        string.IsNullOrEmpty(label) ? "-" : string.Concat(label.Select(c => char.IsControl(c) ? ' ' : c));
}
