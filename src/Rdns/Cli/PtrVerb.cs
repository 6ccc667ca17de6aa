using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns ptr set|get|reset IP [NAME] --api URL --key KEY</c>: a tenant's PTRs through the API.
/// The key may also come from RDNS_KEY and the URL from RDNS_API, so it stays out of shell history.
/// Exit codes: 0 done, 2 bad input (ours or the API's 4xx), 1 the API or network failed.
/// </summary>
internal static class PtrVerb
{
    public static Command Create()
    {
        var api = new Option<string?>("--api") { Description = "API base URL (default $RDNS_API, else http://127.0.0.1:8080)" };
        var key = new Option<string?>("--key") { Description = "API key (default $RDNS_KEY)" };
        var command = new Command("ptr", "Set, show or reset the PTR of an address you hold (tenant API).");
        var ipSet = new Argument<string>("ip") { Description = "The address" };
        var name = new Argument<string>("name") { Description = "The host name it should point to" };
        var set = new Command("set", "Point an address at a name (after the forward check).") { ipSet, name, api, key };
        set.SetAction((result, cancel) => RunAsync(result, api, key, HttpMethod.Put, result.GetValue(ipSet), result.GetValue(name), cancel));
        var ipGet = new Argument<string>("ip") { Description = "The address" };
        var get = new Command("get", "Show an address's PTR, its check status and when it was checked.") { ipGet, api, key };
        get.SetAction((result, cancel) => RunAsync(result, api, key, HttpMethod.Get, result.GetValue(ipGet), null, cancel));
        var ipReset = new Argument<string>("ip") { Description = "The address" };
        var reset = new Command("reset", "Return an address to its default name.") { ipReset, api, key };
        reset.SetAction((result, cancel) => RunAsync(result, api, key, HttpMethod.Delete, result.GetValue(ipReset), null, cancel));
        command.Subcommands.Add(set);
        command.Subcommands.Add(get);
        command.Subcommands.Add(reset);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, Option<string?> apiOption, Option<string?> keyOption, HttpMethod method, string? ip, string? name, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        if (!IpAddress.TryParse(ip ?? "", out var address, out var error))
            return Usage.Fail(result, ip, error);
        var key = result.GetValue(keyOption) ?? Environment.GetEnvironmentVariable("RDNS_KEY");
        if (string.IsNullOrWhiteSpace(key))
            return Usage.Fail(result, "--key: required (or set RDNS_KEY)");
        var baseUrl = result.GetValue(apiOption) ?? Environment.GetEnvironmentVariable("RDNS_API") ?? "http://127.0.0.1:8080";
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return Usage.Fail(result, baseUrl, "--api must be an http:// or https:// URL");

        using var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        using var request = new HttpRequestMessage(method, $"/v1/addresses/{address}/reverse");
        if (name is not null)
            request.Content = new StringContent(JsonSerializer.Serialize(new { name }), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            result.InvocationConfiguration.Error.WriteLine($"rdns: cannot reach the API at {uri}: {e.Message}");
            return RdnsCommandLine.InternalError;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                string detail = text;
                try
                {
                    var problem = JsonNode.Parse(text);
                    detail = $"{(string?)problem?["code"]}: {(string?)problem?["detail"]}";
                }
                catch (JsonException)
                {
                }
                result.InvocationConfiguration.Error.WriteLine($"rdns: {address}: {(int)response.StatusCode} {Excerpt.Of(detail, 400)}");
                return (int)response.StatusCode is >= 400 and < 500 ? RdnsCommandLine.UsageError : RdnsCommandLine.InternalError;
            }
            if (method == HttpMethod.Delete)
            {
                output.WriteLine($"{address}\treset to default");
                return 0;
            }
            var view = JsonNode.Parse(text)!;
            output.WriteLine($"{address}\t{(string?)view["name"] ?? "-"}\t{(string?)view["status"]}\t{(string?)view["checkedAt"] ?? "-"}");
            return 0;
        }
    }
}
