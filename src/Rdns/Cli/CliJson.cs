using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary>Request bodies the verbs send, built as JSON nodes: written without reflection, in every build.</summary>
internal static class CliJson
{
    /// <summary>A JSON array of the strings, or null (written as <c>null</c>) when there are none given.</summary>
    public static JsonArray? Array(IEnumerable<string>? values) =>
        values is null ? null : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
