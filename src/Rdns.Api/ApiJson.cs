using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Rdns.Addressing;

namespace Rdns.Api;

/// <summary>JSON in and out: camelCase, strict reading with errors that say where the JSON broke.</summary>
public static class ApiJson
{
    /// <summary>
    /// Strict on purpose: the Web defaults read <c>"60"</c> as the number 60 and let the last of two
    /// equal members win, so a client's mistake would be applied as a guess. Here a number must be a
    /// JSON number (RFC 8259 §6), and a member may appear once (§4 says names SHOULD be unique;
    /// receivers disagree on duplicates, which is exactly why one must not be accepted).
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
        TypeInfoResolver = ApiJsonContext.Default,
    };

    /// <summary>
    /// Reads the body as <typeparamref name="T"/>. A body that is not declared JSON is a 415; malformed
    /// or empty JSON, a string where a number belongs, an unknown or repeated member a 400 naming it.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : class
    {
        if (!context.Request.HasJsonContentType())
        {
            var given = context.Request.ContentType is { Length: > 0 } type ? $"Content-Type '{Excerpt.Of(type, 100)}'" : "no Content-Type";
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "The body must be JSON",
                $"the body was sent with {given}; send it as 'Content-Type: application/json'");
        }
        if (context.Request.ContentLength == 0)
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON", "the request body is empty; a JSON object is required");
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)), context.RequestAborted).ConfigureAwait(false);
            return value ?? throw new ApiException(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON", "the body is null; a JSON object is required");
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            var line = e.LineNumber is null ? "" : $" (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
            var what = e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "an unknown member"
                : e.Message.Contains("uplicate", StringComparison.Ordinal) ? "a member given twice"
                : e.Message.Contains("could not be converted", StringComparison.Ordinal) ? "a value of the wrong type"
                : "malformed JSON";
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON", $"{what}{where}{line}", e.Path);
        }
    }
}
