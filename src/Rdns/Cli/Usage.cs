using System.CommandLine;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>
/// How a verb reports bad input: one line on stderr, <c>rdns: INPUT: REASON</c>, exit code 2.
/// One line because scripts read it and people read the first line only.
/// </summary>
internal static class Usage
{
    public static int Fail(ParseResult parseResult, string? input, string? reason)
        => Fail(parseResult, $"{Shown(input)}: {reason}");

    public static int Fail(ParseResult parseResult, string message)
    {
        parseResult.InvocationConfiguration.Error.WriteLine($"rdns: {Excerpt.Of(message, 400)}");
        return RdnsCommandLine.UsageError;
    }

    /// <summary>The input as the user typed it, shortened; an empty input shows as <c>""</c>.</summary>
    public static string Shown(string? input) => string.IsNullOrEmpty(input) ? "\"\"" : Excerpt.Of(input, 64);
}
