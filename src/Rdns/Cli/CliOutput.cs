using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rdns.Cli;

/// <summary>
/// What the API verbs print: a table with a header for people, or with <c>--json</c> the API's
/// JSON unchanged (a listing's items of every page as one array) for scripts.
/// </summary>
internal static class CliOutput
{
    public static Option<bool> JsonOption() => new("--json") { Description = "Print the API's JSON instead of a table" };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Json(TextWriter output, JsonNode node) => output.WriteLine(node.ToJsonString(Indented));

    /// <summary>Columns padded to their widest cell; control characters in cells become spaces, an absent value a dash.</summary>
    public static void Table(TextWriter output, string[] header, IEnumerable<string?[]> rows)
    {
        var cells = rows.Select(r => r.Select(c => string.IsNullOrEmpty(c) ? "-" : string.Concat(c.Select(ch => char.IsControl(ch) ? ' ' : ch))).ToArray()).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(header, widths));
        foreach (var row in cells)
            output.WriteLine(Line(row, widths));
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    public static string? Text(JsonNode? node, string member) => node?[member] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => other.ToJsonString(),
    };
}
