using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>
/// How the verbs that talk to a running server reach its API: <c>--api URL</c> (alias
/// <c>--server</c>; default $RDNS_API, else $RDNS_URL, else http://127.0.0.1:8080) and the key,
/// first found of <c>--key KEY</c>, $RDNS_KEY, <c>--key-file FILE</c>, $RDNS_KEY_FILE, and the
/// admin key of a server on this host (<c>$RDNS_DATA/admin.key</c>, else ./rdns-data/admin.key), so
/// the key stays out of shell history. A refusal is one line on stderr with the API's code and
/// detail: exit code 2 for the API's 4xx, 1 when the API or the network failed.
/// </summary>
internal sealed class ApiConnection
{
    public Option<string?> Api { get; } = new("--api", "--server") { Description = "API base URL (default $RDNS_API or $RDNS_URL, else http://127.0.0.1:8080)" };

    public Option<string?> Key { get; } = new("--key") { Description = "API key (default $RDNS_KEY, else --key-file)" };

    public Option<string?> KeyFile { get; } = new("--key-file") { Description = "File holding the API key (default $RDNS_KEY_FILE, else DATA/admin.key of a server on this host)" };

    /// <summary>Adds the connection's options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Api);
        command.Options.Add(Key);
        command.Options.Add(KeyFile);
    }

    /// <summary>The key, from the first source that has one; null (with the failure reported) when none does or a named file cannot be read.</summary>
    private string? FindKey(ParseResult result, out int failure)
    {
        failure = 0;
        var key = result.GetValue(Key) ?? Environment.GetEnvironmentVariable("RDNS_KEY");
        if (!string.IsNullOrWhiteSpace(key))
            return key;
        var file = result.GetValue(KeyFile) ?? Environment.GetEnvironmentVariable("RDNS_KEY_FILE");
        if (file is not null)
        {
            try
            {
                return File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure = Usage.Fail(result, file, $"cannot read the key file: {e.Message}");
                return null;
            }
        }
        var local = Path.Combine(Environment.GetEnvironmentVariable("RDNS_DATA") ?? "rdns-data", "admin.key");
        try
        {
            if (File.Exists(local))
                return File.ReadAllText(local).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        failure = Usage.Fail(result, "--key: required (or set RDNS_KEY, or --key-file FILE)");
        return null;
    }

    /// <summary>The client for this invocation, or the exit code of the usage error already reported.</summary>
    public HttpClient? Client(ParseResult result, out int failure)
    {
        var key = FindKey(result, out failure);
        if (string.IsNullOrWhiteSpace(key))
        {
            if (failure == 0)
                failure = Usage.Fail(result, "--key: the key is empty");
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
