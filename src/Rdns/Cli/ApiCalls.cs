using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary>The requests the operator verbs make: one call, or every page of a listing.</summary>
internal static class ApiCalls
{
    /// <summary>One request; the body is sent as JSON when given. Returns the response (empty object for 204) or the exit code.</summary>
    public static async Task<(JsonNode? Body, int Failure)> SendAsync(ParseResult result, ApiConnection connection, HttpMethod method, string path,
        JsonObject? body, string subject, CancellationToken cancellationToken, HttpContent? content = null)
    {
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return (null, failure);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        else if (content is not null)
            request.Content = content;
        return await ApiConnection.SendAsync(result, http, request, subject, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every page of a listing (following <c>next</c>), as one array.</summary>
    public static async Task<(JsonArray? Items, int Failure)> ListAsync(ParseResult result, ApiConnection connection, string path, string subject, CancellationToken cancellationToken)
    {
        using var http = connection.Client(result, out int failure);
        if (http is null)
            return (null, failure);
        var items = new JsonArray();
        string? next = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            using var request = new HttpRequestMessage(HttpMethod.Get, next is null ? path : $"{path}{separator}after={Uri.EscapeDataString(next)}");
            var (page, error) = await ApiConnection.SendAsync(result, http, request, subject, cancellationToken).ConfigureAwait(false);
            if (page is null)
                return (null, error);
            foreach (var item in page["items"]!.AsArray().ToList())
            {
                page["items"]!.AsArray().Remove(item);
                items.Add(item);
            }
            next = (string?)page["next"];
        }
        while (next is not null);
        return (items, 0);
    }
}
