using System.CommandLine;

namespace Rdns.Cli;

/// <summary><c>rdns audit [--zone Z] [--tenant T] [--ip IP] [--action A] [--limit N]</c>: the newest audit rows through the API (operator key).</summary>
internal static class AuditVerb
{
    public static Command Create()
    {
        var connection = new ApiConnection();
        var zone = new Option<string?>("--zone") { Description = "Rows about this zone or an address in it" };
        var tenant = new Option<string?>("--tenant") { Description = "Rows by or about this tenant" };
        var ip = new Option<string?>("--ip") { Description = "Rows about this address" };
        var action = new Option<string?>("--action") { Description = "An action (ptr.set) or a family ending in a dot (ptr.)" };
        var limit = new Option<int?>("--limit") { Description = "Rows to show (1-1000, default 50)" };
        var json = CliOutput.JsonOption();
        var command = new Command("audit", "Show the audit log, newest first: who changed what, from what to what.") { zone, tenant, ip, action, limit, json };
        connection.AddTo(command);
        command.SetAction(async (result, cancel) =>
        {
            var query = new List<string> { $"limit={result.GetValue(limit) ?? 50}" };
            void Add(string name, string? value)
            {
                if (value is not null)
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
            }
            Add("zone", result.GetValue(zone));
            Add("tenant", result.GetValue(tenant));
            Add("ip", result.GetValue(ip));
            Add("action", result.GetValue(action));
            var (page, failure) = await ApiCalls.SendAsync(result, connection, HttpMethod.Get, "/v1/audit?" + string.Join('&', query), null, "audit", cancel).ConfigureAwait(false);
            if (page is null)
                return failure;
            ZoneVerb.Print(result, result.GetValue(json), page["items"]!.AsArray(), ["AT", "WHO", "ACTION", "TARGET", "BEFORE", "AFTER"],
                a => [CliOutput.Text(a, "at"), CliOutput.Text(a, "who"), CliOutput.Text(a, "action"), CliOutput.Text(a, "target"), CliOutput.Text(a, "before"), CliOutput.Text(a, "after")]);
            return 0;
        });
        return command;
    }
}
