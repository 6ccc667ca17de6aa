using System.Text.RegularExpressions;

namespace Rdns.Api.Endpoints;

/// <summary>
/// A query or route value minimal APIs could not bind, told as the parameter and the rule it broke
/// (<c>limit: 'abc' is not an integer</c>) rather than the framework's C# signature.
/// </summary>
public sealed partial record BindingFailure(string Parameter, string Detail)
{
    public static BindingFailure? Parse(string message)
    {
        var m = FailedToBind().Match(message);
        if (m.Success)
        {
            var type = m.Groups["type"].Value.TrimEnd('?');
            if (type.StartsWith("Nullable<", StringComparison.Ordinal) && type.EndsWith('>'))
                type = type["Nullable<".Length..^1];
            var name = m.Groups["name"].Value;
            var value = Addressing.Excerpt.Of(m.Groups["value"].Value, 60);
            return new BindingFailure(name, $"{name}: '{value}' is not {Expected(type)}");
        }
        m = Required().Match(message);
        if (m.Success)
            return new BindingFailure(m.Groups["name"].Value, $"{m.Groups["name"].Value}: required");
        return null;
    }

    internal static string Expected(string type) => type switch
    {
        "int" or "long" or "uint" or "Int32" or "Int64" or "UInt32" => "an integer",
        "bool" or "Boolean" => "true or false",
        "DateTimeOffset" => "a date and time (RFC 3339, e.g. 2026-11-27T10:00:00Z)",
        _ => $"a valid {type}",
    };

    [GeneratedRegex("""^Failed to bind parameter "(?<type>[^ "]+) (?<name>[^ "]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""^Required parameter "(?<type>[^ "]+) (?<name>[^ "]+)" was not provided""")]
    private static partial Regex Required();
}
