using System.Text.Json.Nodes;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns ptr set|get|reset IP [NAME] --api URL --key KEY</c>: a tenant's PTRs through the API
/// (see <see cref="ApiConnection"/> for where the URL and key come from, and the exit codes).
/// </summary>
internal static class PtrVerb
{
    public static Command Create()
    {
        var connection = new ApiConnection();
        var viewOption = new Option<string?>("--view") { Description = "A private address's PTR in a view assigned to you (tenant networks)" };
        var command = new Command("ptr", "Set, show or reset the PTR of an address you hold (tenant API).");
        var ipSet = new Argument<string>("ip") { Description = "The address" };
        var name = new Argument<string>("name") { Description = "The host name it should point to" };
        var set = new Command("set", "Point an address at a name (after the forward check).") { ipSet, name };
        set.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Put, result.GetValue(ipSet), result.GetValue(name), result.GetValue(viewOption), cancel));
        var ipGet = new Argument<string>("ip") { Description = "The address" };
        var get = new Command("get", "Show an address's PTR, its check status and when it was checked.") { ipGet };
        get.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Get, result.GetValue(ipGet), null, result.GetValue(viewOption), cancel));
        var ipReset = new Argument<string>("ip") { Description = "The address" };
        var reset = new Command("reset", "Return an address to its default name.") { ipReset };
        reset.SetAction((result, cancel) => RunAsync(result, connection, HttpMethod.Delete, result.GetValue(ipReset), null, result.GetValue(viewOption), cancel));
        foreach (var verb in new[] { set, get, reset })
        {
            connection.AddTo(verb);
            verb.Options.Add(viewOption);
            command.Subcommands.Add(verb);
        }
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, ApiConnection connection, HttpMethod method, string? ip, string? name, string? viewName, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        if (!IpAddress.TryParse(ip ?? "", out var address, out var error))
            return Usage.Fail(result, ip, error);
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return failure;
        using var request = new HttpRequestMessage(method, $"/v1/addresses/{address}/reverse" + (viewName is null ? "" : "?view=" + Uri.EscapeDataString(viewName)));
        if (name is not null)
            request.Content = new StringContent(new JsonObject { ["name"] = name }.ToJsonString(), Encoding.UTF8, "application/json");
        var (view, refused) = await ApiConnection.SendAsync(result, http, request, address.ToString(), cancellationToken).ConfigureAwait(false);
        if (view is null)
            return refused;
        if (method == HttpMethod.Delete)
        {
            output.WriteLine(viewName is null ? $"{address}\treset to default" : $"{address}\tremoved from view {viewName}");
            return 0;
        }
        if (viewName is not null)
        {
            output.WriteLine($"{address}\t{(string?)view["name"] ?? "-"}\tview {(string?)view["view"]}\tzone {(string?)view["zone"]}");
            return 0;
        }
        output.WriteLine($"{address}\t{(string?)view["name"] ?? "-"}\t{(string?)view["status"]}\t{(string?)view["checkedAt"] ?? "-"}");
        return 0;
    }
}
