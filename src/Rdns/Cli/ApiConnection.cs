using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>
/// How the verbs that talk to a running server reach its API: <c>--api URL</c> (alias
/// <c>--server</c>; default $RDNS_API, else $RDNS_URL, else http://127.0.0.1:8080) and
/// <c>--key KEY</c> (default $RDNS_KEY, so the key stays out of shell history). A refusal is one
/// line on stderr with the API's code and detail: exit code 2 for the API's 4xx, 1 when the API or
/// the network failed.
/// </summary>
internal sealed class ApiConnection
{
    public Option<string?> Api { get; } = new("--api", "--server") { Description = "API base URL (default $RDNS_API or $RDNS_URL, else http://127.0.0.1:8080)" };

    public Option<string?> Key { get; } = new("--key") { Description = "API key (default $RDNS_KEY)" };

    /// <summary>Adds both options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Api);
        command.Options.Add(Key);
    }

    /// <summary>The client for this invocation, or the exit code of the usage error already reported.</summary>
    public HttpClient? Client(ParseResult result, out int failure)
    {
        failure = 0;
        var key = result.GetValue(Key) ?? Environment.GetEnvironmentVariable("RDNS_KEY");
        if (string.IsNullOrWhiteSpace(key))
        {
            failure = Usage.Fail(result, "--key: required (or set RDNS_KEY)");
            return null;
        }
        var baseUrl = result.GetValue(Api) ?? Environment.GetEnvironmentVariable("RDNS_API") ?? Environment.GetEnvironmentVariable("RDNS_URL") ?? "http://127.0.0.1:8080";
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failure = Usage.Fail(result, baseUrl, "--api must be an http:// or https:// URL");
            return null;
        }
        var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        return http;
    }

    /// <summary>
    /// Sends the request; on success the body (an empty object for 204), otherwise null with the
    /// refusal reported as <c>rdns: SUBJECT: STATUS code: detail</c> and its exit code in <paramref name="failure"/>.
    /// </summary>
    public static async Task<(JsonNode? Body, int Failure)> SendAsync(ParseResult result, HttpClient http, HttpRequestMessage request, string subject, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            result.InvocationConfiguration.Error.WriteLine($"rdns: cannot reach the API at {http.BaseAddress}: {e.Message}");
            return (null, RdnsCommandLine.InternalError);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
                return (text.Length == 0 ? new JsonObject() : JsonNode.Parse(text), 0);
            string detail = text;
            try
            {
                var problem = JsonNode.Parse(text);
                detail = $"{(string?)problem?["code"]}: {(string?)problem?["detail"]}";
            }
            catch (JsonException)
            {
            }
            result.InvocationConfiguration.Error.WriteLine($"rdns: {subject}: {(int)response.StatusCode} {Excerpt.Of(detail, 400)}");
            return (null, (int)response.StatusCode is >= 400 and < 500 ? RdnsCommandLine.UsageError : RdnsCommandLine.InternalError);
        }
    }
}
