using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Rdns.Api;

/// <summary>JSON in and out: camelCase, strict reading with errors that say where the JSON broke.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    /// <summary>Reads the body as <typeparamref name="T"/>; malformed or empty JSON becomes a 400 naming the problem.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : class
    {
        if (context.Request.ContentLength == 0)
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON", "the request body is empty; a JSON object is required");
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Options, context.RequestAborted).ConfigureAwait(false);
            return value ?? throw new ApiException(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON", "the body is null; a JSON object is required");
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            var line = e.LineNumber is null ? "" : $" (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
            var what = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? "an unknown member"
                : e.Message.Contains("could not be converted", StringComparison.Ordinal) ? "a value of the wrong type" : "malformed JSON";
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON", $"{what}{where}{line}", e.Path);
        }
    }
}
